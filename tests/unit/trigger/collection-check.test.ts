import type { IndicatorListPage, SekoiaIndicator } from '../../../src/sekoia/indicators';
import { formatOfPattern } from '../../../src/sekoia/indicators';
import type { PushedRecord, PushRecord } from '../../../src/state/types';
import {
  absentKeys,
  CHECK_LOOKUPS_MAX,
  checkCollection,
  classifyListed,
  emptyCheckCounts,
  isCheckDue,
  listedOf,
  refreshChanges,
  type CheckInput,
} from '../../../src/trigger/reconcile/collection-check';

const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-12-08T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function indicator(value: string, fields: Partial<SekoiaIndicator> = {}): SekoiaIndicator {
  return {
    id: `indicator--${value.replace(/[^a-z0-9]/gi, '')}`,
    value,
    pattern: `[ipv4-addr:value = '${value}']`,
    revoked: false,
    validUntil: iso(NOW + 30 * DAY_MS),
    ...fields,
  };
}

describe('the collection check, as plain functions', () => {
  it('reads the format from the STIX pattern', () => {
    expect(formatOfPattern("[ipv4-addr:value = '1.2.3.4']")).toBe('ipv4-addr.value');
    expect(formatOfPattern("[file:hashes.'SHA-256' = 'ab']")).toBe('file.hashes');
    expect(formatOfPattern("[domain-name:value = 'a.example']")).toBe('domain-name.value');
    expect(formatOfPattern("[x509-certificate:hashes.'SHA-1' = 'ab']")).toBeUndefined();
    // Another property of a known object type is not that format: a file's name is no hash.
    expect(formatOfPattern("[file:name = 'a.exe']")).toBeUndefined();
    expect(formatOfPattern("[domain-name:resolves_to_refs = 'x']")).toBeUndefined();
    expect(formatOfPattern('not a pattern')).toBeUndefined();
  });

  it('refreshes what MISP flags and lapses before the horizon, counts revoked ones, leaves the rest', () => {
    const flags = (key: string) => key !== 'ipv4-addr.value|198.51.100.9';
    const before = NOW + 2 * DAY_MS;
    const soon = listedOf(indicator('198.51.100.1', { validUntil: iso(NOW + DAY_MS) }));
    expect(soon).toMatchObject({ key: 'ipv4-addr.value|198.51.100.1', format: 'ipv4-addr.value' });
    expect(classifyListed(soon, flags, before)).toBe('refresh');
    const lapsed = listedOf(indicator('198.51.100.2', { validUntil: iso(NOW - DAY_MS) }));
    expect(classifyListed(lapsed, flags, before)).toBe('refresh');
    expect(classifyListed(listedOf(indicator('198.51.100.3')), flags, before)).toBe('held');
    expect(classifyListed(listedOf(indicator('198.51.100.4', { revoked: true })), flags, before)).toBe(
      'revoked_flagged',
    );
    const withdrawn = listedOf(indicator('198.51.100.9', { validUntil: iso(NOW) }));
    expect(classifyListed(withdrawn, flags, before)).toBe('not_flagged');
    const noValidity = listedOf(indicator('198.51.100.5', { validUntil: undefined }));
    expect(classifyListed(noValidity, flags, before)).toBe('held');
  });

  it('is due when forced, when values wait for a refresh, or a period after the last complete check', () => {
    const base = { nowMs: NOW, everyHours: 24, forced: false, refreshDue: 0 };
    expect(isCheckDue({ ...base, lastCheckAtMs: undefined })).toBe(true);
    expect(isCheckDue({ ...base, lastCheckAtMs: NOW - DAY_MS + 1 })).toBe(false);
    expect(isCheckDue({ ...base, lastCheckAtMs: NOW - DAY_MS })).toBe(true);
    expect(isCheckDue({ ...base, lastCheckAtMs: NOW, forced: true })).toBe(true);
    expect(isCheckDue({ ...base, lastCheckAtMs: NOW, refreshDue: 1 })).toBe(true);
    expect(isCheckDue({ ...base, lastCheckAtMs: undefined, everyHours: 0 })).toBe(false);
  });

  it("a refresh sends the validity a push now would send (ioc_validity_days, else Sekoia.io's default)", () => {
    expect(refreshChanges(NOW, 'ipv4-addr.value', 7)).toEqual({ validUntil: iso(NOW + 7 * DAY_MS) });
    expect(refreshChanges(NOW, 'ipv4-addr.value', undefined)).toEqual({ validUntil: iso(NOW + 30 * DAY_MS) });
  });

  it('absent: recorded as pushed, flagged, not seen', () => {
    const record = (key: string): PushedRecord => ({ key, lapsesAtMs: NOW + DAY_MS, publishedAfterMs: 0 });
    const records = ['a|1', 'a|2', 'a|3'].map(record);
    expect(
      absentKeys(
        records,
        (key) => key !== 'a|3',
        (key) => key === 'a|1',
      ),
    ).toEqual(['a|2']);
  });
});

/** A collection of indicators served 100 a page, and a state of records, all in memory. */
function world(indicators: SekoiaIndicator[], recordKeys: string[], flagged: (key: string) => boolean) {
  const edits: Array<[string, string | undefined]> = [];
  const pushed: string[] = [];
  const marked: Array<[string, PushRecord]> = [];
  const lookups: string[] = [];
  let beforePage: ((offset: number) => void) | undefined;
  const input: CheckInput = {
    async listPage(offset): Promise<IndicatorListPage> {
      beforePage?.(offset);
      const items = indicators.slice(offset, offset + 100);
      return {
        items,
        total: indicators.length,
        read: items.length,
        hasMore: offset + 100 < indicators.length,
      };
    },
    async lookup(value) {
      lookups.push(value);
      return indicators.filter((item) => item.value === value);
    },
    async edit(id, changes) {
      edits.push([id, changes.validUntil]);
      const found = indicators.find((item) => item.id === id);
      if (found) found.validUntil = changes.validUntil;
      return found;
    },
    async records(afterKey, limit) {
      return [...recordKeys]
        .sort()
        .filter((key) => key > afterKey)
        .slice(0, limit)
        .map((key) => ({ key, lapsesAtMs: NOW + DAY_MS, publishedAfterMs: 0 }));
    },
    async markRefreshed(key, _format, record) {
      marked.push([key, record]);
    },
    async pushAgain(iocs) {
      pushed.push(...iocs.map(([key]) => key));
    },
    flags: flagged,
    pushedNow: () => false,
    refreshBefore: NOW + 2 * DAY_MS,
    nowMs: NOW,
    iocValidityDays: 10,
    dryRun: false,
    signal: new AbortController().signal,
  };
  return {
    input,
    edits,
    pushed,
    marked,
    lookups,
    onPage: (hook: (offset: number) => void) => (beforePage = hook),
  };
}

const ip = (i: number) => `10.0.${Math.floor(i / 250)}.${i % 250}`;
const keyOf = (value: string) => `ipv4-addr.value|${value}`;

describe('checkCollection', () => {
  it('refreshes by PUT what lapses, records the new lapse date, pushes again what is absent', async () => {
    const held = Array.from({ length: 250 }, (_, i) =>
      indicator(ip(i), i % 50 === 0 ? { validUntil: iso(NOW + DAY_MS) } : {}),
    );
    const absent = [ip(900), ip(901)];
    const w = world(held, [...held.map((item) => keyOf(item.value)), ...absent.map(keyOf)], () => true);
    const counts = emptyCheckCounts();
    await checkCollection(w.input, counts);
    expect(counts).toEqual({
      listed: 250,
      refreshed: 5,
      absentPushed: 2,
      revokedFlagged: 0,
      lookedUp: 2,
      changedDuringListing: false,
      complete: true,
    });
    expect(w.edits).toEqual(
      [0, 50, 100, 150, 200].map((i) => [held[i].id, iso(NOW + 10 * DAY_MS)] as [string, string]),
    );
    expect(w.marked[0]).toEqual([keyOf(ip(0)), { validUntilMs: NOW + 10 * DAY_MS, publishedAfterMs: 0 }]);
    expect(w.pushed.sort()).toEqual(absent.map(keyOf).sort());
  });

  it('stays exact when an indicator is deleted during the listing: the skipped one is looked up, then refreshed', async () => {
    const held = Array.from({ length: 150 }, (_, i) =>
      indicator(ip(i), i === 100 ? { validUntil: iso(NOW + DAY_MS) } : {}),
    );
    const lapsing = held[100];
    const w = world(
      held,
      held.map((item) => keyOf(item.value)),
      () => true,
    );
    // Between the two pages, someone deletes the first indicator: every offset shifts by one.
    w.onPage((offset) => {
      if (offset === 100) held.splice(0, 1);
    });
    const counts = emptyCheckCounts();
    await checkCollection(w.input, counts);
    // ip(100) moved to offset 99, read by no page: looked up, found, refreshed.
    expect(w.lookups).toEqual([ip(100)]);
    expect(w.edits).toEqual([[lapsing.id, iso(NOW + 10 * DAY_MS)]]);
    // ip(0) was listed before it went: nothing is pushed again.
    expect(counts).toMatchObject({ changedDuringListing: true, listed: 149, refreshed: 1, absentPushed: 0 });
    expect(w.pushed).toEqual([]);
  });

  it('looks up at most CHECK_LOOKUPS_MAX values; beyond, pushes again without one (harmless)', async () => {
    const recorded = Array.from({ length: CHECK_LOOKUPS_MAX + 10 }, (_, i) => keyOf(ip(i)));
    const w = world([], recorded, () => true);
    const counts = emptyCheckCounts();
    await checkCollection(w.input, counts);
    expect(w.lookups).toHaveLength(CHECK_LOOKUPS_MAX);
    expect(counts.absentPushed).toBe(CHECK_LOOKUPS_MAX + 10);
  });

  it('leaves what MISP does not flag, and counts revoked values MISP flags', async () => {
    const items = [indicator(ip(1), { validUntil: iso(NOW) }), indicator(ip(2), { revoked: true })];
    const w = world(items, [keyOf(ip(3))], (key) => key !== keyOf(ip(1)) && key !== keyOf(ip(3)));
    const counts = emptyCheckCounts();
    await checkCollection(w.input, counts);
    expect(w.edits).toEqual([]);
    expect(w.pushed).toEqual([]);
    expect(counts).toMatchObject({ listed: 2, refreshed: 0, revokedFlagged: 1, absentPushed: 0 });
  });

  it('in a dry run, counts what it would do and changes nothing', async () => {
    const w = world([indicator(ip(1), { validUntil: iso(NOW) })], [keyOf(ip(1)), keyOf(ip(2))], () => true);
    w.input.dryRun = true;
    const counts = emptyCheckCounts();
    await checkCollection(w.input, counts);
    expect(counts).toMatchObject({ refreshed: 1, absentPushed: 1 });
    expect(w.edits).toEqual([]);
    expect(w.pushed).toEqual([]);
    expect(w.marked).toEqual([]);
  });
});
