import { scheduleTimer, type Clock } from '../../src/clock';
import { AbortedError } from '../../src/errors';

interface ParkedSleep {
  release(): void;
}

/**
 * The trigger's clock in end-to-end tests. `now()` is real time plus the time slept, so the
 * emulators (given `now: () => clock.now()`) and the trigger agree. Short sleeps (retry waits)
 * resolve at once and are recorded; sleeps of `gateMs` or more (the wait between two cycles) are
 * parked until the test calls release(), so the test decides when the next cycle starts.
 */
export class GatedClock implements Clock {
  readonly sleeps: number[] = [];
  private offsetMs = 0;
  private parked: ParkedSleep[] = [];
  private parkedTotal = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  /** @param gateMs sleeps at least this long are parked. @default 60000 (sleep_time's minimum) */
  constructor(private readonly gateMs = 60_000) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Deadlines run on real time, as the requests they cut do. */
  readonly schedule = scheduleTimer;

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    this.sleeps.push(ms);
    if (ms < this.gateMs) {
      this.offsetMs += ms;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.parked = this.parked.filter((entry) => entry !== parked);
        reject(new AbortedError(signal?.reason));
      };
      const parked: ParkedSleep = {
        release: () => {
          signal?.removeEventListener('abort', onAbort);
          this.offsetMs += ms;
          resolve();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.parked.push(parked);
      this.parkedTotal += 1;
      for (const waiter of this.waiters.filter((entry) => entry.count <= this.parkedTotal)) waiter.resolve();
      this.waiters = this.waiters.filter((entry) => entry.count > this.parkedTotal);
    });
  }

  /** Moves time on by `ms` (the emulators follow): e.g. days between two runs of the trigger. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Short sleeps recorded so far (retry waits), in order. */
  get retryWaits(): number[] {
    return this.sleeps.filter((ms) => ms < this.gateMs);
  }

  /** Resolves once `count` long sleeps were parked in all: the trigger finished its count-th cycle. */
  untilParked(count: number): Promise<void> {
    if (this.parkedTotal >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Ends the parked sleeps (time moves on by their length): the next cycle starts. */
  release(): void {
    const parked = this.parked;
    this.parked = [];
    for (const entry of parked) entry.release();
  }
}

/**
 * Waits until `condition()` holds, checking after each turn of the event loop and every 10 ms,
 * at most `attempts` times; fails naming what it waited for. For conditions no event announces.
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  attempts = 500,
): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
