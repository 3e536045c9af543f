import path from 'node:path';
import { existsSync } from 'node:fs';
import { main, type MainDeps } from '../../src/main';
import { DEMO_USAGE, DEMO_USAGE_EXIT_CODE, parseDemoArgs } from './args';
import { runWithEmulators, TRIGGER_COMMAND } from './emulated-run';
import { findRealConfiguration, realRunEnv } from './real-config';

export interface DemoDeps {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The demo's own lines. @default process.stdout */
  out?: NodeJS.WritableStream;
  /** Usage errors. @default process.stderr */
  err?: NodeJS.WritableStream;
  /** Directory holding manifest.json and the trigger JSON. @default the repository root (../.. from here) */
  cwd?: string;
  /** Passed on to main() (tests: signals, clock, console). @default {} */
  main?: Omit<MainDeps, 'env' | 'cwd'>;
  /** Milliseconds between two MISP changes of the long-running demo. @default 45000 */
  changeIntervalMs?: number;
}

/** The repository root (where manifest.json is), from dist/tools/demo/start.js as from tools/demo/start.ts. */
const MODULE_ROOT = findModuleRoot(__dirname);

function findModuleRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'manifest.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..', '..');
  }
}

/**
 * `npm start [-- --once] [-- --dry-run]`: with a real configuration, the trigger against the
 * servers it names; otherwise against MISP and Sekoia.io emulators on loopback. Resolves with
 * the exit code.
 */
export async function startDemo(argv: readonly string[], deps: DemoDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? process.stdout;
  const cwd = deps.cwd ?? MODULE_ROOT;
  const args = parseDemoArgs(argv);
  if (!args.ok) {
    (deps.err ?? process.stderr).write(`${args.problem}\n${DEMO_USAGE}\n`);
    return DEMO_USAGE_EXIT_CODE;
  }
  if (args.help) {
    out.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  const realConfiguration = findRealConfiguration(env);
  if (realConfiguration !== undefined) {
    const real = realRunEnv(env, cwd);
    out.write(
      `Real configuration found in ${realConfiguration}: running against the MISP and Sekoia.io it names ` +
        `(state in ${real.dataPath}).\n`,
    );
    return main([TRIGGER_COMMAND, ...args.flags], { ...deps.main, env: real.env, cwd });
  }
  return runWithEmulators({
    runOptions: args.runOptions,
    flags: args.flags,
    cwd,
    out,
    env,
    deps: deps.main,
    changeIntervalMs: deps.changeIntervalMs,
  });
}

if (require.main === module) {
  startDemo(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Whatever is left open (kept-alive sockets) must not keep the demo alive once done.
      setTimeout(() => process.exit(code), 1000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`Demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
