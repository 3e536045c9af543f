import type { Clock } from '../../src/clock';
import { AbortedError } from '../../src/errors';

/**
 * The tests' one clock: time moves only when told (advance) or slept; a sleep resolves at once,
 * recorded, advancing the time; scheduled callbacks (deadlines) fire when the time passes them.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  /** Called at each sleep, before it resolves (e.g. to abort the run while "sleeping"). */
  onSleep: ((ms: number) => void) | undefined;
  private timers: Array<{ at: number; callback: () => void }> = [];

  constructor(public current: number = Date.UTC(2026, 10, 28, 8, 0, 0)) {}

  now(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    this.sleeps.push(ms);
    this.onSleep?.(ms);
    if (signal?.aborted) throw new AbortedError(signal.reason);
    this.advance(ms);
  }

  /** Moves the time on, firing the callbacks whose time has come, in time order. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((timer) => timer.at <= this.current).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((timer) => timer.at > this.current);
    for (const timer of due) timer.callback();
  }

  schedule(ms: number, callback: () => void): () => void {
    const timer = { at: this.current + ms, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((each) => each !== timer);
    };
  }

  /** Callbacks scheduled and not fired nor cancelled. */
  get pendingTimers(): number {
    return this.timers.length;
  }
}
