/** The values of the `format` field of Sekoia's text import: one per batch. */
export const SEKOIA_FORMATS = [
  'ipv4-addr.value',
  'ipv6-addr.value',
  'domain-name.value',
  'url.value',
  'email-addr.value',
  'file.hashes',
] as const;
export type SekoiaFormat = (typeof SEKOIA_FORMATS)[number];

/** Sekoia's text import takes at most this many lines per request (our rule: docs/apis.md#the-text-import). */
export const MAX_BATCH_LINES = 1000;

/** One text-import request: values of one format, one per line, at most MAX_BATCH_LINES. */
export interface IndicatorBatch {
  format: SekoiaFormat;
  values: readonly string[];
}

export interface PushOptions {
  /** ISO 8601 UTC, e.g. 2026-12-01T00:00:00Z; sent as valid_until when set. */
  validUntil?: string;
  /** Sent as description (at most 500 characters). */
  description?: string;
}

/** What Sekoia answered for an accepted (2xx) batch. */
export interface PushResult {
  /** The text import's task (queued: its outcome is not readable over REST). */
  taskId?: string;
}

/** The IOC Collection, as the trigger sees it. Implemented by the Sekoia client; faked in tests. */
export interface IocCollectionSink {
  /**
   * GET .../ioc-collections/{uuid}: checks the collection, the region and the key before anything
   * else. Throws a fatal SekoiaError naming the UUID and the region on 404, the key and the
   * permissions on 401/403.
   */
  checkCollection(signal?: AbortSignal): Promise<void>;
  /**
   * Posts one batch. Resolves on 2xx. Throws SekoiaError: fatal for 401/403 (key) and 404
   * (collection); `kind: 'rejected'` for another 4xx (this batch only); `kind: 'unavailable'`
   * after the retries for 429/5xx/network/timeouts are spent; AbortedError when stopped.
   */
  push(batch: IndicatorBatch, options: PushOptions, signal?: AbortSignal): Promise<PushResult>;
}
