import type { Clock } from '../clock';
import { AbortedError, AppError, isAbortError } from '../errors';
import type { MispAttributeQuery, MispClient, MispPage } from '../misp/types';
import { Batcher } from '../pipeline/batcher';
import { iocKey } from '../pipeline/keys';
import { mapAttribute } from '../pipeline/mapping';
import { SkipTally } from '../pipeline/tally';
import type { Ioc, KeyedBatch } from '../pipeline/types';

import type { Logger } from '../runtime/types';
import type { IndicatorBatch, IocCollectionSink, SekoiaFormat } from '../sekoia/types';
import type { TriggerState } from '../state/types';
import type { TriggerSettings } from './config';
import { DryRunSink, DryRunState } from './dry-run';
import { prefetch } from './prefetch';
import { BatchPusher, PushTotals } from './pusher';
import {
  catchUpWarning,
  computeWindow,
  CycleWindow,
  pushedKeyTtlMs,
  toEpochSeconds,
  validUntilOf,
} from './window';

/** An IOC with its key (iocKey), built once. */
type KeyedIoc = readonly [string, Ioc];

/** MISP attributes per restSearch page: a page of this size is a few MB of JSON. */
export const MISP_PAGE_SIZE = 2000;

/**
 * Attributes mapped between two turns of the event loop. Mapping a whole page at once holds the
 * thread for milliseconds, and every push waiting on its answer or on the state waits as long:
 * slices of 250 cut a 1,000,000-attribute sync by about 7% (README, Performance).
 */
export const MAP_SLICE_ATTRIBUTES = 250;

/** Lets pending I/O callbacks (an answer from Sekoia.io, a state write done) run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

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

/** Why a cycle stopped before the end of its window. The cursor did not move. */
export interface CycleFailure {
  service: 'misp' | 'sekoia';
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
  dryRun: boolean;
  /** In a dry run: a few values per format that would have been pushed. */
  dryRunExamples?: Partial<Record<SekoiaFormat, string[]>>;
  /** Set when the cycle stopped early; undefined when every batch was accepted. */
  failure?: CycleFailure;
  cursorMoved: boolean;
}

/** A push failed: carries the error and how many IOCs of the current batches were not pushed. */
class PushInterrupted extends Error {
  constructor(
    override readonly cause: unknown,
    readonly pending: number,
  ) {
    super('push interrupted');
  }
}

/** A non-fatal error of ours ends the cycle and is reported; fatal errors, aborts and bugs propagate. */
function isCycleFailure(error: unknown): error is AppError {
  return error instanceof AppError && !error.fatal && !isAbortError(error);
}

function countValues(batches: readonly IndicatorBatch[]): number {
  return batches.reduce((sum, batch) => sum + batch.values.length, 0);
}

/** An AbortController for the cycle's MISP requests: aborted with the run, or when the cycle ends. */
function linkedController(signal: AbortSignal): { controller: AbortController; unlink: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * One polling cycle: read the window's pages (the next one downloading while the current one is
 * processed), map, dedupe within the cycle and against the state, batch by format, push, mark
 * accepted batches, and move the cursor only when the whole window went through. A page's state
 * read runs while the previous page's batches are pushed; pushes stay one at a time, in order.
 */
export async function runCycle(deps: CycleDependencies): Promise<CycleReport> {
  const { settings, clock, signal, dryRun } = deps;
  const startedAt = clock.now();
  const state = dryRun ? new DryRunState(deps.state) : deps.state;
  const drySink = dryRun ? new DryRunSink() : undefined;
  const window = computeWindow(startedAt, await state.getCursor(), settings.publishDays);
  const capWarning = catchUpWarning(window);
  if (capWarning) deps.logger.warning(capWarning);

  const pusher = new BatchPusher(
    drySink ?? deps.sink,
    state,
    pushedKeyTtlMs(settings.publishDays, settings.iocValidityDays),
    { validUntil: validUntilOf(startedAt, settings.iocValidityDays) },
    signal,
  );
  const batcher = new Batcher();
  const report: CycleReport = {
    ...pusher.totals,
    window,
    durationMs: 0,
    pages: 0,
    attributesRead: 0,
    warninglistSkipped: 0,
    tally: new SkipTally(),
    alreadyPushed: 0,
    dryRun,
    cursorMoved: false,
  };

  // Keys marked pushed since the state read in progress began: that read may not show them.
  const markedDuringRead = new Set<string>();
  pusher.onMarked = (keys) => {
    for (const key of keys) markedDuringRead.add(key);
  };

  /** Maps a page and reads the state for it; may run while the previous page's pushes go on. */
  const readPage = async (page: MispPage): Promise<KeyedIoc[]> => {
    if (page.attributes.length > 0) report.pages += 1;
    report.attributesRead += page.attributes.length;
    report.warninglistSkipped += page.warninglistSkipped;
    // Insertion-ordered: values are pushed in MISP's order (Attribute.id asc).
    const fresh = new Map<string, Ioc>();
    let index = 0;
    for (const raw of page.attributes) {
      if (index++ % MAP_SLICE_ATTRIBUTES === 0) await yieldToEventLoop();
      const mapped = mapAttribute(raw, settings.attributeTypes);
      if (mapped.skipped) report.tally.record(mapped.skipped);
      for (const ioc of mapped.iocs) {
        const key = iocKey(ioc);
        // A value twice in the page, or waiting in the batcher, is taken already by this cycle.
        if (fresh.has(key) || batcher.has(key)) report.alreadyPushed += 1;
        else fresh.set(key, ioc);
      }
    }
    // A mark asked for before this read is in it (the state runs one operation at a time); a mark
    // asked for after it begins is caught by markedDuringRead.
    markedDuringRead.clear();
    const unpushed = fresh.size === 0 ? [] : await state.filterUnpushed([...fresh.keys()]);
    report.alreadyPushed += fresh.size - unpushed.length;
    return unpushed.map((key) => [key, fresh.get(key) as Ioc] as const);
  };

  // The previous page's pushes; a failure surfaces at the next page or at the end of the window.
  let pushing: Promise<void> = Promise.resolve();
  /** Once the previous page's pushes are over: batches the page's IOCs and starts pushing full batches. */
  const pushPage = async (iocs: KeyedIoc[]): Promise<void> => {
    try {
      await pushing;
    } catch (error) {
      if (error instanceof PushInterrupted)
        throw new PushInterrupted(error.cause, error.pending + iocs.length);
      throw error;
    }
    const taken = iocs.filter(([key]) => {
      // Pushed by the previous page while the state was read, or queued since.
      const duplicate = markedDuringRead.has(key) || batcher.has(key);
      if (duplicate) report.alreadyPushed += 1;
      return !duplicate;
    });
    pushing = pushAll(batcher.addKeyed(taken));
    pushing.catch(() => undefined);
  };

  const pushAll = async (batches: readonly KeyedBatch[]): Promise<void> => {
    for (let index = 0; index < batches.length; index += 1) {
      try {
        await pusher.push(batches[index]);
      } catch (error) {
        throw new PushInterrupted(error, countValues(batches.slice(index)));
      }
      deps.onProgress?.();
    }
  };

  const query: MispAttributeQuery = {
    publishFrom: toEpochSeconds(window.startMs),
    publishTo: toEpochSeconds(window.endMs),
    types: [...settings.attributeTypes],
    enforceWarninglist: settings.enforceWarninglist,
    includeTags: settings.includeTags,
    excludeTags: settings.excludeTags,
    pageSize: deps.pageSize ?? MISP_PAGE_SIZE,
  };
  const { controller, unlink } = linkedController(signal);
  try {
    const pages = prefetch(deps.misp.searchAttributes(query, controller.signal))[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<MispPage>;
      try {
        next = await pages.next();
      } catch (error) {
        if (!isCycleFailure(error)) throw error;
        report.failure = { service: 'misp', error, iocsNotPushed: 0 };
        break;
      }
      if (next.done) break;
      if (signal.aborted) throw new AbortedError(signal.reason);
      await pushPage(await readPage(next.value));
      deps.onProgress?.();
    }
    // What was read is pushed even when MISP failed: it is marked, and the next cycle skips it.
    await pushing;
    await pushAll(batcher.flush());
  } catch (error) {
    if (!(error instanceof PushInterrupted)) throw error;
    if (!isCycleFailure(error.cause)) throw error.cause;
    const pending = error.pending + countValues(batcher.flush());
    report.failure = { service: 'sekoia', error: error.cause, iocsNotPushed: pending };
  } finally {
    controller.abort();
    unlink();
    // Nothing may still write to the state when the cycle returns (it may be closed next).
    await pushing.catch(() => undefined);
  }

  Object.assign(report, pusher.totals);
  if (drySink) report.dryRunExamples = drySink.examples;
  if (!report.failure) {
    await state.setCursor(window.endMs);
    report.cursorMoved = !dryRun;
  }
  report.durationMs = clock.now() - startedAt;
  return report;
}
