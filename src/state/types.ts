/**
 * What the trigger remembers across cycles and restarts (design section 8), in one SQLite file
 * under the data path (or kept in an S3 bucket when the platform's file_backend is S3),
 * namespaced per trigger configuration. Every call is one round trip for
 * many keys: no per-IOC await.
 *
 * Ordering guarantee: operations run one at a time, in call order. An operation called after
 * another has begun (even before awaiting it) sees that one's effect: the cycle relies on it to
 * read the state for one page while the previous page's batches are marked.
 */
export interface TriggerState {
  /** The keys of `keys` NOT recorded as pushed (or whose record expired), in input order. */
  filterUnpushed(keys: readonly string[]): Promise<string[]>;
  /** Records `keys` as pushed for `ttlMs`. Called only after Sekoia accepted their batch. */
  markPushed(keys: readonly string[], ttlMs: number): Promise<void>;
  /** Start (epoch ms) of the last cycle in which every batch was accepted; undefined at first run. */
  getCursor(): Promise<number | undefined>;
  setCursor(epochMs: number): Promise<void>;

  // History on demand (issue 14): how far back the publish window has been read.
  /** The largest publish_timestamp (days) a complete cycle has read; undefined before 1.1.0's first one. */
  getAppliedWindowDays(): Promise<number | undefined>;
  setAppliedWindowDays(days: number): Promise<void>;
  /**
   * Makes what was recorded since the last save durable where the state is kept. The SQLite file
   * has nothing to do (every call is on disk when it returns); the state kept in S3 uploads what
   * changed. Called after each cycle; a failure leaves the changes to the next save.
   */
  save(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}
