/**
 * What the trigger remembers across cycles and restarts (docs/architecture.md#state-and-its-guarantees), in one SQLite file
 * under the data path (or kept in an S3 bucket when the platform's file_backend is S3),
 * namespaced per trigger configuration. Every call is one round trip for
 * many keys: no per-IOC await.
 *
 * Ordering guarantee: operations run one at a time, in call order. An operation called after
 * another has begun (even before awaiting it) sees that one's effect: the cycle relies on it to
 * read the state for one page while the previous page's batches are marked.
 */
export interface TriggerState extends ReconciliationState {
  /** The keys of `keys` NOT recorded as pushed (or whose record expired), in input order. */
  filterUnpushed(keys: readonly string[]): Promise<string[]>;
  /**
   * Records `keys` as pushed for `ttlMs`. Called only after Sekoia accepted their batch.
   * `record`: what the reconciliation sweep needs to know about them (absent: unknown).
   */
  markPushed(keys: readonly string[], ttlMs: number, record?: PushRecord): Promise<void>;
  /** Start (epoch ms) of the last cycle in which every batch was accepted; undefined at first run. */
  getCursor(): Promise<number | undefined>;
  setCursor(epochMs: number): Promise<void>;

  // History on demand (docs/architecture.md#the-window-and-the-cursor): how far back the publish window has been read.
  /** The largest publish_timestamp (days) a complete cycle has read; undefined before 1.1.0's first one. */
  getAppliedWindowDays(): Promise<number | undefined>;
  setAppliedWindowDays(days: number): Promise<void>;
  /**
   * Makes what was recorded since the last save durable where the state is kept. The SQLite file
   * has nothing to do (every call is on disk when it returns); the state kept in S3 uploads what
   * changed. Called after each cycle; a failure leaves the changes to the next save.
   */
  save(): Promise<void>;

  // MISP events read whole (docs/architecture.md#the-window-and-the-cursor): a cycle that fails late does not read them again.
  /** The keys of `eventKeys` NOT recorded as read whole (or whose record expired), in input order. */
  filterUnreadEvents(eventKeys: readonly string[]): Promise<string[]>;
  /** Records `eventKeys` as read whole for `ttlMs`: only once every IOC they hold was pushed. */
  markEventsRead(eventKeys: readonly string[], ttlMs: number): Promise<void>;

  /** Flushes and closes the file. */
  close(): Promise<void>;
}

// ---- Reconciliation (docs/architecture.md#the-reconciliation-sweep): what the sweep needs to know about each pushed value ----

/** The MISP attribute a value came from (the pipeline's type: the state stores it as given). */
export type { IocSource } from '../pipeline/types';
import type { IocSource } from '../pipeline/types';

/** About a batch being recorded as pushed: see markPushed. */
export interface PushRecord {
  /** When its IOCs lapse in Sekoia.io (the valid_until sent, or Sekoia's default for the format). */
  validUntilMs: number;
  /** A time their events were published at or after: the start of the window that was read. */
  publishedAfterMs: number;
  /** The source of each key, in the order of the keys; undefined where unknown. */
  sources?: ReadonlyArray<IocSource | undefined>;
}

/** One pushed value as the state remembers it. */
export interface PushedRecord {
  key: string;
  /** When it lapses in Sekoia.io; for a record written by 1.0.x, its dedupe expiry (never later). */
  lapsesAtMs: number;
  /** Its event was published at or after this time; 0 when unknown (records of 1.0.x). */
  publishedAfterMs: number;
  attributeUuid?: string;
  eventId?: string;
}

/** The sweep's own marks: when it last ran, and where the trigger's history begins. */
export interface SweepMarks {
  /** Start (epoch ms) of the last sweep whose MISP read completed; undefined before the first. */
  lastSweepAtMs?: number;
  /** Start of the last sweep begun, complete or not. */
  lastAttemptAtMs?: number;
  /** Start of the first window the trigger read (epoch ms): the sweep never reads before it. */
  originMs?: number;
}

export interface ReconciliationState {
  /**
   * When each of `keys` lapses in Sekoia.io (epoch ms), for those still valid there (keys never
   * pushed, or lapsed, are absent). Only the time: the sweep asks it of every value MISP flags.
   */
  readLapseTimes(keys: readonly string[]): Promise<Map<string, number>>;
  /** Up to `limit` records still valid in Sekoia.io, keys after `afterKey` in key order. */
  listPushedRecords(afterKey: string, limit: number): Promise<PushedRecord[]>;
  /** Forgets `keys` (revoked in Sekoia.io): a value flagged again is pushed again. */
  forgetPushed(keys: readonly string[]): Promise<void>;
  getSweepMarks(): Promise<SweepMarks>;
  setSweepMarks(marks: SweepMarks): Promise<void>;
  /**
   * The values this trigger revoked (key -> when, epoch ms), kept until MISP flags one again and
   * its revoked indicator is deleted for good (Sekoia.io allows it 24 hours after the revocation).
   */
  getRevocations(): Promise<Map<string, number>>;
  /** Replaces the revocations kept (a few thousand at most: see REVOCATION_MEMORY_DAYS). */
  setRevocations(revocations: ReadonlyMap<string, number>): Promise<void>;
}
