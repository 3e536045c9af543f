import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { IpcChannel } from './ipc';
import type { ProcessUsage } from './usage-probe';

/** dist/tools/bench: the compiled bench scripts live next to this file. */
export const BENCH_DIR = __dirname;
/** The compiled entry point: dist/src/main.js, beside dist/tools/bench. */
export const MAIN_JS = path.resolve(__dirname, '..', '..', 'src', 'main.js');
/** The repository (manifest.json, the trigger file): where npm runs the bench, the trigger's working directory. */
export const REPO_DIR = process.cwd();

export interface ChildOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** stdout and stderr go to this file (kept for a failure's report). */
  logFile: string;
  /** Without an IPC channel the child runs exactly as from a shell. @default true */
  ipc?: boolean;
}

export interface BenchChild {
  process: ChildProcess;
  /** Calls and notices; unused (never answered) for a child started without IPC. */
  channel: IpcChannel;
  logFile: string;
  /** Resolves with the exit code (signal-killed: 128 + 15 and the like are reported as null). */
  exited: Promise<number | null>;
}

/** Forks dist/tools/bench/<script> (or any module path) with an IPC channel, output to `logFile`. */
export function forkChild(name: string, modulePath: string, options: ChildOptions): BenchChild {
  const log = openSync(options.logFile, 'a');
  const common = { cwd: REPO_DIR, env: options.env ?? process.env };
  const child =
    options.ipc === false
      ? spawn(process.execPath, [...(options.execArgv ?? []), modulePath, ...(options.args ?? [])], {
          ...common,
          stdio: ['ignore', log, log],
        })
      : fork(modulePath, options.args ?? [], {
          ...common,
          execArgv: options.execArgv ?? [],
          stdio: ['ignore', log, log, 'ipc'],
        });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, channel: new IpcChannel(child, name), logFile: options.logFile, exited };
}

/** The last lines of a child's log, for an error message. */
export function logTail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no output)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** What usage-probe wrote at the child's exit. */
export function readUsage(file: string): ProcessUsage {
  if (!existsSync(file)) throw new Error(`the trigger process wrote no resource usage to ${file}`);
  return JSON.parse(readFileSync(file, 'utf8')) as ProcessUsage;
}

/** Throws with the log's tail when a child did not exit with `expected`. */
export async function expectExit(child: BenchChild, name: string, expected = 0): Promise<void> {
  const code = await child.exited;
  if (code !== expected) {
    throw new Error(`${name} exited with ${code}, expected ${expected}:\n${logTail(child.logFile)}`);
  }
}
