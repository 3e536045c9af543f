import type { Clock } from '../clock';
import { AbortedError, AppError, isAbortError } from '../errors';
import type { MispAttributeQuery, MispClient, MispEventGroup } from '../misp/types';
import { sourceDescription } from '../pipeline/context';
import { SkipTally } from '../pipeline/tally';
import { safeUrl } from '../http/url';
import type { Logger } from '../runtime/types';
import type { IocCollectionSink, SekoiaFormat } from '../sekoia/types';
import { StateError } from '../state/errors';
import type { TriggerState } from '../state/types';
import type { TriggerSettings } from './config';
import { DryRunSink, DryRunState } from './dry-run';
import { EventsReadRecorder, eventsReadTtlMs, unreadEventsOf } from './events-read';
import { filterUnpushed, mapPage } from './page-iocs';
import { prefetch } from './prefetch';
import { BatchPusher, emptyTotals, PushTotals } from './pusher';
import { batchSizeLine } from './report';
import { PushQueue } from './push-queue';
import { pushRecordFor } from './reconcile/plan';
import {
  appliedWindowAfter,
  catchUpWarning,
  computeWindow,
  CycleWindow,
  historyNotice,
  pushedKeyTtlMs,
  toEpochSeconds,
  validUntilOf,
} from './window';

export { MAP_SLICE_ATTRIBUTES } from './page-iocs';

/**
 * MISP attributes per restSearch answer at most (`limit`). Events are read in groups of fewer
 * attributes than this (src/misp/window-reader.ts), so an answer holds about half of it on a real
 * MISP, 60% on the emulator's data (the counts include attributes not IDS or of other types).
 * Each request costs MISP a fixed share of CPU (about 0.15 s on a real MISP 2.5.1, an empty
 * answer included), so fewer, larger answers cut MISP's cost: for 100,000 attributes 23 requests
 * instead of 58, and MISP's CPU from 1.9 to about 1.0 times one plain JSON export of the same
 * attributes (docs/performance.md). 10,000 costs MISP less again, but took the trigger's peak
 * memory at 1,000,000 attributes to 1.3 times the figure at 100,000 (target 1.2).
 */
export const MISP_PAGE_SIZE = 5000;

export interface CycleDependencies {
  misp: MispClient;
  sink: IocCollectionSink;
  state: TriggerState;
  clock: Clock;
  logger: Logger;
  settings: Readonly<TriggerSettings>;
  signal: AbortSignal;
  /** Map and dedupe, but push nothing and write nothing to the state. */
  dryRun: boolean;
  /** Called after each page and each accepted batch, so a long cycle still looks alive. */
  onProgress?: () => void;
  /** @default MISP_PAGE_SIZE */
  pageSize?: number;
}

/** The part that failed: each has its own fix (see report.ts). */
export type CycleService = 'misp' | 'sekoia' | 'state';

/** Why a cycle stopped before the end of its window. The cursor did not move. */
export interface CycleFailure {
  service: CycleService;
  error: AppError;
  /** IOCs read in this cycle but not pushed because of the failure (the rest of the window aside). */
  iocsNotPushed: number;
}

export interface CycleReport extends PushTotals {
  window: CycleWindow;
  durationMs: number;
  pages: number;
  attributesRead: number;
  warninglistSkipped: number;
  /** Skips by mapping (unsupported_type, invalid_value) with examples. */
  tally: SkipTally;
  /** Values already pushed before, or already taken by this cycle. */
  alreadyPushed: number;
  /** Attributes whose value came defanged (hxxp://, [.]) and was pushed refanged. */
  refanged: number;
  /** The expiry sent with the pushed IOCs (ISO 8601 UTC); undefined without ioc_validity_days. */
  validUntil?: string;
  dryRun: boolean;
  /** In a dry run: a few values per format that would have been pushed. */
  dryRunExamples?: Partial<Record<SekoiaFormat, string[]>>;
  /** Events published in the window, and how many of them a previous cycle had read whole. */
  events?: { listed: number; alreadyRead: number };
  /** What stopped the cycle early, in the order met (reading, then pushing); empty when whole. */
  failures: CycleFailure[];
  cursorMoved: boolean;
}

/** A cycle's working parts, built once by runCycle and handed to each step. */
interface Cycle {
  deps: CycleDependencies;
  /** The real state, or in a dry run one that writes nothing. */
  state: TriggerState;
  pusher: BatchPusher;
  queue: PushQueue;
  eventsRead: EventsReadRecorder;
  /** Set in a dry run: stands in for Sekoia.io and keeps examples. */
  drySink: DryRunSink | undefined;
  /** ioc_context: the description of an attribute's IOCs; undefined when off. */
  describe: ((raw: unknown) => string | undefined) | undefined;
  report: CycleReport;
  /** The days of history read before this cycle (see computeWindow); undefined before 1.1.0. */
  appliedDays: number | undefined;
}

/**
 * The failure to report for `error`, met while using `service`. A state error is the state's,
 * whichever step met it. Fatal errors, aborts and bugs are not cycle failures: they are thrown.
 */
export function cycleFailure(service: CycleService, error: unknown, iocsNotPushed = 0): CycleFailure {
  if (!(error instanceof AppError) || error.fatal || isAbortError(error)) throw error;
  return { service: error instanceof StateError ? 'state' : service, error, iocsNotPushed };
}

function emptyReport(window: CycleWindow, dryRun: boolean): CycleReport {
  return {
    ...emptyTotals(),
    window,
    durationMs: 0,
    pages: 0,
    attributesRead: 0,
    warninglistSkipped: 0,
    tally: new SkipTally(),
    alreadyPushed: 0,
    refanged: 0,
    dryRun,
    failures: [],
    cursorMoved: false,
  };
}

function attributeQuery(cycle: Cycle): MispAttributeQuery {
  const { settings, pageSize } = cycle.deps;
  return {
    publishFrom: toEpochSeconds(cycle.report.window.startMs),
    publishTo: toEpochSeconds(cycle.report.window.endMs),
    types: [...settings.attributeTypes],
    enforceWarninglist: settings.enforceWarninglist,
    includeTags: settings.includeTags,
    excludeTags: settings.excludeTags,
    pageSize: pageSize ?? MISP_PAGE_SIZE,
  };
}

/**
 * Maps a group's attributes, reads the state for them, queues their new IOCs, and hands its
 * events to the recorder; or the state failure met.
 */
async function takePage(cycle: Cycle, page: MispEventGroup): Promise<CycleFailure | undefined> {
  const { report, queue } = cycle;
  if (page.attributes.length > 0) report.pages += 1;
  report.attributesRead += page.attributes.length;
  report.warninglistSkipped += page.warninglistSkipped;
  const { fresh, alreadyTaken, refanged } = await mapPage(
    page,
    cycle.deps.settings.attributeTypes,
    report.tally,
    queue,
    cycle.describe,
  );
  report.alreadyPushed += alreadyTaken;
  report.refanged += refanged;
  try {
    const unpushed = await filterUnpushed(fresh, cycle.state, queue);
    report.alreadyPushed += fresh.size - unpushed.length;
    report.alreadyPushed += await queue.enqueue(unpushed);
    await cycle.eventsRead.taken(page.events, page.attributes.length);
  } catch (error) {
    return cycleFailure('state', error);
  }
  return undefined;
}

/**
 * Takes the pages one by one (the next downloading while the current one is taken) until their
 * end, a failure, or `stopped()` (a push failed). A page MISP could not give is MISP's failure.
 * Shared by the cycle and the reconciliation sweep.
 */
export async function takeEachPage(
  pages: AsyncIterator<MispEventGroup>,
  take: (page: MispEventGroup) => Promise<CycleFailure | undefined>,
  control: { signal: AbortSignal; stopped: () => boolean; onProgress?: () => void },
): Promise<CycleFailure | undefined> {
  while (!control.stopped()) {
    let next: IteratorResult<MispEventGroup>;
    try {
      next = await pages.next();
    } catch (error) {
      return cycleFailure('misp', error);
    }
    if (next.done) return undefined;
    if (control.signal.aborted) throw new AbortedError(control.signal.reason);
    const failure = await take(next.value);
    if (failure) return failure;
    control.onProgress?.();
  }
  return undefined;
}

/** Reads the window until its end, a failure, or a push failure. Returns the reading's failure, if any. */
function readWindow(cycle: Cycle, pages: AsyncIterator<MispEventGroup>): Promise<CycleFailure | undefined> {
  const { signal, onProgress } = cycle.deps;
  return takeEachPage(pages, (page) => takePage(cycle, page), {
    signal,
    onProgress,
    stopped: () => cycle.queue.failure !== undefined,
  });
}

/** An AbortController for the cycle's MISP requests: aborted with the run, or when the reading ends. */
export async function withReadSignal<T>(
  signal: AbortSignal,
  read: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
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

/** Reads the window and pushes it; what was read is pushed even when reading failed (it is marked). */
async function readAndPush(cycle: Cycle): Promise<void> {
  const { deps, report } = cycle;
  try {
    const readFailure = await withReadSignal(deps.signal, (signal) => {
      const groups = deps.misp.readWindow(
        attributeQuery(cycle),
        {
          selectEvents: unreadEventsOf(cycle.state),
          onEventsListed: (listed, toRead) => (report.events = { listed, alreadyRead: listed - toRead }),
        },
        signal,
      );
      return readWindow(cycle, prefetch(groups)[Symbol.asyncIterator]());
    });
    if (readFailure) report.failures.push(readFailure);
    await pushTheRest(cycle);
  } finally {
    // Nothing may still write to the state when the cycle returns (it may be closed next).
    await cycle.queue.settled();
  }
}

/** Pushes what is left queued and records the events read whole; reports a failure of either. */
async function pushTheRest(cycle: Cycle): Promise<void> {
  let pushFailure;
  try {
    pushFailure = await cycle.eventsRead.record();
  } catch (error) {
    cycle.report.failures.push(cycleFailure('state', error));
    return;
  }
  if (pushFailure)
    cycle.report.failures.push(cycleFailure('sekoia', pushFailure.error, pushFailure.iocsNotPushed));
}

/**
 * Moves the cursor to the window's end when the whole window went through, and remembers the
 * history read (only when it grew: a quiet cycle writes the cursor alone).
 */
async function moveCursor(cycle: Cycle): Promise<void> {
  const { report } = cycle;
  if (report.failures.length > 0) return;
  try {
    await cycle.state.setCursor(report.window.endMs);
    const applied = appliedWindowAfter(cycle.appliedDays, cycle.deps.settings.publishDays);
    if (applied !== cycle.appliedDays) await cycle.state.setAppliedWindowDays(applied);
    report.cursorMoved = !report.dryRun;
  } catch (error) {
    report.failures.push(cycleFailure('state', error));
  }
}

/**
 * ioc_context: an attribute's source (event, tags, MISP page) as its IOCs' description. The MISP URL
 * is stripped of credentials and query; a description that would hold a key is not sent.
 */
function describeSource(settings: Readonly<TriggerSettings>): (raw: unknown) => string | undefined {
  const mispUrl = (safeUrl(settings.mispUrl) ?? '').replace(/\/$/, '');
  const secrets = [settings.mispApiKey, settings.sekoiaApiKey].filter((key): key is string => !!key);
  return (raw) => {
    const description = sourceDescription(raw, mispUrl);
    return description && !secrets.some((secret) => description.includes(secret)) ? description : undefined;
  };
}

/**
 * The window from the cursor, with the catch-up warning when the outage was longer than the cap,
 * and the history line when a raised publish_timestamp is read once.
 */
async function startCycle(deps: CycleDependencies, startedAt: number): Promise<Cycle> {
  const { settings, dryRun } = deps;
  const state = dryRun ? new DryRunState(deps.state) : deps.state;
  const appliedDays = await state.getAppliedWindowDays();
  const window = computeWindow(startedAt, await state.getCursor(), settings.publishDays, appliedDays);
  const capWarning = catchUpWarning(window);
  if (capWarning) deps.logger.warning(capWarning);
  const history = historyNotice(window, settings.publishDays);
  if (history) deps.logger.info(history);
  const drySink = dryRun ? new DryRunSink() : undefined;
  const validUntil = validUntilOf(startedAt, settings.iocValidityDays);
  const pusher = new BatchPusher(
    drySink ?? deps.sink,
    state,
    (format) => pushedKeyTtlMs(format, settings.iocValidityDays),
    { validUntil },
    deps.signal,
    pushRecordFor(startedAt, settings.iocValidityDays, window.startMs),
    { batchSizeHalved: (size, status, message) => deps.logger.warning(batchSizeLine(size, status, message)) },
  );
  const queue = new PushQueue(pusher, deps.onProgress);
  const eventsRead = new EventsReadRecorder(state, queue, eventsReadTtlMs(settings.publishDays));
  const report = { ...emptyReport(window, dryRun), validUntil };
  const describe = settings.iocContext ? describeSource(settings) : undefined;
  return { deps, state, pusher, queue, eventsRead, drySink, describe, report, appliedDays };
}

/**
 * One polling cycle: read the window by events (src/misp/window-reader.ts; events a previous
 * cycle read whole are skipped; the next answer downloading while the current one is
 * processed), map, dedupe within the cycle and against the state, batch by format, push, mark
 * accepted batches, and move the cursor only when the whole window went through. A page's state
 * read runs while the previous page's batches are pushed; pushes stay one at a time, in order.
 * MISP, Sekoia.io and state failures end the cycle early and are reported; fatal errors, aborts and
 * bugs are thrown. A state failure reading the cursor is thrown too: nothing was done yet.
 */
export async function runCycle(deps: CycleDependencies): Promise<CycleReport> {
  const startedAt = deps.clock.now();
  const cycle = await startCycle(deps, startedAt);
  await readAndPush(cycle);
  await moveCursor(cycle);
  const { report } = cycle;
  Object.assign(report, cycle.pusher.totals);
  if (cycle.drySink) report.dryRunExamples = cycle.drySink.examples;
  report.durationMs = deps.clock.now() - startedAt;
  return report;
}
