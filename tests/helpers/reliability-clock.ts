import { scheduleTimer, type Clock } from '../../src/clock';
import { AbortedError } from '../../src/errors';

/**
 * A clock for long runs: time is real time plus what was slept, and every sleep ends at the next
 * turn of the event loop. Sleeps of `cycleMs` or more are the waits between cycles: each one calls
 * `onCycleEnd(count)` first, so a test can act (change MISP, measure, stop) between two cycles.
 */
export class LoopClock implements Clock {
  private offsetMs = 0;
  private cycles = 0;

  /** @param cycleMs sleeps at least this long end a cycle. @default 60000 (sleep_time's minimum) */
  constructor(
    private readonly onCycleEnd: (count: number) => void,
    private readonly cycleMs = 60_000,
  ) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Deadlines run on real time, as the requests they cut do. */
  readonly schedule = scheduleTimer;

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    this.offsetMs += ms;
    if (ms >= this.cycleMs) {
      this.cycles += 1;
      this.onCycleEnd(this.cycles);
    }
    return new Promise((resolve, reject) =>
      setImmediate(() => (signal?.aborted ? reject(new AbortedError(signal.reason)) : resolve())),
    );
  }
}
