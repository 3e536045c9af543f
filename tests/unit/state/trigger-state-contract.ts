import type { TriggerState } from '../../../src/state/types';
import { FakeClock } from '../../helpers/fake-clock';

const HOUR = 3_600_000;

/** One TriggerState implementation as the contract suite drives it. */
export interface StateImplementation {
  name: string;
  /** A fresh, empty state on `clock`; `reopen()` opens the same storage again after close(). */
  open(clock: FakeClock): Promise<{ state: TriggerState; reopen?: () => Promise<TriggerState> }>;
  /** Removes what open() created. */
  cleanup?(): Promise<void> | void;
}

/**
 * What every TriggerState must do, whatever keeps it (memory, SQLite, S3...): one suite, run by
 * contract.test.ts against each implementation, as keyv's test-suite does for its adapters.
 * Implementations that keep nothing across a close (reopen undefined) skip only that part.
 */
export function describeTriggerStateContract(implementation: StateImplementation): void {
  describe(`TriggerState contract: ${implementation.name}`, () => {
    let clock: FakeClock;
    let state: TriggerState;
    let reopen: (() => Promise<TriggerState>) | undefined;
    const opened: TriggerState[] = [];

    beforeEach(async () => {
      clock = new FakeClock(Date.parse('2026-01-15T10:00:00Z'));
      ({ state, reopen } = await implementation.open(clock));
      opened.push(state);
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((each) => each.close()));
      await implementation.cleanup?.();
    });

    it('starts empty: no cursor, nothing pushed, empty input gives empty output', async () => {
      expect(await state.getCursor()).toBeUndefined();
      expect(await state.filterUnpushed(['a', 'b'])).toEqual(['a', 'b']);
      const keys = ['b', 'a', 'b'];
      const answer = await state.filterUnpushed(keys);
      expect(answer).toEqual(['b', 'a', 'b']);
      expect(answer).not.toBe(keys);
      expect(await state.filterUnpushed([])).toEqual([]);
      await expect(state.markPushed([], HOUR)).resolves.toBeUndefined();
    });

    it('filters out pushed keys, keeping the input order and its duplicates', async () => {
      await state.markPushed(['url.value|http://b.example/', 'ipv6-addr.value|2001:db8::1'], HOUR);
      const keys = [
        'ipv4-addr.value|1.2.3.4',
        'url.value|http://b.example/',
        'domain-name.value|a.example',
        'ipv4-addr.value|1.2.3.4',
        'ipv6-addr.value|2001:db8::1',
      ];
      expect(await state.filterUnpushed(keys)).toEqual([
        'ipv4-addr.value|1.2.3.4',
        'domain-name.value|a.example',
        'ipv4-addr.value|1.2.3.4',
      ]);
    });

    it('handles keys with quotes, unicode, SQL and LIKE characters as plain text', async () => {
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

    it('expires pushed keys after the TTL, by the injected clock, and a new push renews them', async () => {
      await state.markPushed(['k1', 'k2'], HOUR);
      clock.advance(HOUR - 1);
      expect(await state.filterUnpushed(['k1', 'k2'])).toEqual([]);
      await state.markPushed(['k2'], HOUR);
      clock.advance(1);
      expect(await state.filterUnpushed(['k1', 'k2'])).toEqual(['k1']);
      clock.advance(HOUR);
      expect(await state.filterUnpushed(['k1', 'k2'])).toEqual(['k1', 'k2']);
    });

    it('answers by the latest mark of a key: a shorter TTL pushed later wins', async () => {
      await state.markPushed(['k'], 10 * HOUR);
      await state.markPushed(['k'], HOUR);
      clock.advance(2 * HOUR);
      expect(await state.filterUnpushed(['k'])).toEqual(['k']);
    });

    it('keeps the cursor, and refuses a TTL or a cursor that is not a positive time', async () => {
      await state.setCursor(1_768_470_000_000);
      expect(await state.getCursor()).toBe(1_768_470_000_000);
      await expect(state.markPushed(['k'], 0)).rejects.toThrow(RangeError);
      await expect(state.markPushed(['k'], Number.NaN)).rejects.toThrow(/TTL/);
      await expect(state.setCursor(Number.POSITIVE_INFINITY)).rejects.toThrow(/Cursor/);
      await expect(state.setCursor(-1)).rejects.toThrow(RangeError);
      expect(await state.getCursor()).toBe(1_768_470_000_000);
    });

    it('runs operations one at a time, in call order: a read called after a mark sees it', async () => {
      // Neither call is awaited before the next: the cycle reads a page's keys while the previous
      // page's batch is being marked, and relies on this order.
      const marked = state.markPushed(['k1'], HOUR);
      const read = state.filterUnpushed(['k1', 'k2']);
      const cursorSet = state.setCursor(1000);
      const cursor = state.getCursor();
      await marked;
      await cursorSet;
      expect(await read).toEqual(['k2']);
      expect(await cursor).toBe(1000);
    });

    it('keeps pushed keys and the cursor across close and reopen (when it keeps anything)', async () => {
      if (!reopen) {
        // Nothing kept across a close, by design (memory): the test states it instead of skipping.
        expect(implementation.name).toMatch(/memory/);
        return;
      }
      await state.markPushed(['ipv4-addr.value|1.2.3.4'], HOUR);
      await state.setCursor(1_768_470_000_000);
      await state.close();
      const again = await reopen();
      opened.push(again);
      expect(await again.getCursor()).toBe(1_768_470_000_000);
      expect(await again.filterUnpushed(['ipv4-addr.value|1.2.3.4', 'ipv4-addr.value|5.6.7.8'])).toEqual([
        'ipv4-addr.value|5.6.7.8',
      ]);
    });

    it('remembers the window applied (unknown in a fresh state), across close and reopen when it keeps anything', async () => {
      expect(await state.getAppliedWindowDays()).toBeUndefined();
      await state.setAppliedWindowDays(7);
      expect(await state.getAppliedWindowDays()).toBe(7);
      if (!reopen) return;
      await state.close();
      const again = await reopen();
      opened.push(again);
      expect(await again.getAppliedWindowDays()).toBe(7);
    });

    // ---- Reconciliation (docs/architecture.md#the-reconciliation-sweep) ----
    it('keeps what the reconciliation needs: when each value lapses, its publish bound and its MISP source', async () => {
      const now = clock.now();
      await state.markPushed(['ipv4-addr.value|1.2.3.4', 'domain-name.value|a.example'], HOUR, {
        validUntilMs: now + 30 * 24 * HOUR,
        publishedAfterMs: now - HOUR,
        sources: [{ attributeUuid: 'uuid-1', eventId: '12' }, undefined],
      });
      expect(await state.readLapseTimes(['ipv4-addr.value|1.2.3.4', 'url.value|never'])).toEqual(
        new Map([['ipv4-addr.value|1.2.3.4', now + 30 * 24 * HOUR]]),
      );
      expect(await state.listPushedRecords('', 10)).toEqual([
        {
          key: 'domain-name.value|a.example',
          lapsesAtMs: now + 30 * 24 * HOUR,
          publishedAfterMs: now - HOUR,
        },
        {
          key: 'ipv4-addr.value|1.2.3.4',
          lapsesAtMs: now + 30 * 24 * HOUR,
          publishedAfterMs: now - HOUR,
          attributeUuid: 'uuid-1',
          eventId: '12',
        },
      ]);
      // Past its dedupe expiry but valid in Sekoia.io: pushed again if seen, still known to the sweep.
      clock.advance(2 * HOUR);
      expect(await state.filterUnpushed(['ipv4-addr.value|1.2.3.4'])).toEqual(['ipv4-addr.value|1.2.3.4']);
      expect((await state.listPushedRecords('', 10)).map((record) => record.key)).toHaveLength(2);
    });

    it('forgets revoked values: flagged again, they are pushed again', async () => {
      await state.markPushed(['ipv4-addr.value|1.2.3.4', 'ipv4-addr.value|5.6.7.8'], HOUR);
      await state.forgetPushed(['ipv4-addr.value|1.2.3.4']);
      expect(await state.filterUnpushed(['ipv4-addr.value|1.2.3.4', 'ipv4-addr.value|5.6.7.8'])).toEqual([
        'ipv4-addr.value|1.2.3.4',
      ]);
      expect((await state.listPushedRecords('', 10)).map((record) => record.key)).toEqual([
        'ipv4-addr.value|5.6.7.8',
      ]);
    });

    it('keeps the sweep marks (none in a fresh state), across close and reopen when it keeps anything', async () => {
      expect(await state.getSweepMarks()).toEqual({});
      await state.setSweepMarks({ lastSweepAtMs: 1000, lastAttemptAtMs: 1000, originMs: 500 });
      expect(await state.getSweepMarks()).toEqual({
        lastSweepAtMs: 1000,
        lastAttemptAtMs: 1000,
        originMs: 500,
      });
      if (!reopen) return;
      await state.close();
      const again = await reopen();
      opened.push(again);
      expect(await again.getSweepMarks()).toEqual({
        lastSweepAtMs: 1000,
        lastAttemptAtMs: 1000,
        originMs: 500,
      });
    });

    it('remembers the MISP events read whole, in input order, until their records expire', async () => {
      // Across a restart too for SQLite (tests/unit/state/events-read.test.ts); the S3 state keeps
      // them in its local copy only: after a restore they are read again, nothing pushed twice.
      expect(await state.filterUnreadEvents(['a@1@1', 'b@1@1'])).toEqual(['a@1@1', 'b@1@1']);
      await state.markEventsRead(['b@1@1'], HOUR);
      expect(await state.filterUnreadEvents(['b@1@1', 'c@1@1', 'a@1@1'])).toEqual(['c@1@1', 'a@1@1']);
      clock.advance(HOUR);
      expect(await state.filterUnreadEvents(['b@1@1'])).toEqual(['b@1@1']);
    });
  });
}
