import { runTrigger, RunTriggerOptions } from './runtime';
import type { RunOptions } from './runtime/types';
import type { TriggerRegistry } from './triggers';
import { messageOf } from './errors';

export interface MainDeps extends Omit<RunTriggerOptions, 'runOptions'> {
  /** Command -> trigger. @default buildTriggerRegistry() (every trigger of the module) */
  registry?: TriggerRegistry;
  /** Where usage errors go. @default process.stderr */
  stderr?: NodeJS.WritableStream;
}

/** Exit code of a command line that names no known trigger, or an unknown flag. */
export const USAGE_EXIT_CODE = 2;

const FLAGS: Record<string, keyof RunOptions> = { '--once': 'once', '--dry-run': 'dryRun' };

function loadRegistry(): TriggerRegistry {
  // Loaded on demand: tests hand in their own registry without loading the real triggers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildTriggerRegistry } = require('./triggers') as typeof import('./triggers');
  return buildTriggerRegistry();
}

/**
 * `node dist/main.js <command> [--once] [--dry-run]`. `args` are the words after the script
 * (process.argv.slice(2)). Resolves with the exit code: 2 for an unknown or missing command or
 * flag, else what runTrigger resolves.
 */
export async function main(args: readonly string[], deps: MainDeps = {}): Promise<number> {
  const { registry: givenRegistry, stderr = process.stderr, ...runTriggerOptions } = deps;
  const registry = givenRegistry ?? loadRegistry();
  const [command, ...flags] = args;
  const runOptions: RunOptions = { once: false, dryRun: false };
  const unknownFlags = flags.filter((flag) => !(flag in FLAGS));
  for (const flag of flags) if (flag in FLAGS) runOptions[FLAGS[flag]] = true;
  const definition = command === undefined ? undefined : registry.get(command);
  if (!definition || unknownFlags.length > 0) {
    const known = [...registry.keys()].join(', ') || '(none)';
    const problem = !command
      ? 'No command given.'
      : !definition
        ? `Unknown command "${command}".`
        : `Unknown option ${unknownFlags.map((flag) => `"${flag}"`).join(', ')}.`;
    stderr.write(
      `${problem}\nUsage: node dist/main.js <command> [--once] [--dry-run]\nKnown commands: ${known}\n`,
    );
    return USAGE_EXIT_CODE;
  }
  return runTrigger(definition, { ...runTriggerOptions, runOptions });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Whatever a trigger left open must not keep a stopped container alive.
      setTimeout(() => process.exit(code), 1000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`Fatal: ${messageOf(error)}\n`);
      process.exit(1);
    },
  );
}
