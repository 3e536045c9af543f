import util from 'node:util';
import { FakeClock } from '../../helpers/fake-clock';
import { RetryPolicy } from '../../../src/http/retry';

/** The tests' one fake clock, at the client tests' own start time. */
export class RecordingClock extends FakeClock {
  constructor(time = Date.parse('2026-11-28T10:00:00Z')) {
    super(time);
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
