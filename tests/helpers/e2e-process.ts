import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from './runtime-fixtures';

/** Fails with the fix when the build the container runs is missing (npm test builds it first). */
export function builtScript(relative: string): string {
  const file = path.join(REPO_ROOT, 'dist', relative);
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} is missing: run \`npm run build\` first (npm test does it in its pretest step).`,
    );
  }
  return file;
}

/** A port free right now on loopback (to tell a child process where to listen, and reach it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (signal deaths as 128 + n are reported as null). */
  exited: Promise<number | null>;
}

/** Runs `node <script> ...args` from the repository root with exactly `env` (plus PATH). */
export function spawnNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

/** Resolves with the exit code, or rejects when the process is still running after `ms`. */
export function exitWithin(spawned: Spawned, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      spawned.child.kill('SIGKILL');
      reject(new Error(`the process did not exit within ${ms} ms; its output:\n${spawned.output()}`));
    }, ms);
    spawned.exited.then((code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
