import { computeRetryDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../../src/http/retry';

describe('computeRetryDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000 };

  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    expect(computeRetryDelay(1, { kind: 'network' }, policy, 0)).toBe(500);
    expect(computeRetryDelay(1, { kind: 'network' }, policy, 0.999999)).toBe(1000);
    expect(computeRetryDelay(2, { kind: 'timeout' }, policy, 0)).toBe(1000);
    expect(computeRetryDelay(3, { kind: 'status', status: 503 }, policy, 1)).toBe(3000);
  });

  it('stops after the last attempt, on statuses not listed, and on unknown errors', () => {
    expect(computeRetryDelay(4, { kind: 'network' }, policy, 0.5)).toBe(0);
    expect(computeRetryDelay(1, { kind: 'status', status: 400 }, policy, 0.5)).toBe(0);
    expect(computeRetryDelay(1, { kind: 'status', status: 404 }, policy, 0.5)).toBe(0);
    expect(computeRetryDelay(1, { kind: 'other' }, policy, 0.5)).toBe(0);
  });

  it('honours Retry-After, capped', () => {
    expect(computeRetryDelay(1, { kind: 'status', status: 429, retryAfterMs: 7000 }, policy, 0)).toBe(7000);
    expect(computeRetryDelay(1, { kind: 'status', status: 429, retryAfterMs: 10_000_000 }, policy, 0)).toBe(
      policy.retryAfterCapMs,
    );
    expect(computeRetryDelay(1, { kind: 'status', status: 429, retryAfterMs: 0 }, policy, 0)).toBe(1);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T10:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
    expect(parseRetryAfter(5, now)).toBe(5000);
  });

  it('reads an HTTP date, never negative', () => {
    expect(parseRetryAfter('Sat, 28 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(['1'], now)).toBeUndefined();
  });
});
