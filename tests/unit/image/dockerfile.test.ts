import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The Dockerfile's instructions, continuation lines joined, comments dropped, by stage. */
function stages(dockerfile: string): string[][] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const result: string[][] = [];
  for (const instruction of instructions) {
    if (/^FROM\s/i.test(instruction)) result.push([instruction]);
    else result[result.length - 1]?.push(instruction);
  }
  return result;
}

/** The value of a useradd option given as --long or -s (short) flag. */
function option(command: string, long: string, short: string): string | undefined {
  return new RegExp(`(?:--${long}|-${short})[ =](\\S+)`).exec(command)?.[1];
}

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(path.resolve(__dirname, '../../../Dockerfile'), 'utf8');
  const all = stages(dockerfile);
  const runtime = all[all.length - 1];
  const runs = runtime.filter((instruction) => /^RUN\s/i.test(instruction)).join(' && ');

  it('builds and runs on Node.js 24 (Node 20 reached its end of life)', () => {
    expect(all.map((stage) => stage[0].split(/\s+/)[1])).toEqual(['node:24-slim', 'node:24-slim']);
  });

  it("runs as sekoiaio-runtime with UID 1000, as Sekoia's images do, the base image's node user removed first", () => {
    const useradd = /useradd[^&;]*/.exec(runs)?.[0] ?? '';
    expect(useradd.trim().split(/\s+/).pop()).toBe('sekoiaio-runtime');
    expect(option(useradd, 'uid', 'u')).toBe('1000');
    expect(useradd).not.toMatch(/--system|\s-r\s/);
    expect(runs.indexOf('userdel --remove node')).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('userdel --remove node')).toBeLessThan(runs.indexOf('useradd'));
    const users = runtime.filter((instruction) => /^USER\s/i.test(instruction));
    expect(users[users.length - 1]).toBe('USER sekoiaio-runtime');
  });

  it('gives /symphony_data to that user', () => {
    expect(runs).toMatch(/chown sekoiaio-runtime:sekoiaio-runtime \/symphony_data/);
  });

  it("ships neither node-gyp nor sqlite3's sources and build objects", () => {
    const builder = all[0].join('\n');
    expect(builder).toMatch(/npm prune --omit=dev --omit=optional/);
    expect(builder).toMatch(
      /rm -rf node_modules\/node-gyp node_modules\/sqlite3\/deps node_modules\/sqlite3\/src/,
    );
    expect(builder).toMatch(/node_modules\/sqlite3\/build\/Release\/obj.target/);
    expect(builder).toMatch(/find node_modules\/sqlite3\/build -type f ! -name node_sqlite3.node -delete/);
  });
});
