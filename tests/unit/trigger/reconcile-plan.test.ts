import {
  AGE_OUT_MARGIN_MS,
  changedDuringSweep,
  classifyFlagged,
  FlaggedView,
  isSweepDue,
  lapsesAtMs,
  missingReason,
  originOf,
  PLAUSIBLE_WITHDRAWN_MIN,
  refreshBeforeMs,
  revocationHold,
  sweepWindow,
  withdrawalOf,
} from '../../../src/trigger/reconcile/plan';
import { DAY_MS, HOUR_MS } from '../../../src/clock';
import type { PushedRecord } from '../../../src/state/types';

const NOW = Date.UTC(2026, 11, 1, 0, 0, 0);

function record(fields: Partial<PushedRecord> = {}): PushedRecord {
  return {
    key: 'ipv4-addr.value|192.0.2.1',
    lapsesAtMs: NOW + 20 * DAY_MS,
    publishedAfterMs: NOW - DAY_MS,
    ...fields,
  };
}

function view(flagged: string[], events: string[] = []): FlaggedView {
  return { flags: (key) => flagged.includes(key), readEvent: (id) => events.includes(id) };
}

describe('the reconciliation plan', () => {
  describe('when a sweep is due', () => {
    it('runs the first sweep at once, then every reconcile_every_hours; 0 never', () => {
      expect(isSweepDue(NOW, {}, 24)).toBe(true);
      expect(isSweepDue(NOW, { lastSweepAtMs: NOW - 23 * HOUR_MS }, 24)).toBe(false);
      expect(isSweepDue(NOW, { lastSweepAtMs: NOW - 24 * HOUR_MS }, 24)).toBe(true);
      expect(isSweepDue(NOW, {}, 0)).toBe(false);
    });

    it('tries a failed sweep again after an hour, not at every cycle', () => {
      const failed = { lastSweepAtMs: NOW - 30 * HOUR_MS, lastAttemptAtMs: NOW - 59 * 60_000 };
      expect(isSweepDue(NOW, failed, 24)).toBe(false);
      expect(isSweepDue(NOW + 60_000, failed, 24)).toBe(true);
    });

    it('keeps where the history begins: the first window, earlier when publish_timestamp is raised', () => {
      expect(originOf({}, undefined, NOW, 1)).toBe(NOW - DAY_MS);
      expect(originOf({}, NOW - HOUR_MS, NOW, 2)).toBe(NOW - HOUR_MS - 2 * DAY_MS);
      expect(originOf({ originMs: NOW - 5 * DAY_MS }, NOW, NOW, 1)).toBe(NOW - 5 * DAY_MS);
      expect(originOf({ originMs: NOW - 5 * DAY_MS }, NOW, NOW, 60)).toBe(NOW - 60 * DAY_MS);
    });
  });

  describe('the window', () => {
    const horizon = NOW - 30 * DAY_MS;

    it('reads the catch-up horizon (30 days, or publish_timestamp when longer), never before the first window', () => {
      const origin = NOW - 100 * DAY_MS;
      expect(sweepWindow(NOW, origin, 1)).toEqual({
        startMs: horizon,
        endMs: NOW,
        revocableFromMs: horizon + AGE_OUT_MARGIN_MS,
      });
      expect(sweepWindow(NOW, origin, 60).startMs).toBe(NOW - 60 * DAY_MS);
      // A trigger started three days ago with publish_timestamp 1 never pushes older history; its
      // window does not move, so every value pushed since its start can be revoked.
      expect(sweepWindow(NOW, NOW - 3 * DAY_MS, 1)).toEqual({
        startMs: NOW - 3 * DAY_MS,
        endMs: NOW,
        revocableFromMs: NOW - 3 * DAY_MS,
      });
      expect(sweepWindow(NOW, undefined, 2).startMs).toBe(NOW - 2 * DAY_MS);
    });
  });

  describe('what is done with a flagged value', () => {
    it('pushes a value never pushed (or lapsed), refreshes one lapsing before the next sweep plus a margin', () => {
      const before = refreshBeforeMs(NOW, 24);
      // The next sweep in 24 h, and a margin of one more period: a failed sweep never lets one lapse.
      expect(before).toBe(NOW + 48 * HOUR_MS);
      expect(classifyFlagged(undefined, before)).toBe('missing');
      expect(classifyFlagged(NOW + 47 * HOUR_MS, before)).toBe('refresh');
      expect(classifyFlagged(NOW + 49 * HOUR_MS, before)).toBe('unchanged');
      // A short period still keeps a margin of 12 hours.
      expect(refreshBeforeMs(NOW, 1)).toBe(NOW + 13 * HOUR_MS);
      expect(refreshBeforeMs(NOW, 0)).toBe(NOW + 48 * HOUR_MS);
    });

    it("takes Sekoia.io's defaults without ioc_validity_days: 30 days for IPs, 6 months (taken as 180 days, the earlier end) for domains and URLs", () => {
      expect(lapsesAtMs(NOW, 'ipv4-addr.value', undefined)).toBe(NOW + 30 * DAY_MS);
      expect(lapsesAtMs(NOW, 'ipv6-addr.value', undefined)).toBe(NOW + 30 * DAY_MS);
      expect(lapsesAtMs(NOW, 'domain-name.value', undefined)).toBe(NOW + 180 * DAY_MS);
      expect(lapsesAtMs(NOW, 'url.value', undefined)).toBe(NOW + 180 * DAY_MS);
      expect(lapsesAtMs(NOW, 'file.hashes', undefined)).toBe(NOW + 30 * DAY_MS);
      expect(lapsesAtMs(NOW, 'domain-name.value', 7)).toBe(NOW + 7 * DAY_MS);
    });

    it('tells why a value was missed when its event was published inside a window a complete cycle read', () => {
      const origin = NOW - 10 * DAY_MS;
      const cursor = NOW - HOUR_MS;
      expect(missingReason(NOW - 2 * DAY_MS, origin, cursor)).toBe('eligible_after_publication');
      expect(missingReason(NOW - 30 * 60_000, origin, cursor)).toBe('unknown');
      expect(missingReason(NOW - 20 * DAY_MS, origin, cursor)).toBe('unknown');
      expect(missingReason(undefined, origin, cursor)).toBe('unknown');
    });
  });

  describe('what counts as withdrawn', () => {
    const window = sweepWindow(NOW, NOW - 100 * DAY_MS, 1);

    it('is a pushed value that no attribute flags any more, its event surely inside the window', () => {
      const pushed = record({ eventId: '12' });
      expect(withdrawalOf(pushed, view([pushed.key], ['12']), window)).toBeUndefined();
      expect(withdrawalOf(pushed, view([], ['12']), window)).toBe('attribute_withdrawn');
      expect(withdrawalOf(pushed, view([], ['13']), window)).toBe('event_withdrawn');
      expect(withdrawalOf(record(), view([]), window)).toBe('event_withdrawn');
    });

    it('never is a value whose event may have aged out of the window, or whose publish time is unknown', () => {
      const edge = record({ publishedAfterMs: window.startMs + AGE_OUT_MARGIN_MS - 1 });
      expect(window.revocableFromMs).toBe(window.startMs + AGE_OUT_MARGIN_MS);
      expect(withdrawalOf(edge, view([]), window)).toBeUndefined();
      expect(withdrawalOf(record({ publishedAfterMs: 0 }), view([]), window)).toBeUndefined();
      const inside = record({ publishedAfterMs: window.startMs + AGE_OUT_MARGIN_MS });
      expect(withdrawalOf(inside, view([]), window)).toBe('event_withdrawn');
    });
  });

  describe('when the MISP read is trusted to revoke', () => {
    const base = { readComplete: true, valuesRead: 5000, pushedInWindow: 5000, withdrawn: 10 };

    it('revokes after a complete read that leaves a plausible share withdrawn', () => {
      expect(revocationHold(base)).toBeUndefined();
      expect(revocationHold({ ...base, withdrawn: 0, valuesRead: 0 })).toBeUndefined();
      // A small window may lose most of its values: few, so believed.
      expect(revocationHold({ ...base, pushedInWindow: 50, withdrawn: 40, valuesRead: 10 })).toBeUndefined();
    });

    it('revokes nothing after a failed read, an empty one, or one leaving most values withdrawn', () => {
      expect(revocationHold({ ...base, readComplete: false })).toBe('misp_read_failed');
      expect(revocationHold({ ...base, valuesRead: 0, withdrawn: 3 })).toBe('misp_read_empty');
      const most = PLAUSIBLE_WITHDRAWN_MIN + 1;
      expect(revocationHold({ ...base, pushedInWindow: 2 * most - 1, withdrawn: most })).toBe(
        'mostly_withdrawn',
      );
      expect(revocationHold({ ...base, pushedInWindow: 2 * most, withdrawn: most })).toBeUndefined();
    });
  });
});

describe('changedDuringSweep (an event edited or republished while the sweep read MISP)', () => {
  const START_S = NOW / 1000;
  const before = { published: true, timestamp: START_S - 600, publishTimestamp: START_S - 300 };

  it('lets a gone, unpublished or unchanged event be revoked', () => {
    expect(changedDuringSweep(undefined, undefined, NOW)).toBe(false);
    expect(changedDuringSweep({ ...before, published: false, timestamp: START_S + 5 }, undefined, NOW)).toBe(
      false,
    );
    // Not listed by the read (left the window earlier), last changed before the sweep started.
    expect(changedDuringSweep(before, undefined, NOW)).toBe(false);
    // Listed by the read and still as listed, even when changed in the sweep's first second.
    const sameSecond = { ...before, timestamp: START_S, publishTimestamp: START_S };
    expect(changedDuringSweep(sameSecond, sameSecond, NOW + 400)).toBe(false);
  });

  it('holds a value whose event was republished or edited after the sweep started', () => {
    const republished = { ...before, publishTimestamp: START_S + 30 };
    expect(changedDuringSweep(republished, undefined, NOW)).toBe(true);
    expect(changedDuringSweep(republished, before, NOW)).toBe(true);
    const edited = { ...before, timestamp: START_S + 30 };
    expect(changedDuringSweep(edited, before, NOW)).toBe(true);
    // Changed in the sweep's start second and not as the read listed it: maybe after the start.
    expect(changedDuringSweep({ ...before, timestamp: START_S }, before, NOW + 999)).toBe(true);
  });

  it('believes a listing that moved only before the sweep started', () => {
    const seenEarlier = { timestamp: START_S - 900, publishTimestamp: START_S - 900 };
    expect(changedDuringSweep(before, seenEarlier, NOW)).toBe(false);
  });
});
