import { existsSync } from 'node:fs';
import { openTriggerState } from '../../../src/state/open-state';
import { KEYS_PER_STATEMENT, type SqliteTriggerState } from '../../../src/state/sqlite-state';
import { NAMESPACES_TABLE, PUSHED_TABLE } from '../../../src/state/pushed-keys-sql';
import { FakeClock, NAMESPACE, OTHER_NAMESPACE, openRaw, tempDataPath } from './helpers';

const HOUR = 3_600_000;

/** What only the SQLite state does; what every TriggerState does is in trigger-state-contract.ts. */
describe('SqliteTriggerState', () => {
  let paths: ReturnType<typeof tempDataPath>;
  let clock: FakeClock;
  const opened: SqliteTriggerState[] = [];

  async function open(namespace = NAMESPACE, dataPath = paths.dataPath): Promise<SqliteTriggerState> {
    const state = await openTriggerState({ dataPath, namespace, clock });
    opened.push(state);
    return state;
  }

  beforeEach(() => {
    paths = tempDataPath();
    clock = new FakeClock();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.close()));
    paths.cleanup();
  });

  it('creates its file on disk (never memory), in a directory created if missing', async () => {
    const state = await openTriggerState({
      dataPath: `${paths.dataPath}/sub/dir`,
      namespace: NAMESPACE,
      clock,
    });
    opened.push(state);
    expect(state.filePath).toBe(`${paths.dataPath}/sub/dir/misp-ids-to-ioc.sqlite`);
    expect(existsSync(state.filePath)).toBe(true);
  });

  it('records a key given twice in one call once, before and after the journal is merged', async () => {
    const state = await open();
    await state.markPushed(['domain-name.value|twice.example', 'domain-name.value|twice.example'], HOUR);
    const keys = ['domain-name.value|twice.example', 'domain-name.value|new.example'];
    expect(await state.filterUnpushed(keys)).toEqual(['domain-name.value|new.example']);
    await state.close();
    const reopened = await open();
    expect(await reopened.filterUnpushed(keys)).toEqual(['domain-name.value|new.example']);
  });

  it(`reads and writes more keys than one statement holds (${KEYS_PER_STATEMENT})`, async () => {
    const state = await open();
    const keys = Array.from(
      { length: 2 * KEYS_PER_STATEMENT + 17 },
      (_, i) => `file.hashes|${i.toString(16).padStart(64, '0')}`,
    );
    await state.markPushed(
      keys.filter((_, i) => i % 2 === 0),
      HOUR,
    );
    expect(await state.filterUnpushed(keys)).toEqual(keys.filter((_, i) => i % 2 === 1));
  });

  it('answers by the latest mark of a key, journaled or merged: a shorter TTL pushed later wins', async () => {
    const first = await open();
    await first.markPushed(['k'], 10 * HOUR);
    await first.close(); // merged: 'k' lives 10 hours in the pushed set
    const state = await open();
    await state.markPushed(['k'], HOUR); // journaled: the latest mark, 1 hour
    clock.advance(2 * HOUR);
    expect(await state.filterUnpushed(['k'])).toEqual(['k']);
    await state.close(); // the merge keeps the latest mark too
    expect(await (await open()).filterUnpushed(['k'])).toEqual(['k']);
  });

  it('isolates namespaces sharing one file: pushed keys, cursor and purges', async () => {
    const a = await open(NAMESPACE);
    const b = await open(OTHER_NAMESPACE);
    await a.markPushed(['shared-key'], HOUR);
    await a.setCursor(1000);
    expect(await b.filterUnpushed(['shared-key'])).toEqual(['shared-key']);
    expect(await b.getCursor()).toBeUndefined();
    await b.markPushed(['b-key'], HOUR);
    await b.close(); // B's mark leaves its in-memory journal for the file's pushed set
    // A purge by A, two hours on, deletes A's expired record and leaves B's alone.
    clock.advance(2 * HOUR);
    await a.purgeExpired();
    clock.advance(-2 * HOUR);
    const raw = openRaw(paths.filePath);
    const rows = await raw.query(
      `SELECT n.name, p.k FROM ${PUSHED_TABLE} AS p JOIN ${NAMESPACES_TABLE} AS n ON n.id = p.ns ORDER BY p.k`,
    );
    await raw.close();
    expect(rows).toEqual([{ name: OTHER_NAMESPACE, k: 'b-key' }]);
    // Read back through a fresh B, from the file alone.
    expect(await (await open(OTHER_NAMESPACE)).filterUnpushed(['b-key'])).toEqual([]);
    expect(await a.filterUnpushed(['b-key', 'shared-key'])).toEqual(['b-key', 'shared-key']);
  });

  it('refuses a namespace that could reach into another one', async () => {
    await expect(
      openTriggerState({ dataPath: paths.dataPath, namespace: 'a:pushed', clock }),
    ).rejects.toThrow(RangeError);
    await expect(openTriggerState({ dataPath: paths.dataPath, namespace: '', clock })).rejects.toThrow(
      /namespace/,
    );
  });
});
