import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault, FaultController } from '../../tools/emulators/faults';

/** What to do when the n-th matching request arrives, before the emulator's rules apply. */
export type RequestAction = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Calls `action` when the `n`-th request (1-based) under `prefix` reaches the emulator, and keeps
 * counting after. The emulators' knobs are "the next N requests"; this places a fault (or a kill) at
 * a given request, e.g. page 2 of a search, deterministically. Returns the count so far.
 */
export function onRequest(
  faults: FaultController,
  prefix: string,
  actions: Record<number, RequestAction>,
): () => number {
  const intercept = faults.intercept.bind(faults);
  let seen = 0;
  faults.intercept = (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if ((req.url ?? '').startsWith(prefix)) {
      seen += 1;
      actions[seen]?.(req, res);
    }
    return intercept(req, res);
  };
  return () => seen;
}

/** The `n`-th request under `prefix`, and the `count - 1` after it, get `fault`. */
export function faultFrom(
  faults: FaultController,
  prefix: string,
  n: number,
  fault: Fault,
  count = 1,
): () => number {
  return onRequest(faults, prefix, { [n]: () => faults.failNext(count, fault, prefix) });
}

/**
 * The `n`-th request under `prefix` is handled (a text import is stored) but its answer is lost:
 * the connection is cut instead of answering, as when a timeout or a reset hits after the server did
 * the work. The client sees a reset and retries.
 */
export function loseAnswerOf(faults: FaultController, prefix: string, n: number): () => number {
  return onRequest(faults, prefix, {
    [n]: (req, res) => {
      res.end = ((): ServerResponse => {
        req.socket.destroy();
        return res;
      }) as ServerResponse['end'];
    },
  });
}

/**
 * Faults placed by request number under `prefix`: at the n-th request, `schedule[n]` is queued in
 * order (the n-th request gets the first, its retries the next ones).
 */
export function scheduleFaults(
  faults: FaultController,
  prefix: string,
  schedule: Record<number, readonly Fault[]>,
): () => number {
  const actions: Record<number, RequestAction> = {};
  for (const [n, queued] of Object.entries(schedule)) {
    actions[Number(n)] = () => {
      for (const fault of queued) faults.failNext(1, fault, prefix);
    };
  }
  return onRequest(faults, prefix, actions);
}
