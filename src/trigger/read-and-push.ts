/**
 * Reads a window of MISP by events and pushes what it finds: the one path of the polling cycle and
 * of the reconciliation sweep. Each passes what differs: how a group of events is taken, which
 * events are read, what the state is, and how the pushes end (the cycle records the events it read
 * whole). The answer says truthfully whether the read went to the end of the window and everything
 * it found was pushed: any stop (MISP, a push, the state, the rejection budget) is not whole; an
 * abort is thrown.
 */
import type { Clock } from '../clock';
import { AbortedError, AppError, isAbortError } from '../errors';
import type { MispAttributeQuery, MispClient, MispEventGroup, ReadWindowOptions } from '../misp/types';
import { SkipTally } from '../pipeline/tally';
import type { Logger } from '../runtime/types';
import type { QuotaWatch } from '../sekoia/quota';
import type { IocCollectionSink } from '../sekoia/types';
import { StateError } from '../state/errors';
import type { TriggerState } from '../state/types';
import type { TriggerSettings } from './config';
import { DryRunSink } from './dry-run';
import { prefetch } from './prefetch';
import { BatchPusher, emptyTotals, PushTotals } from './pusher';
import { PushFailure, PushQueue } from './push-queue';
import { batchSizeLine } from './report';
import { pushRecordFor } from './reconcile/plan';
import { pushedKeyTtlMs, toEpochSeconds, validUntilOf } from './window';

/**
 * The rows a restSearch answer is planned to hold: events are read in groups sized by the rows
 * their answers are expected to hold (src/misp/event-packer.ts), and a big event in pages of this.
 * Each request costs MISP a fixed share of CPU (its check of the API key), so fewer, larger answers
 * cut MISP's cost; the trigger's memory grows with them. Measured (docs/performance.md): 3,600
 * reads 20,000 attributes of a real MISP 2.5.1 in 5 requests (MISP's CPU 1.06-1.36 times its
 * floor; 3,000: 6 requests, 1.43-1.55) with peak RSS at 1,000,000 attributes of 192.6 MB, 1.15
 * times the 100,000 figure, and ratio_to_floor 1.41.
 */
export const MISP_PAGE_SIZE = 3600;

/** What a cycle or a sweep needs from the outside world. */
export interface ReadDependencies {
  misp: MispClient;
  sink: IocCollectionSink;
  state: TriggerState;
  clock: Clock;
  logger: Logger;
  settings: Readonly<TriggerSettings>;
  signal: AbortSignal;
  /** Map and dedupe, but push nothing and write nothing to the state. */
  dryRun: boolean;
  /** Called after each page and each accepted batch, so a long read still looks alive. */
  onProgress?: () => void;
  /** @default MISP_PAGE_SIZE */
  pageSize?: number;
  /** The community's quota, watched by the pushes (not in a dry run). */
  quota?: QuotaWatch;
  /**
   * The description naming this trigger (MISP host, trigger configuration) sent on every import:
   * how the sweep tells the indicators it created (see provenance.ts). Undefined: none.
   */
  provenance?: string;
}

/** The part that failed: each has its own fix (see report.ts). */
export type CycleService = 'misp' | 'sekoia' | 'state';

/** Why a cycle or a sweep stopped before the end of its window. */
export interface CycleFailure {
  service: CycleService;
  error: AppError;
  /** IOCs read but not pushed because of the failure (the rest of the window aside). */
  iocsNotPushed: number;
}

/**
 * The failure to report for `error`, met while using `service`. A state error is the state's,
 * whichever step met it. Fatal errors, aborts and bugs are not failures of a read: they are thrown.
 */
export function cycleFailure(service: CycleService, error: unknown, iocsNotPushed = 0): CycleFailure {
  if (!(error instanceof AppError) || error.fatal || isAbortError(error)) throw error;
  return { service: error instanceof StateError ? 'state' : service, error, iocsNotPushed };
}

/** What the cycle's and the sweep's reports share. */
export interface ReadReport extends PushTotals {
  durationMs: number;
  /** Answers of MISP that held attributes. */
  pages: number;
  attributesRead: number;
  /** Skips by mapping (unsupported_type, invalid_value) with examples. */
  tally: SkipTally;
  dryRun: boolean;
  /** What stopped the read or the pushes early, in the order met; empty when whole. */
  failures: CycleFailure[];
}

export function emptyReadReport(dryRun: boolean): ReadReport {
  return {
    ...emptyTotals(),
    durationMs: 0,
    pages: 0,
    attributesRead: 0,
    tally: new SkipTally(),
    dryRun,
    failures: [],
  };
}

/** The pusher and its queue of a cycle or a sweep: accepted batches are recorded for the sweep. */
export interface Pushes {
  pusher: BatchPusher;
  queue: PushQueue;
}

/** The pushes of a read begun at `startedAt` over a window starting at `windowStartMs`. */
export function startPushes(
  deps: ReadDependencies,
  state: TriggerState,
  sink: IocCollectionSink,
  startedAt: number,
  windowStartMs: number,
): Pushes {
  const { settings, logger } = deps;
  const pusher = new BatchPusher(
    sink,
    state,
    (format) => pushedKeyTtlMs(format, settings.iocValidityDays),
    { validUntil: validUntilOf(startedAt, settings.iocValidityDays), description: deps.provenance },
    deps.signal,
    pushRecordFor(startedAt, settings.iocValidityDays, windowStartMs),
    { batchSizeHalved: (size, status, message) => logger.warning(batchSizeLine(size, status, message)) },
  );
  if (!deps.dryRun) pusher.quota = deps.quota;
  return { pusher, queue: new PushQueue(pusher, deps.onProgress) };
}

/** The sink of a read: in a dry run, one that pushes nothing and keeps examples. */
export function sinkOf(deps: ReadDependencies): { sink: IocCollectionSink; drySink?: DryRunSink } {
  if (!deps.dryRun) return { sink: deps.sink };
  const drySink = new DryRunSink();
  return { sink: drySink, drySink };
}

/** What differs between the cycle's read and the sweep's. */
export interface ReadAndPush {
  deps: ReadDependencies;
  window: { startMs: number; endMs: number };
  queue: PushQueue;
  report: ReadReport;
  /** Which events of the window are read, and who is told how many. @default every event */
  events?: ReadWindowOptions;
  /** Takes one group of events: maps it, reads the state, queues what to push; or the state failure met. */
  take(group: MispEventGroup): Promise<CycleFailure | undefined>;
  /**
   * Once the read is over: pushes what is left queued (and whatever else the caller records after
   * its pushes); the push failure, if any. A state failure is thrown.
   */
  finish(): Promise<PushFailure | undefined>;
}

/** The MISP query of a window, built from the settings: the same for the cycle and the sweep. */
export function windowQuery(
  settings: Readonly<TriggerSettings>,
  window: { startMs: number; endMs: number },
  pageSize = MISP_PAGE_SIZE,
): MispAttributeQuery {
  return {
    publishFrom: toEpochSeconds(window.startMs),
    publishTo: toEpochSeconds(window.endMs),
    types: [...settings.attributeTypes],
    enforceWarninglist: settings.enforceWarninglist,
    includeTags: settings.includeTags,
    excludeTags: settings.excludeTags,
    pageSize,
  };
}

/** An AbortController for the read's MISP requests: aborted with the run, or when the reading ends. */
async function withReadSignal<T>(signal: AbortSignal, read: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await read(controller.signal);
  } finally {
    controller.abort();
    signal.removeEventListener('abort', onAbort);
  }
}

/** How the taking of the groups ended: at the window's end, or not (with the failure, if one was met there). */
interface ReadEnd {
  atEnd: boolean;
  failure?: CycleFailure;
}

/**
 * Takes the groups one by one (the next downloading while the current one is taken) until their
 * end, a failure, or a failed push. A group MISP could not give is MISP's failure.
 */
async function takeEachGroup(read: ReadAndPush, groups: AsyncIterator<MispEventGroup>): Promise<ReadEnd> {
  const { deps, report, queue } = read;
  while (queue.failure === undefined) {
    let next: IteratorResult<MispEventGroup>;
    try {
      next = await groups.next();
    } catch (error) {
      return { atEnd: false, failure: cycleFailure('misp', error) };
    }
    if (next.done) return { atEnd: true };
    if (deps.signal.aborted) throw new AbortedError(deps.signal.reason);
    if (next.value.attributes.length > 0) report.pages += 1;
    report.attributesRead += next.value.attributes.length;
    const failure = await read.take(next.value);
    if (failure) return { atEnd: false, failure };
    deps.onProgress?.();
  }
  return { atEnd: false };
}

/** Ends the pushes; a push or state failure joins the report. */
async function finishPushes(read: ReadAndPush): Promise<void> {
  let pushFailure: PushFailure | undefined;
  try {
    pushFailure = await read.finish();
  } catch (error) {
    read.report.failures.push(cycleFailure('state', error));
    return;
  }
  if (pushFailure)
    read.report.failures.push(cycleFailure('sekoia', pushFailure.error, pushFailure.iocsNotPushed));
}

/**
 * Reads the window by events (src/misp/window-reader.ts: a change in MISP during the read cannot
 * hide a value) and pushes what the groups queue; what was read is pushed even when reading
 * failed. Resolves true only when the read went to the window's end and every push and state
 * write along it succeeded (nothing in `report.failures`). Fatal errors, aborts and bugs are thrown.
 */
export async function readAndPush(read: ReadAndPush): Promise<boolean> {
  const { deps, report } = read;
  try {
    const end = await withReadSignal(deps.signal, (signal) => {
      const query = windowQuery(deps.settings, read.window, deps.pageSize);
      const groups = deps.misp.readWindow(query, read.events ?? {}, signal);
      return takeEachGroup(read, prefetch(groups)[Symbol.asyncIterator]());
    });
    if (end.failure) report.failures.push(end.failure);
    await finishPushes(read);
    return end.atEnd && report.failures.length === 0;
  } finally {
    // Nothing may still write to the state when the read returns (it may be closed next).
    await read.queue.settled();
  }
}
