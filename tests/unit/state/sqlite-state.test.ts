import { existsSync } from 'node:fs';
import { openTriggerState } from '../../../src/state/open-state';
import { KEYS_PER_STATEMENT, type SqliteTriggerState } from '../../../src/state/sqlite-state';
import { FakeClock, NAMESPACE, OTHER_NAMESPACE, tempDataPath } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

  it('starts empty: no cursor, nothing pushed, empty input gives empty output', async () => {
    const state = await open();
    expect(await state.getCursor()).toBeUndefined();
    expect(await state.filterUnpushed(['a', 'b'])).toEqual(['a', 'b']);
    expect(await state.filterUnpushed([])).toEqual([]);
    await expect(state.markPushed([], HOUR)).resolves.toBeUndefined();
  });

  it('filters out pushed keys, keeping the input order and its duplicates', async () => {
    const state = await open();
    await state.markPushed(['url.value|http://b.example/', 'ipv6-addr.value|2001:db8::1'], HOUR);
    const keys = [
      'ipv4-addr.value|1.2.3.4',
      'url.value|http://b.example/',
      'domain-name.value|a.example',
      'ipv4-addr.value|1.2.3.4',
      'ipv6-addr.value|2001:db8::1',
      'url.value|http://b.example/',
    ];
    expect(await state.filterUnpushed(keys)).toEqual([
      'ipv4-addr.value|1.2.3.4',
      'domain-name.value|a.example',
      'ipv4-addr.value|1.2.3.4',
    ]);
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

  it('handles keys with quotes, unicode, SQL and LIKE characters as plain text', async () => {
    const state = await open();
    const odd = [
      "url.value|http://a.example/?q='1' OR 1=1--",
      'url.value|http://a.example/%_\\"',
      'url.value|http://例え.jp/😀',
    ];
    await state.markPushed(odd, HOUR);
    expect(await state.filterUnpushed([...odd, 'url.value|http://a.example/'])).toEqual([
      'url.value|http://a.example/',
    ]);
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

  it('expires pushed keys after the TTL, by the injected clock, and a new push renews them', async () => {
    const state = await open();
    await state.markPushed(['k1', 'k2'], HOUR);
    clock.advance(HOUR - 1);
    expect(await state.filterUnpushed(['k1', 'k2'])).toEqual([]);
    await state.markPushed(['k2'], HOUR);
    clock.advance(1);
    expect(await state.filterUnpushed(['k1', 'k2'])).toEqual(['k1']);
    clock.advance(HOUR);
    expect(await state.filterUnpushed(['k1', 'k2'])).toEqual(['k1', 'k2']);
  });

  it('refuses a TTL or a cursor that is not a positive time', async () => {
    const state = await open();
    await expect(state.markPushed(['k'], 0)).rejects.toThrow(RangeError);
    await expect(state.markPushed(['k'], Number.NaN)).rejects.toThrow(/TTL/);
    await expect(state.setCursor(Number.POSITIVE_INFINITY)).rejects.toThrow(/Cursor/);
    await expect(state.setCursor(-1)).rejects.toThrow(RangeError);
  });

  it('keeps pushed keys and the cursor across close and reopen', async () => {
    const first = await open();
    await first.markPushed(['ipv4-addr.value|1.2.3.4'], DAY);
    await first.setCursor(1_768_470_000_000);
    await first.close();
    const second = await open();
    expect(await second.getCursor()).toBe(1_768_470_000_000);
    expect(await second.filterUnpushed(['ipv4-addr.value|1.2.3.4', 'ipv4-addr.value|5.6.7.8'])).toEqual([
      'ipv4-addr.value|5.6.7.8',
    ]);
    await second.setCursor(1_768_480_000_000);
    expect(await second.getCursor()).toBe(1_768_480_000_000);
  });

  it('remembers the window applied across close and reopen (unknown in a fresh state)', async () => {
    const first = await open();
    expect(await first.getAppliedWindowDays()).toBeUndefined();
    await first.setAppliedWindowDays(7);
    await first.close();
    const second = await open();
    expect(await second.getAppliedWindowDays()).toBe(7);
  });

  it('isolates namespaces sharing one file: pushed keys, cursor and purges', async () => {
    const a = await open(NAMESPACE);
    const b = await open(OTHER_NAMESPACE);
    await a.markPushed(['shared-key'], HOUR);
    await a.setCursor(1000);
    expect(await b.filterUnpushed(['shared-key'])).toEqual(['shared-key']);
    expect(await b.getCursor()).toBeUndefined();
    await b.markPushed(['b-key'], HOUR);
    // A purge by A, two hours on, deletes A's expired record and leaves B's alone: with the
    // clock back, B's key still reads as pushed, A's is gone.
    clock.advance(2 * HOUR);
    await a.purgeExpired();
    clock.advance(-2 * HOUR);
    expect(await b.filterUnpushed(['b-key'])).toEqual([]);
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
