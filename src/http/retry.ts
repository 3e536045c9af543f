/**
 * One retry policy for every HTTP client of the module, and one pure function deciding the delay
 * (after got's calculate-retry-delay). Re-sending is safe for every call we retry: MISP searches
 * are reads, and Sekoia ignores IOCs already in a collection, so a re-posted batch changes nothing.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 6 */
  attempts: number;
  /** Delay before the first retry, doubled at each further one. @default 1000 */
  baseDelayMs: number;
  /** Ceiling of the exponential delay. @default 30000 */
  maxDelayMs: number;
  /** Ceiling of a server's Retry-After; a longer ask is cut to this. @default 120000 */
  retryAfterCapMs: number;
  /** HTTP statuses worth another attempt. */
  statusCodes: readonly number[];
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 6,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  retryAfterCapMs: 120_000,
  statusCodes: Object.freeze([408, 425, 429, 500, 502, 503, 504]),
});

/** What went wrong with one attempt, as far as the retry decision cares. */
export type AttemptFailure =
  | { kind: 'status'; status: number; retryAfterMs?: number }
  | { kind: 'network' }
  | { kind: 'timeout' }
  /** Not worth another attempt: a TLS failure, an unknown error code, an answer given again. */
  | { kind: 'other' };

/**
 * Milliseconds to wait before attempt `attempt + 1`, or 0 when no further attempt should be made.
 * `attempt` is the 1-based number of the attempt that just failed; `random` is in [0, 1).
 * Full jitter: a delay drawn between half and all of the exponential step, so that many
 * triggers hit by the same outage do not come back in step.
 */
export function computeRetryDelay(
  attempt: number,
  failure: AttemptFailure,
  policy: RetryPolicy,
  random: number = Math.random(),
): number {
  if (attempt >= policy.attempts) return 0;
  if (failure.kind === 'other') return 0;
  if (failure.kind === 'status') {
    if (!policy.statusCodes.includes(failure.status)) return 0;
    if (failure.retryAfterMs !== undefined) {
      return Math.max(1, Math.min(failure.retryAfterMs, policy.retryAfterCapMs));
    }
  }
  const step = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.max(1, Math.round(step / 2 + (step / 2) * random));
}

/**
 * Reads a Retry-After header: delay-seconds ("120") or an HTTP date. Returns milliseconds from
 * `now` (never negative), or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: unknown, now: number): number | undefined {
  if (typeof header !== 'string' && typeof header !== 'number') return undefined;
  const text = String(header).trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
