import util from 'node:util';
import { Clock } from '../../../src/clock';
import { AbortedError } from '../../../src/errors';
import { RetryPolicy } from '../../../src/http/retry';

/** A clock whose sleep records the delay and resolves at once: retries are tested without waiting. */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = Date.parse('2026-11-28T10:00:00Z')) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** Few attempts, small known delays (jitter fixed by `random: () => 0`: half the step). */
export const TEST_POLICY: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  retryAfterCapMs: 60_000,
  statusCodes: [408, 425, 429, 500, 502, 503, 504],
};

/** Every way an error can be printed: none may hold a secret. */
export function expectNoSecret(error: unknown, secrets: readonly string[]): void {
  const renderings = [
    String((error as Error)?.message),
    String((error as Error)?.stack),
    JSON.stringify(error) ?? '',
    util.inspect(error, { depth: 10, showHidden: true }),
  ];
  for (const secret of secrets) {
    for (const text of renderings) expect(text).not.toContain(secret);
  }
}

/** Runs `action`, expects it to throw, checks the error for secrets, returns it. */
export async function caught(action: () => Promise<unknown>, secrets: readonly string[]): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    expectNoSecret(error, secrets);
    return error;
  }
  throw new Error('expected the action to throw');
}
