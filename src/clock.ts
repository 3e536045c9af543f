import { AbortedError } from './errors';

/** Time units in milliseconds, the unit of every time in the code. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Time as the code sees it: injected so that tests never sleep. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with AbortedError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `callback` once `ms` have passed (a deadline: it never keeps the process alive);
   * returns the function that cancels it.
   */
  schedule(ms: number, callback: () => void): () => void;
}

/** setTimeout overflows above 2^31-1 ms and fires at once: refuse such delays. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    return Promise.reject(new RangeError(`Sleep of ${ms} ms is out of range (0 to ${MAX_TIMER_MS})`));
  }
  if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function scheduleTimer(ms: number, callback: () => void): () => void {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: abortableSleep,
  schedule: scheduleTimer,
};
