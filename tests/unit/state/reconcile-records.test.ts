import { openTriggerState } from '../../../src/state/open-state';
import type { SqliteTriggerState } from '../../../src/state/sqlite-state';
import { PUSHED_TABLE } from '../../../src/state/pushed-keys-sql';
import { FakeClock, NAMESPACE, OTHER_NAMESPACE, openRaw, tempDataPath } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The schema of a state file written by 1.0.1 (and, without the batch journal, by 1.0.0), as those
 * versions created it: frozen here, so that the upgrade is tested against the real old layout.
 */
const V1_0_1_SCHEMA = [
  'CREATE TABLE misp_ids_namespaces (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)',
  `CREATE TABLE misp_ids_pushed (
     ns INTEGER NOT NULL, k TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (ns, k)) WITHOUT ROWID`,
  'CREATE TABLE misp_ids_pushed_batches (ns INTEGER NOT NULL, expires INTEGER NOT NULL, keys TEXT NOT NULL)',
];

describe('the state, as the reconciliation sweep reads it', () => {
  let paths: ReturnType<typeof tempDataPath>;
  let clock: FakeClock;
  const opened: SqliteTriggerState[] = [];

  async function open(namespace = NAMESPACE): Promise<SqliteTriggerState> {
    const state = await openTriggerState({ dataPath: paths.dataPath, namespace, clock });
    opened.push(state);
    return state;
  }

  beforeEach(() => {
    paths = tempDataPath();
    clock = new FakeClock();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.close().catch(() => undefined)));
    paths.cleanup();
  });

  it('upgrades a 1.0.1 file (merged set, pending journal, cursor) losing nothing, in every namespace', async () => {
    const raw = openRaw(paths.filePath);
    try {
      for (const sql of V1_0_1_SCHEMA) await raw.query(sql);
      await raw.query(
        `INSERT INTO misp_ids_namespaces (id, name) VALUES (1, '${NAMESPACE}'), (2, '${OTHER_NAMESPACE}')`,
      );
      await raw.query(
        `INSERT INTO misp_ids_pushed VALUES (1, 'merged', ${clock.current + DAY}), (2, 'other', ${clock.current + DAY})`,
      );
      // A batch 1.0.1 journaled before it stopped: a JSON array of keys.
      await raw.query(
        `INSERT INTO misp_ids_pushed_batches VALUES (1, ${clock.current + 2 * DAY}, '["journaled","merged"]')`,
      );
      await raw.keyv.set('cursor', 1_768_470_000_000);
    } finally {
      await raw.close();
    }
    const state = await open();
    expect(await state.getCursor()).toBe(1_768_470_000_000);
    expect(await state.filterUnpushed(['merged', 'journaled', 'new'])).toEqual(['new']);
    // Unknown validity reads as the dedupe expiry (never later than the IOC in Sekoia.io); unknown
    // publish time as 0, which the sweep never revokes.
    expect(await state.listPushedRecords('', 10)).toEqual([
      { key: 'journaled', lapsesAtMs: clock.current + 2 * DAY, publishedAfterMs: 0 },
      { key: 'merged', lapsesAtMs: clock.current + 2 * DAY, publishedAfterMs: 0 },
    ]);
    expect(await state.readLapseTimes(['merged', 'never'])).toEqual(
      new Map([['merged', clock.current + 2 * DAY]]),
    );
    const other = await open(OTHER_NAMESPACE);
    expect(await other.filterUnpushed(['other', 'merged'])).toEqual(['merged']);
    expect(await state.getSweepMarks()).toEqual({});
  });

  it('keeps the validity, the publish bound and the MISP source of each pushed value, journaled or merged', async () => {
    const state = await open();
    const validUntilMs = clock.current + 30 * DAY;
    const publishedAfterMs = clock.current - HOUR;
    await state.markPushed(['a', 'b', 'c'], DAY, {
      validUntilMs,
      publishedAfterMs,
      sources: [
        { attributeUuid: 'uuid-a', eventId: '12', publishedAtMs: clock.current - 10 * 60_000 },
        undefined,
        { attributeUuid: 'uuid-c', eventId: '13' },
      ],
    });
    const expected = [
      {
        key: 'a',
        lapsesAtMs: validUntilMs,
        publishedAfterMs: clock.current - 10 * 60_000,
        attributeUuid: 'uuid-a',
        eventId: '12',
      },
      { key: 'b', lapsesAtMs: validUntilMs, publishedAfterMs },
      { key: 'c', lapsesAtMs: validUntilMs, publishedAfterMs, attributeUuid: 'uuid-c', eventId: '13' },
    ];
    // Journaled (not merged yet): the same answers.
    expect(await state.listPushedRecords('', 10)).toEqual(expected);
    expect(await state.readLapseTimes(['c', 'never'])).toEqual(new Map([['c', validUntilMs]]));
    await state.close();
    const reopened = await open();
    expect(await reopened.listPushedRecords('', 10)).toEqual(expected);
  });

  it('a later push renews the validity, keeps a known source and never moves the publish bound back', async () => {
    const state = await open();
    await state.markPushed(['v'], DAY, {
      validUntilMs: clock.current + DAY,
      publishedAfterMs: clock.current - HOUR,
      sources: [{ attributeUuid: 'uuid-v', eventId: '7' }],
    });
    await state.close();
    const next = await open();
    // A refresh by a wide read: later validity, an earlier (weaker) publish bound, no source.
    await next.markPushed(['v'], DAY, {
      validUntilMs: clock.current + 40 * DAY,
      publishedAfterMs: clock.current - 30 * DAY,
    });
    expect((await next.listPushedRecords('', 1))[0]).toEqual({
      key: 'v',
      lapsesAtMs: clock.current + 40 * DAY,
      publishedAfterMs: clock.current - HOUR,
      attributeUuid: 'uuid-v',
      eventId: '7',
    });
  });

  it('keeps a record whose dedupe expired while the IOC is valid in Sekoia.io, until it lapses there', async () => {
    const state = await open();
    await state.markPushed(['kept'], HOUR, {
      validUntilMs: clock.current + 3 * DAY,
      publishedAfterMs: clock.current,
    });
    await state.markPushed(['gone'], HOUR, {
      validUntilMs: clock.current + 2 * HOUR,
      publishedAfterMs: clock.current,
    });
    clock.advance(DAY + 3 * HOUR);
    await state.purgeExpired();
    // Seen again in MISP, it is pushed again (dedupe expired), and the sweep still knows it.
    expect(await state.filterUnpushed(['kept', 'gone'])).toEqual(['kept', 'gone']);
    expect([...(await state.readLapseTimes(['kept', 'gone'])).keys()]).toEqual(['kept']);
    const raw = openRaw(paths.filePath);
    try {
      expect(await raw.query(`SELECT k FROM ${PUSHED_TABLE}`)).toEqual([{ k: 'kept' }]);
    } finally {
      await raw.close();
    }
    clock.advance(3 * DAY);
    expect(await state.listPushedRecords('', 10)).toEqual([]);
  });

  it('lists the records valid in Sekoia.io in key order, page after page, this namespace only', async () => {
    const state = await open();
    const other = await open(OTHER_NAMESPACE);
    await other.markPushed(['b0'], DAY, { validUntilMs: clock.current + DAY, publishedAfterMs: 0 });
    await state.markPushed(['b3', 'b1', 'b2'], DAY, {
      validUntilMs: clock.current + DAY,
      publishedAfterMs: 5,
    });
    await state.markPushed(['b4'], HOUR, { validUntilMs: clock.current + HOUR, publishedAfterMs: 5 });
    clock.advance(2 * HOUR);
    const first = await state.listPushedRecords('', 2);
    expect(first.map((record) => record.key)).toEqual(['b1', 'b2']);
    expect((await state.listPushedRecords('b2', 2)).map((record) => record.key)).toEqual(['b3']);
  });

  it('forgets revoked values, journaled or merged: flagged again, they are pushed again', async () => {
    const state = await open();
    await state.markPushed(['merged', 'kept'], DAY);
    await state.close();
    const next = await open();
    await next.markPushed(['journaled'], DAY);
    await next.forgetPushed(['merged', 'journaled']);
    expect(await next.filterUnpushed(['merged', 'journaled', 'kept'])).toEqual(['merged', 'journaled']);
    expect([...(await next.readLapseTimes(['merged', 'journaled', 'kept'])).keys()]).toEqual(['kept']);
  });

  it('keeps the sweep marks, and reads a damaged one as absent (the sweep then runs)', async () => {
    const state = await open();
    await state.setSweepMarks({ lastSweepAtMs: 1000, originMs: 500 });
    await state.close();
    const next = await open();
    expect(await next.getSweepMarks()).toEqual({ lastSweepAtMs: 1000, originMs: 500 });
    const raw = openRaw(paths.filePath);
    await raw.keyv.set('reconciliation', { lastSweepAtMs: 'yesterday', originMs: 500 });
    await raw.close();
    expect(await next.getSweepMarks()).toEqual({ originMs: 500 });
  });
});
