import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openTriggerState, STATE_FILE_NAME } from '../../../src/state/open-state';
import { JOURNAL_MERGE_KEYS, type SqliteTriggerState } from '../../../src/state/sqlite-state';
import { StateError } from '../../../src/state/errors';
import {
  JOURNAL_TABLE,
  LEGACY_JOURNAL_TABLE,
  NAMESPACES_TABLE,
  PUSHED_TABLE,
} from '../../../src/state/pushed-keys-sql';
import { FakeClock, NAMESPACE, OTHER_NAMESPACE, openRaw, tempDataPath } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const REPO_ROOT = path.resolve(__dirname, '../../..');
/** Keys in the journal (one row per recorded batch, its keys a JSON array). */
const JOURNAL_KEYS_SQL = `SELECT count(*) AS n FROM ${JOURNAL_TABLE}, json_each(${JOURNAL_TABLE}.keys)`;

describe('the state file', () => {
  let paths: ReturnType<typeof tempDataPath>;
  let clock: FakeClock;
  const opened: SqliteTriggerState[] = [];

  async function open(): Promise<SqliteTriggerState> {
    const state = await openTriggerState({ dataPath: paths.dataPath, namespace: NAMESPACE, clock });
    opened.push(state);
    return state;
  }

  async function countPushedRows(): Promise<number> {
    const raw = openRaw(paths.filePath);
    try {
      // Recent marks sit in the journal until merged into the pushed set: both count.
      const rows = await raw.query(
        `SELECT (SELECT count(*) FROM ${PUSHED_TABLE}) + (${JOURNAL_KEYS_SQL}) AS n`,
      );
      return Number(rows[0]?.n);
    } finally {
      await raw.close();
    }
  }

  beforeEach(() => {
    paths = tempDataPath();
    clock = new FakeClock();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.close().catch(() => undefined)));
    paths.cleanup();
  });

  it('is read back by another process: the cursor by plain keyv, the pushed set by SQL, in WAL mode', async () => {
    clock.current = Date.now();
    const state = await open();
    await state.markPushed(['ipv4-addr.value|1.2.3.4'], DAY);
    await state.setCursor(1_768_470_000_000);
    await state.close();
    const script = `
      const Keyv = require('keyv').default;
      const { KeyvSqlite } = require('@keyv/sqlite');
      const keyv = new Keyv(new KeyvSqlite({ uri: 'sqlite://' + process.argv[1] }), { namespace: process.argv[2], throwOnErrors: true });
      Promise.all([keyv.get('cursor'),
        keyv.store.query('SELECT n.name, p.k, p.expires FROM ${PUSHED_TABLE} p JOIN ${NAMESPACES_TABLE} n ON n.id = p.ns'),
        keyv.store.query('PRAGMA journal_mode')])
        .then((values) => { console.log(JSON.stringify(values)); return keyv.disconnect(); });
    `;
    const output = execFileSync(process.execPath, ['-e', script, paths.filePath, NAMESPACE], {
      cwd: REPO_ROOT,
    });
    expect(JSON.parse(output.toString())).toEqual([
      1_768_470_000_000,
      [{ name: NAMESPACE, k: 'ipv4-addr.value|1.2.3.4', expires: clock.current + DAY }],
      [{ journal_mode: 'wal' }],
    ]);
  });

  it('records each mark on disk before markPushed returns: a process that dies unclosed loses none', async () => {
    const crashed = await open();
    await crashed.markPushed(['k1', 'k2'], HOUR);
    // No close(): the marks are only in the journal. A new instance on the file merges them.
    const next = await openTriggerState({ dataPath: paths.dataPath, namespace: NAMESPACE, clock });
    opened.push(next);
    expect(await next.filterUnpushed(['k1', 'k2', 'k3'])).toEqual(['k3']);
    const raw = openRaw(paths.filePath);
    try {
      expect(await raw.query(JOURNAL_KEYS_SQL)).toEqual([{ n: 0 }]);
      expect(await raw.query(`SELECT k, expires FROM ${PUSHED_TABLE} WHERE k = 'k1'`)).toEqual([
        { k: 'k1', expires: clock.current + HOUR },
      ]);
    } finally {
      await raw.close();
    }
  });

  it('upgrades a file left by 1.0.0 (one journal row per key) without losing a mark, in any namespace', async () => {
    const first = await open();
    await first.markPushed(['merged'], HOUR);
    await first.close();
    // What 1.0.0 left when it died between two merges: marks in its own journal table.
    const raw = openRaw(paths.filePath);
    try {
      await raw.query(
        `CREATE TABLE ${LEGACY_JOURNAL_TABLE} (ns INTEGER NOT NULL, k TEXT NOT NULL, expires INTEGER NOT NULL)`,
      );
      await raw.query(`INSERT OR IGNORE INTO ${NAMESPACES_TABLE} (name) VALUES ('${OTHER_NAMESPACE}')`);
      const ids = (await raw.query(`SELECT id, name FROM ${NAMESPACES_TABLE} ORDER BY id`)) as Array<{
        id: number;
        name: string;
      }>;
      const idOf = (name: string): number => ids.find((row) => row.name === name)?.id ?? -1;
      const journal = [
        [idOf(NAMESPACE), 'legacy-1', clock.current + HOUR],
        [idOf(NAMESPACE), 'legacy-1', clock.current + DAY],
        [idOf(NAMESPACE), 'expired', clock.current - 1],
        [idOf(OTHER_NAMESPACE), 'other-1', clock.current + HOUR],
      ];
      for (const [ns, k, expires] of journal) {
        await raw.query(`INSERT INTO ${LEGACY_JOURNAL_TABLE} VALUES (${ns}, '${k}', ${expires})`);
      }
    } finally {
      await raw.close();
    }
    const upgraded = await open();
    expect(await upgraded.filterUnpushed(['merged', 'legacy-1', 'expired', 'new'])).toEqual([
      'expired',
      'new',
    ]);
    const other = await openTriggerState({ dataPath: paths.dataPath, namespace: OTHER_NAMESPACE, clock });
    opened.push(other);
    expect(await other.filterUnpushed(['other-1', 'legacy-1'])).toEqual(['legacy-1']);
    const check = openRaw(paths.filePath);
    try {
      expect(
        await check.query(`SELECT name FROM sqlite_master WHERE name = '${LEGACY_JOURNAL_TABLE}'`),
      ).toEqual([]);
      // The latest expiry of a key journaled twice is kept.
      expect(await check.query(`SELECT expires FROM ${PUSHED_TABLE} WHERE k = 'legacy-1'`)).toEqual([
        { expires: clock.current + DAY },
      ]);
    } finally {
      await check.close();
    }
  });

  it('merges the journal into the pushed set every JOURNAL_MERGE_KEYS keys, and at close', async () => {
    const state = await open();
    const keys = Array.from({ length: JOURNAL_MERGE_KEYS + 10 }, (_, i) => `k${i}`);
    await state.markPushed(keys.slice(0, JOURNAL_MERGE_KEYS - 1), HOUR);
    const raw = openRaw(paths.filePath);
    try {
      const journalRows = async (): Promise<unknown> => (await raw.query(JOURNAL_KEYS_SQL))[0]?.n;
      expect(await journalRows()).toBe(JOURNAL_MERGE_KEYS - 1);
      await state.markPushed(keys.slice(JOURNAL_MERGE_KEYS - 1, JOURNAL_MERGE_KEYS), HOUR);
      expect(await journalRows()).toBe(0);
      await state.markPushed(keys.slice(JOURNAL_MERGE_KEYS), HOUR);
      expect(await journalRows()).toBe(10);
      expect(await state.filterUnpushed([...keys, 'new'])).toEqual(['new']);
      await state.close();
      expect(await journalRows()).toBe(0);
      expect(await countPushedRows()).toBe(keys.length);
    } finally {
      await raw.close();
    }
  });

  it('purges expired records on open and then at most once a day, so the file stays flat', async () => {
    const state = await open();
    await state.markPushed(
      Array.from({ length: 300 }, (_, i) => `k${i}`),
      HOUR,
    );
    expect(await countPushedRows()).toBe(300);
    clock.advance(2 * HOUR);
    // Less than a day since the purge on open: this push does not purge.
    await state.markPushed(['fresh-1'], DAY * 3);
    expect(await countPushedRows()).toBe(301);
    clock.advance(DAY);
    await state.markPushed(['fresh-2'], DAY * 3);
    expect(await countPushedRows()).toBe(2);
    await state.markPushed(
      Array.from({ length: 50 }, (_, i) => `m${i}`),
      HOUR,
    );
    await state.close();
    clock.advance(2 * HOUR);
    await open();
    expect(await countPushedRows()).toBe(2);
  });

  it('throws, never answers "not pushed", when the store fails under it', async () => {
    // Merged into the pushed set by close(): the next read of 'k' asks SQLite (a journaled key
    // is answered from memory).
    const first = await open();
    await first.markPushed(['k'], HOUR);
    await first.close();
    const state = await open();
    const raw = openRaw(paths.filePath);
    await raw.query(`DROP TABLE ${PUSHED_TABLE}`);
    await raw.query(`DROP TABLE ${JOURNAL_TABLE}`);
    await raw.query('DROP TABLE keyv');
    await raw.close();
    await expect(state.filterUnpushed(['k'])).rejects.toThrow(StateError);
    await expect(state.filterUnpushed(['k'])).rejects.toThrow(
      `Could not read the pushed IOCs in the state file ${paths.filePath}: SQLITE_ERROR: no such table: ${PUSHED_TABLE}`,
    );
    await expect(state.markPushed(['k'], HOUR)).rejects.toThrow(/Could not record the pushed IOCs/);
    await expect(state.getCursor()).rejects.toThrow(/Could not read the cursor/);
    await expect(state.setCursor(1)).rejects.toThrow(/Could not save the cursor/);
  });

  it('throws once closed', async () => {
    const state = await open();
    await state.close();
    await expect(state.filterUnpushed(['k'])).rejects.toThrow(/state file .* is closed/);
    await expect(state.markPushed(['k'], HOUR)).rejects.toThrow(StateError);
    await expect(state.getCursor()).rejects.toThrow(StateError);
    await expect(state.close()).resolves.toBeUndefined();
  });

  it('fails to open, with a StateError naming the path, where the data path cannot be created', async () => {
    const blocker = path.join(paths.dataPath, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const opening = openTriggerState({ dataPath: path.join(blocker, 'data'), namespace: NAMESPACE, clock });
    await expect(opening).rejects.toThrow(StateError);
    await expect(opening).rejects.toThrow(
      `Could not create the data directory ${path.join(blocker, 'data')}`,
    );
    // Fatal, with the fix: the data folder is the user's to repair, not a bug to report.
    await expect(opening).rejects.toMatchObject({
      fatal: true,
      message: expect.stringContaining('writable'),
    });
  });

  it('fails to open a file that is not a SQLite database, or a directory in its place', async () => {
    writeFileSync(paths.filePath, 'x'.repeat(4096));
    await expect(open()).rejects.toThrow(/Could not .* state file .*: SQLITE_NOTADB/);
    await expect(open()).rejects.toMatchObject({ fatal: true });
    const other = tempDataPath();
    try {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(path.join(other.dataPath, STATE_FILE_NAME));
      await expect(
        openTriggerState({ dataPath: other.dataPath, namespace: NAMESPACE, clock }),
      ).rejects.toThrow(/SQLITE_CANTOPEN/);
    } finally {
      other.cleanup();
    }
  });

  it('reports a cursor that is not a time, rather than reading it as a first run', async () => {
    const state = await open();
    const raw = openRaw(paths.filePath);
    await raw.keyv.set('cursor', 'yesterday');
    await raw.close();
    await expect(state.getCursor()).rejects.toThrow(
      /cursor in the state file .* is not a time \(found "yesterday"\)/,
    );
  });
});
