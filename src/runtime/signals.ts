/** The signals that stop a trigger. */
export type StopSignal = 'SIGTERM' | 'SIGINT';

/** Where stop requests come from: the process in production, a test's own emitter in tests. */
export interface SignalSource {
  /** Calls `handler` on each stop signal; returns a function that unsubscribes. */
  subscribe(handler: (signal: StopSignal) => void): () => void;
}

export const processSignals: SignalSource = {
  subscribe(handler) {
    const onTerm = (): void => handler('SIGTERM');
    const onInt = (): void => handler('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    return () => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    };
  },
};

/** Resolves when `signal` aborts (at once if it already has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** How a run ended: by itself, by throwing, or not within the grace period after a stop. */
export type Settled = { kind: 'done' } | { kind: 'failed'; error: unknown } | { kind: 'late' };

/** Waits for `run`, but no longer than `graceMs` after `signal` aborts. */
export function settleWithGrace(run: Promise<void>, signal: AbortSignal, graceMs: number): Promise<Settled> {
  return new Promise<Settled>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => resolve({ kind: 'late' }), graceMs);
    };
    const finish = (settled: Settled): void => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      resolve(settled);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    run.then(
      () => finish({ kind: 'done' }),
      (error: unknown) => finish({ kind: 'failed', error }),
    );
  });
}
