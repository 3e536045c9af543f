/**
 * The reconciliation sweep's decisions (docs/user-guide.md, Reconciliation), as plain functions: when a sweep is due, which
 * window it reads, what to do with each value MISP flags (push it, refresh it, leave it), which
 * pushed values MISP withdrew, and when the MISP read is not to be trusted for revocations.
 */
import type { KeyedBatch } from '../../pipeline/types';
import type { SekoiaFormat } from '../../sekoia/types';
import type { PushedRecord, PushRecord, SweepMarks } from '../../state/types';
import { DAY_MS, HOUR_MS } from '../../clock';
import { CATCH_UP_CAP_DAYS, SEKOIA_DEFAULT_VALIDITY_DAYS } from '../window';

/** Revocations per sweep at most; the rest waits for the next sweep (logged when reached). */
export const REVOCATION_BUDGET = 1000;

/**
 * A value is a revocation candidate only when its event was published this long after the moving
 * start of the sweep's window (now minus the horizon): an event published near that edge may age
 * out between two reads.
 */
export const AGE_OUT_MARGIN_MS = DAY_MS;

/** Refresh at least this far ahead of the next sweep: one failed sweep never lets an IOC lapse. */
export const MIN_REFRESH_MARGIN_MS = 12 * HOUR_MS;

/** Below this many withdrawn values, a large share withdrawn is still believed (small windows). */
export const PLAUSIBLE_WITHDRAWN_MIN = 100;

/** When an IOC pushed at `nowMs` lapses in Sekoia.io: ioc_validity_days, else Sekoia's default. */
export function lapsesAtMs(nowMs: number, format: SekoiaFormat, iocValidityDays: number | undefined): number {
  return nowMs + (iocValidityDays ?? SEKOIA_DEFAULT_VALIDITY_DAYS[format]) * DAY_MS;
}

/** A sweep whose read failed is tried again after this long (or the period, when shorter). */
export const SWEEP_RETRY_MS = HOUR_MS;

/**
 * True when a sweep is due: `everyHours` > 0, as long since the last complete one (or none yet),
 * and, after a failed one, SWEEP_RETRY_MS since (a MISP outage is not read in full every cycle).
 */
export function isSweepDue(nowMs: number, marks: SweepMarks, everyHours: number): boolean {
  if (everyHours <= 0) return false;
  const periodMs = everyHours * HOUR_MS;
  if (marks.lastSweepAtMs !== undefined && nowMs - marks.lastSweepAtMs < periodMs) return false;
  const retryMs = Math.min(periodMs, SWEEP_RETRY_MS);
  return marks.lastAttemptAtMs === undefined || nowMs - marks.lastAttemptAtMs >= retryMs;
}

/**
 * Where the trigger's history begins: the first window it read, or earlier once publish_timestamp
 * is raised (the user then asks for more history). For a state file of 1.0.x, whose first window
 * is unknown, publish_timestamp days before the cursor (later than the truth: never too early).
 */
export function originOf(
  marks: SweepMarks,
  cursorMs: number | undefined,
  nowMs: number,
  publishDays: number,
): number {
  const asked = (cursorMs ?? nowMs) - publishDays * DAY_MS;
  return marks.originMs === undefined ? asked : Math.min(marks.originMs, asked);
}

/**
 * Refresh what lapses before this time: the next sweep's time plus a margin of one more period
 * (at least MIN_REFRESH_MARGIN_MS), so that a failed sweep still leaves the next one in time.
 * A one-off run (`everyHours` 0) refreshes what lapses within a day and the margin.
 */
export function refreshBeforeMs(nowMs: number, everyHours: number): number {
  const periodMs = (everyHours > 0 ? everyHours : 24) * HOUR_MS;
  return nowMs + periodMs + Math.max(periodMs, MIN_REFRESH_MARGIN_MS);
}

export interface SweepWindow {
  startMs: number;
  endMs: number;
  /**
   * A value whose event was published at or after this time is surely inside the window, now and
   * when it was pushed: the start, or AGE_OUT_MARGIN_MS later when the start is the moving horizon.
   */
  revocableFromMs: number;
}

/**
 * The events a sweep reads: those published in the window the trigger keeps, i.e. the catch-up
 * horizon (30 days, or publish_timestamp when longer), never before the first window it read
 * (`originMs`): the sweep does not push history the user never asked for.
 */
export function sweepWindow(nowMs: number, originMs: number | undefined, publishDays: number): SweepWindow {
  const horizonStart = nowMs - Math.max(publishDays, CATCH_UP_CAP_DAYS) * DAY_MS;
  const origin = originMs ?? nowMs - publishDays * DAY_MS;
  const startMs = Math.min(nowMs, Math.max(horizonStart, origin));
  return { startMs, endMs: nowMs, revocableFromMs: Math.max(startMs, horizonStart + AGE_OUT_MARGIN_MS) };
}

/** What the sweep does with a value MISP flags in its window. */
export type FlaggedAction = 'missing' | 'refresh' | 'unchanged';

/** `lapsesAtMs`: when the value lapses in Sekoia.io (undefined: never pushed, or lapsed already). */
export function classifyFlagged(lapsesAtMs: number | undefined, refreshBefore: number): FlaggedAction {
  if (lapsesAtMs === undefined) return 'missing';
  return lapsesAtMs < refreshBefore ? 'refresh' : 'unchanged';
}

/** Why a missing value was missed, when the sweep can tell. */
export type MissingReason = 'eligible_after_publication' | 'unknown';

/**
 * A value whose event was published inside a window a complete cycle read (before `cursorMs`)
 * was not IDS-flagged, published, or free of warninglists and excluded tags then: it became
 * eligible later without its event being published again. Otherwise the sweep cannot tell.
 */
export function missingReason(
  publishedAtMs: number | undefined,
  originMs: number | undefined,
  cursorMs: number | undefined,
): MissingReason {
  if (publishedAtMs === undefined || originMs === undefined || cursorMs === undefined) return 'unknown';
  return publishedAtMs >= originMs && publishedAtMs < cursorMs ? 'eligible_after_publication' : 'unknown';
}

/** Why a pushed value counts as withdrawn from MISP. */
export type WithdrawalReason =
  /** Its event is read, but no attribute of it (or of any event) flags the value any more. */
  | 'attribute_withdrawn'
  /** Its event is not read: unpublished, deleted, or none of its attributes is flagged any more. */
  | 'event_withdrawn';

/** What the sweep's MISP read showed. */
export interface FlaggedView {
  /** True when some attribute in the window flags the value (its key). */
  flags(key: string): boolean;
  /** True when the read returned a flagged attribute of this event. */
  readEvent(eventId: string): boolean;
}

/**
 * Why `record` is withdrawn, or undefined when it is not: still flagged, or its event may have
 * aged out of the window (published before `window.revocableFromMs`, or when, unknown): that is
 * expiry's business, never revocation's.
 */
export function withdrawalOf(
  record: PushedRecord,
  view: FlaggedView,
  window: SweepWindow,
): WithdrawalReason | undefined {
  if (view.flags(record.key)) return undefined;
  if (record.publishedAfterMs < window.revocableFromMs) return undefined;
  return record.eventId !== undefined && view.readEvent(record.eventId)
    ? 'attribute_withdrawn'
    : 'event_withdrawn';
}

/** An event's change marks (epoch seconds), as a listing shows them. */
export interface EventStamp {
  timestamp: number;
  publishTimestamp: number;
}

/**
 * Whether a withdrawn value's event may have changed while the sweep read MISP, so that the read
 * may have missed its values: `now` is the event as listed again after the read (undefined: gone),
 * `seen` as the read listed it (undefined: the read did not list it). A gone or unpublished event
 * is withdrawn; one the read listed as it stands now was read as it stands. Otherwise an event
 * changed or published at or after the sweep's start second (MISP keeps seconds) is left to the
 * next sweep: revocation cannot be undone.
 */
export function changedDuringSweep(
  now: (EventStamp & { published: boolean }) | undefined,
  seen: EventStamp | undefined,
  sweepStartMs: number,
): boolean {
  if (now === undefined || !now.published) return false;
  if (seen && seen.timestamp === now.timestamp && seen.publishTimestamp === now.publishTimestamp)
    return false;
  const startSeconds = Math.floor(sweepStartMs / 1000);
  return now.timestamp >= startSeconds || now.publishTimestamp >= startSeconds;
}

/** Why a sweep revokes nothing although values look withdrawn. */
export type RevocationHold = 'misp_read_failed' | 'misp_read_empty' | 'mostly_withdrawn';

export interface RevocationCheck {
  /** The MISP read went to the end of the window. */
  readComplete: boolean;
  /** Flagged values the read returned (before deduplication against the state). */
  valuesRead: number;
  /** Values this trigger pushed whose event was surely inside the window (revocable if withdrawn). */
  pushedInWindow: number;
  /** Of those, the ones the read did not flag. */
  withdrawn: number;
}

/**
 * Whether the read can be trusted to revoke. A read that failed, or that returned no flagged
 * value at all while this trigger pushed values inside the window, or that leaves more than half
 * of them withdrawn (and more than PLAUSIBLE_WITHDRAWN_MIN), is "implausibly empty": a key that
 * lost access to an organisation or a sharing group, a tag filter or an Allowedlist change, a
 * proxy answering an empty list, or a MISP restored from an old backup all look like that, and
 * are far likelier than analysts withdrawing most of a month's IOCs in a day. Such a sweep
 * revokes nothing; what was really withdrawn still expires in Sekoia.io.
 */
export function revocationHold(check: RevocationCheck): RevocationHold | undefined {
  if (!check.readComplete) return 'misp_read_failed';
  if (check.withdrawn === 0) return undefined;
  if (check.valuesRead === 0) return 'misp_read_empty';
  if (check.withdrawn > PLAUSIBLE_WITHDRAWN_MIN && check.withdrawn * 2 > check.pushedInWindow) {
    return 'mostly_withdrawn';
  }
  return undefined;
}

/**
 * What the state keeps about a batch accepted at `nowMs`: when its IOCs lapse in Sekoia.io, the
 * start of the window read (its events were published at or after it), and its sources.
 */
export function pushRecordFor(
  nowMs: number,
  iocValidityDays: number | undefined,
  windowStartMs: number,
): (batch: KeyedBatch) => PushRecord {
  return (batch) => ({
    validUntilMs: lapsesAtMs(nowMs, batch.format, iocValidityDays),
    publishedAfterMs: windowStartMs,
    sources: batch.sources,
  });
}
