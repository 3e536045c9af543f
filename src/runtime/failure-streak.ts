import { DAY_MS, type Clock } from '../clock';

/** Failures in a row before a critical may be sent (the SDK's `_is_error_critical`). */
export const CRITICAL_FAILURES = 5;
/** No critical for failures in the first 30 minutes up: a start into an outage is not a person's to fix. */
export const START_UP_GRACE_MS = 30 * 60_000;
/** Uptime counts up to 5 days in the rule: at most 24 h without a good cycle before the critical. */
export const MAX_UPTIME_IN_RULE_MS = 5 * DAY_MS;

export interface StreakFacts {
  failures: number;
  uptimeMs: number;
  sinceSuccessMs: number;
}

/**
 * The SDK's rule for the consecutive-failures critical, which makes the platform stop the trigger
 * for good: at least 5 failures in a row, up at least 30 minutes, and no good cycle for at least
 * min(uptime, 5 days) / 5 (up 1 h: 12 min; 12 h: 2 h 24 min; 1 day: about 5 h; 5 days or more: 24 h).
 * An outage shorter than that heals by itself.
 */
export function failuresAreCritical(facts: StreakFacts): boolean {
  if (facts.failures < CRITICAL_FAILURES || facts.uptimeMs < START_UP_GRACE_MS) return false;
  return facts.sinceSuccessMs >= Math.min(facts.uptimeMs, MAX_UPTIME_IN_RULE_MS) / 5;
}

/** The failed cycles in a row, since when, and whether the critical was told for this streak. */
export class FailureStreak {
  private readonly startedAt: number;
  private lastSuccessAt: number;
  private failures = 0;
  private told = false;

  constructor(private readonly clock: Clock) {
    this.startedAt = clock.now();
    this.lastSuccessAt = this.startedAt;
  }

  get count(): number {
    return this.failures;
  }

  succeeded(): void {
    this.failures = 0;
    this.told = false;
    this.lastSuccessAt = this.clock.now();
  }

  /** Counts a failed cycle; returns the streak's facts when this failure is the one to tell as critical. */
  failed(): StreakFacts | undefined {
    this.failures += 1;
    const now = this.clock.now();
    const facts = {
      failures: this.failures,
      uptimeMs: now - this.startedAt,
      sinceSuccessMs: now - this.lastSuccessAt,
    };
    if (this.told || !failuresAreCritical(facts)) return undefined;
    this.told = true;
    return facts;
  }
}

/** "12 min", "2 h 24 min", "1 day 5 h": for log lines. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [
    days > 0 ? `${days} day${days > 1 ? 's' : ''}` : '',
    hours > 0 ? `${hours} h` : '',
    rest > 0 && days === 0 ? `${rest} min` : '',
  ].filter((part) => part !== '');
  return parts.length > 0 ? parts.join(' ') : 'under a minute';
}
