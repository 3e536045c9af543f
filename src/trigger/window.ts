/** The time window a cycle reads, and how long pushed keys are remembered. Pure functions. */

import type { SekoiaFormat } from '../sekoia/types';
import { DAY_MS } from '../clock';

/** Read this much before the cursor: MISP's clock and ours may differ by a few minutes. */
export const CURSOR_OVERLAP_MS = 10 * 60_000;
/** After a long stop, read at most this many days back (unless the first-run window is longer). */
export const CATCH_UP_CAP_DAYS = 30;

export interface CycleWindow {
  /** Epoch ms, inclusive. */
  startMs: number;
  /** Epoch ms: the cycle's "now"; becomes the cursor when every batch was accepted. */
  endMs: number;
  /** Set when the catch-up cap cut the window: how many days the trigger had been stopped. */
  cappedAfterDays?: number;
  /** The cap applied, in days. */
  capDays: number;
  /**
   * Set when publish_timestamp was raised above the window read so far: this cycle reads the
   * larger window once. Holds the days read before (the configured days are the new window).
   */
  historyFromDays?: number;
}

/** The days of history a complete cycle has read: what the state remembers, at least what is configured now. */
export function appliedWindowAfter(appliedDays: number | undefined, publishDays: number): number {
  return Math.max(appliedDays ?? 0, publishDays);
}

/**
 * First run (no cursor): the last `publishDays` days. Later runs: from the cursor minus the
 * overlap, never earlier than the cap. The cap is 30 days, or the first-run window when that is
 * longer: a later run never reads less than a first run would. History on demand: when
 * `publishDays` is larger than the window read so far (`appliedDays`; unknown in a state from
 * before 1.1.0, then taken as `publishDays`), the last `publishDays` days are read once more.
 */
export function computeWindow(
  nowMs: number,
  cursorMs: number | undefined,
  publishDays: number,
  appliedDays?: number,
): CycleWindow {
  const capDays = Math.max(CATCH_UP_CAP_DAYS, publishDays);
  const history = nowMs - publishDays * DAY_MS;
  if (cursorMs === undefined) return { startMs: history, endMs: nowMs, capDays };
  const earliest = nowMs - capDays * DAY_MS;
  const wanted = Math.min(cursorMs - CURSOR_OVERLAP_MS, nowMs);
  const window: CycleWindow =
    wanted >= earliest
      ? { startMs: wanted, endMs: nowMs, capDays }
      : {
          startMs: earliest,
          endMs: nowMs,
          capDays,
          cappedAfterDays: Math.floor((nowMs - cursorMs) / DAY_MS),
        };
  if (appliedDays === undefined || publishDays <= appliedDays || window.startMs <= history) return window;
  return { startMs: history, endMs: nowMs, capDays, historyFromDays: appliedDays };
}

/** The info line of a cycle that reads a raised publish_timestamp's history, else undefined. */
export function historyNotice(window: CycleWindow, publishDays: number): string | undefined {
  if (window.historyFromDays === undefined) return undefined;
  return (
    `publish_timestamp was raised from ${window.historyFromDays} to ${publishDays} days: this cycle reads ` +
    `the events published since ${formatUtcMinute(window.startMs)} UTC once (values already pushed are ` +
    'skipped), then the trigger goes on from where it stopped.'
  );
}

/** The warning to log when the cap cut the window, else undefined. */
export function catchUpWarning(window: CycleWindow): string | undefined {
  if (window.cappedAfterDays === undefined) return undefined;
  return (
    `The trigger was stopped ${window.cappedAfterDays} days; only the last ${window.capDays} days are read ` +
    `(events published since ${formatUtcMinute(window.startMs)} UTC). IOCs of events published before that ` +
    `are not pushed: to read them, raise publish_timestamp above ${window.capDays} days (up to 365); the next ` +
    'cycle reads that history once.'
  );
}

/** MISP takes epoch seconds. */
export function toEpochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Sekoia.io's validity of an IOC pushed without valid_until, in days, by format: 30 days for IP
 * addresses, 6 months for domains and URLs (Sekoia's blocklist documentation; taken as 180 days,
 * never more). None is documented for hashes and e-mail addresses: the shortest documented one (30
 * days) is assumed, so that an IOC is never taken as still in the collection when it may have expired.
 */
export const SEKOIA_DEFAULT_VALIDITY_DAYS: Readonly<Record<SekoiaFormat, number>> = {
  'ipv4-addr.value': 30,
  'ipv6-addr.value': 30,
  'domain-name.value': 180,
  'url.value': 180,
  'file.hashes': 30,
  'email-addr.value': 30,
};

/**
 * How long a pushed key is remembered, i.e. after how long an IOC seen again (its event published
 * again) is pushed again: half of its validity in Sekoia.io (at least one day), that of
 * ioc_validity_days when set, else Sekoia.io's default for its type. The key never outlives the IOC
 * in the collection: an IOC that Sekoia.io expired and that MISP publishes again is pushed again,
 * with at least half its validity still ahead of it when it was pushed again in time.
 */
export function pushedKeyTtlMs(format: SekoiaFormat, iocValidityDays: number | undefined): number {
  const validityDays = iocValidityDays ?? SEKOIA_DEFAULT_VALIDITY_DAYS[format];
  return Math.max(DAY_MS, Math.floor((validityDays * DAY_MS) / 2));
}

/** What the start-up line says of the validity Sekoia.io gives the IOCs. */
export function validityDescription(iocValidityDays: number | undefined): string {
  if (iocValidityDays !== undefined) return `valid ${iocValidityDays} days (valid_until sent)`;
  return (
    "valid as Sekoia.io's defaults set them (no valid_until sent): 30 days for IP addresses, 6 months for " +
    'domains and URLs, its own default for hashes and e-mail addresses'
  );
}

/** valid_until for Sekoia.io: now + validity, ISO 8601 UTC without milliseconds; undefined without validity. */
export function validUntilOf(nowMs: number, iocValidityDays: number | undefined): string | undefined {
  if (iocValidityDays === undefined) return undefined;
  return toIsoSeconds(nowMs + iocValidityDays * DAY_MS);
}

/** 2026-11-28T08:00:00Z */
export function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 2026-11-28 08:00 (UTC), for log lines. */
export function formatUtcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
