import type { MispEventGroup } from '../misp/types';
import { sourceDescription } from '../pipeline/context';
import { safeUrl } from '../http/url';
import type { QuotaCount } from '../sekoia/quota';
import type { SekoiaFormat } from '../sekoia/types';
import type { TriggerState } from '../state/types';
import type { TriggerSettings } from './config';
import { DryRunSink, DryRunState } from './dry-run';
import { EventsReadRecorder, eventsReadTtlMs, filtersOf, unreadEventsOf } from './events-read';
import { filterUnpushed, mapPage } from './page-iocs';
import type { BatchPusher } from './pusher';
import { PushQueue } from './push-queue';
import {
  cycleFailure,
  CycleFailure,
  emptyReadReport,
  ReadDependencies,
  ReadReport,
  readAndPush,
  sinkOf,
  startPushes,
  windowQuery,
} from './read-and-push';
import {
  appliedWindowAfter,
  catchUpWarning,
  computeWindow,
  CycleWindow,
  historyNotice,
  validUntilOf,
} from './window';

export { MAP_SLICE_ATTRIBUTES } from './page-iocs';
export { MISP_PAGE_SIZE, cycleFailure } from './read-and-push';
export type { CycleFailure, CycleService } from './read-and-push';

/** What a cycle needs: what any read of MISP needs (see read-and-push.ts). */
export type CycleDependencies = ReadDependencies;

export interface CycleReport extends ReadReport {
  window: CycleWindow;
  warninglistSkipped: number;
  /** Values already pushed before, or already taken by this cycle. */
  alreadyPushed: number;
  /** Attributes whose value came defanged (hxxp://, [.]) and was pushed refanged. */
  refanged: number;
  /** The expiry sent with the pushed IOCs (ISO 8601 UTC); undefined without ioc_validity_days. */
  validUntil?: string;
  /** In a dry run: a few values per format that would have been pushed. */
  dryRunExamples?: Partial<Record<SekoiaFormat, string[]>>;
  /** Events published in the window, and how many of them a previous cycle had read whole. */
  events?: { listed: number; alreadyRead: number };
  cursorMoved: boolean;
  /** The community's IOC count (as last read, plus what was pushed since) and quota, when read. */
  quota?: QuotaCount;
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
 * Maps a group's attributes, reads the state for them, queues their new IOCs, and hands its
 * events to the recorder; or the state failure met.
 */
async function takePage(cycle: Cycle, page: MispEventGroup): Promise<CycleFailure | undefined> {
  const { report, queue } = cycle;
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
 * Reads the window (the events a previous cycle read whole are skipped) and pushes it, then
 * records the events read whole once their IOCs are pushed.
 */
function readCycleWindow(cycle: Cycle): Promise<boolean> {
  const { deps, report } = cycle;
  return readAndPush({
    deps,
    window: report.window,
    queue: cycle.queue,
    report,
    events: {
      selectEvents: unreadEventsOf(cycle.state, cycle.eventsRead.filters),
      onEventsListed: (listed, toRead) => (report.events = { listed, alreadyRead: listed - toRead }),
    },
    take: (page) => takePage(cycle, page),
    finish: () => cycle.eventsRead.record(),
  });
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
  const { sink, drySink } = sinkOf(deps);
  const { pusher, queue } = startPushes(deps, state, sink, startedAt, window.startMs);
  const eventsRead = new EventsReadRecorder(
    state,
    queue,
    eventsReadTtlMs(settings.publishDays),
    // The filters of the query the cycle reads with (readAndPush builds the same one).
    filtersOf(windowQuery(settings, window)),
    startedAt,
  );
  const report: CycleReport = {
    ...emptyReadReport(dryRun),
    window,
    warninglistSkipped: 0,
    alreadyPushed: 0,
    refanged: 0,
    cursorMoved: false,
    validUntil: validUntilOf(startedAt, settings.iocValidityDays),
  };
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
  await readCycleWindow(cycle);
  await moveCursor(cycle);
  const { report } = cycle;
  Object.assign(report, cycle.pusher.totals);
  if (cycle.drySink) report.dryRunExamples = cycle.drySink.examples;
  if (deps.quota?.current) report.quota = deps.quota.current;
  report.durationMs = deps.clock.now() - startedAt;
  return report;
}
