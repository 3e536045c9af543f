import type { MispEventGroup } from '../../misp/types';
import { SkipTally } from '../../pipeline/tally';
import type { Ioc } from '../../pipeline/types';
import { BloomFilter } from '../../state/bloom';
import type { TriggerState } from '../../state/types';
import {
  cycleFailure,
  CycleDependencies,
  CycleFailure,
  MISP_PAGE_SIZE,
  takeEachPage,
  withReadSignal,
} from '../cycle';
import { DryRunSink, DryRunState } from '../dry-run';
import { mapPage } from '../page-iocs';
import { prefetch } from '../prefetch';
import { BatchPusher, emptyTotals, PushTotals } from '../pusher';
import { KeyedIoc, PushQueue } from '../push-queue';
import { pushedKeyTtlMs, toEpochSeconds, validUntilOf } from '../window';
import {
  classifyFlagged,
  missingReason,
  MissingReason,
  pushRecordFor,
  refreshBeforeMs,
  EventStamp,
  SweepWindow,
  sweepWindow,
} from './plan';
import { revokeWithdrawn, RevocationOutcome, IndicatorRevoker } from './revoke';

/** A cycle's dependencies, with the revoker; `dryRun`: decide and count, but push, revoke and record nothing. */
export interface SweepDependencies extends CycleDependencies {
  /** Revokes in the IOC Collection; needed only with revoke_withdrawn. */
  revoker?: IndicatorRevoker;
}

export interface SweepReport extends PushTotals, RevocationOutcome {
  window: SweepWindow;
  durationMs: number;
  pages: number;
  attributesRead: number;
  /** Values MISP flags in the window (each counted once per page it is on). */
  valuesRead: number;
  tally: SkipTally;
  /** Flagged, never pushed (or lapsed): pushed now, by reason. */
  missing: number;
  missingByReason: Record<MissingReason, number>;
  /** Flagged, lapsing before the next sweep and its margin: pushed again. */
  refreshed: number;
  unchanged: number;
  dryRun: boolean;
  /** What stopped the sweep early (reading MISP, pushing, the state); empty when whole. */
  failures: CycleFailure[];
}

/** A sweep's working parts, built once by runSweep and handed to each step. */
interface Sweep {
  deps: SweepDependencies;
  state: TriggerState;
  pusher: BatchPusher;
  queue: PushQueue;
  /** Every value MISP flags in the window (a Bloom filter: a false "flagged" only spares a revocation). */
  flagged: BloomFilter;
  /** Ids of the events the read returned attributes of. */
  eventsRead: Set<string>;
  /** The events read whole, with their change marks as listed before their read. */
  seenEvents: Map<string, EventStamp>;
  refreshBefore: number;
  originMs: number | undefined;
  cursorMs: number | undefined;
  report: SweepReport;
}

function emptyReport(window: SweepWindow, dryRun: boolean): SweepReport {
  return {
    ...emptyTotals(),
    window,
    durationMs: 0,
    pages: 0,
    attributesRead: 0,
    valuesRead: 0,
    tally: new SkipTally(),
    missing: 0,
    missingByReason: { eligible_after_publication: 0, unknown: 0 },
    refreshed: 0,
    unchanged: 0,
    withdrawn: 0,
    pushedInWindow: 0,
    revoked: 0,
    revokedExamples: [],
    heldChanged: 0,
    dryRun,
    failures: [],
  };
}

/** Sorts a page's flagged values into missing, to refresh and unchanged; returns those to push. */
function sortFlagged(
  sweep: Sweep,
  fresh: ReadonlyMap<string, Ioc>,
  lapseTimes: ReadonlyMap<string, number>,
): KeyedIoc[] {
  const { report } = sweep;
  const toPush: KeyedIoc[] = [];
  for (const [key, ioc] of fresh) {
    const action = classifyFlagged(lapseTimes.get(key), sweep.refreshBefore);
    if (action === 'unchanged') {
      report.unchanged += 1;
      continue;
    }
    if (action === 'missing') {
      report.missing += 1;
      report.missingByReason[missingReason(ioc.source?.publishedAtMs, sweep.originMs, sweep.cursorMs)] += 1;
    } else {
      report.refreshed += 1;
    }
    toPush.push([key, ioc]);
  }
  return toPush;
}

/** Adds the event ids of `attributes` to `eventsRead` (attributes come grouped by event: cheap). */
function noteEventsRead(eventsRead: Set<string>, attributes: readonly unknown[]): void {
  let last: unknown;
  for (const raw of attributes) {
    const eventId = (raw as { event_id?: unknown } | null)?.event_id;
    if (eventId === last) continue;
    last = eventId;
    if (typeof eventId === 'string' || typeof eventId === 'number') eventsRead.add(String(eventId));
  }
}

/**
 * The events the group read whole (listed published in the window) count as read, even with no
 * flagged attribute left; their publish times go into the sources of the group's values: what the
 * sweep pushes gets an exact bound, and a missing value its reason.
 */
function notePublishTimes(
  sweep: Pick<Sweep, 'eventsRead' | 'seenEvents'>,
  group: MispEventGroup,
  fresh: ReadonlyMap<string, Ioc>,
): void {
  if (group.events.length === 0) return;
  const publishedAt = new Map<string, number>();
  for (const event of group.events) {
    sweep.eventsRead.add(event.id);
    sweep.seenEvents.set(event.id, { timestamp: event.timestamp, publishTimestamp: event.publishTimestamp });
    if (event.publishTimestamp > 0) publishedAt.set(event.id, event.publishTimestamp * 1000);
  }
  for (const ioc of fresh.values()) {
    const source = ioc.source;
    if (source === undefined || source.publishedAtMs !== undefined) continue;
    const at = publishedAt.get(source.eventId);
    if (at !== undefined) source.publishedAtMs = at;
  }
}

/** Maps a page, notes what it flags, reads the state for it and queues what to push. */
async function takeSweepPage(sweep: Sweep, page: MispEventGroup): Promise<CycleFailure | undefined> {
  const { report, queue } = sweep;
  if (page.attributes.length > 0) report.pages += 1;
  report.attributesRead += page.attributes.length;
  noteEventsRead(sweep.eventsRead, page.attributes);
  const { fresh } = await mapPage(page, sweep.deps.settings.attributeTypes, report.tally, queue);
  notePublishTimes(sweep, page, fresh);
  for (const key of fresh.keys()) sweep.flagged.add(key);
  report.valuesRead += fresh.size;
  let lapseTimes: ReadonlyMap<string, number>;
  try {
    queue.stateReadBegins();
    lapseTimes = fresh.size === 0 ? new Map() : await sweep.state.readLapseTimes([...fresh.keys()]);
  } catch (error) {
    return cycleFailure('state', error);
  }
  await queue.enqueue(sortFlagged(sweep, fresh, lapseTimes));
  return undefined;
}

/** Reads the sweep's window to its end, pushing as it goes; returns the reading's failure, if any. */
async function readSweepWindow(sweep: Sweep): Promise<CycleFailure | undefined> {
  const { deps, report } = sweep;
  return withReadSignal(deps.signal, async (signal) => {
    const query = {
      publishFrom: toEpochSeconds(report.window.startMs),
      publishTo: toEpochSeconds(report.window.endMs),
      types: [...deps.settings.attributeTypes],
      enforceWarninglist: deps.settings.enforceWarninglist,
      includeTags: deps.settings.includeTags,
      excludeTags: deps.settings.excludeTags,
      pageSize: deps.pageSize ?? MISP_PAGE_SIZE,
    };
    // By events (src/misp/window-reader.ts): a change in MISP during the sweep cannot hide a value.
    const pages = prefetch(deps.misp.readWindow(query, {}, signal))[Symbol.asyncIterator]();
    return takeEachPage(pages, (page) => takeSweepPage(sweep, page), {
      signal: deps.signal,
      onProgress: deps.onProgress,
      stopped: () => sweep.queue.failure !== undefined,
    });
  });
}

async function startSweep(deps: SweepDependencies, startedAt: number): Promise<Sweep> {
  const { settings, dryRun } = deps;
  const state = dryRun ? new DryRunState(deps.state) : deps.state;
  const [marks, cursorMs] = [await state.getSweepMarks(), await state.getCursor()];
  const window = sweepWindow(startedAt, marks.originMs, settings.publishDays);
  const pusher = new BatchPusher(
    dryRun ? new DryRunSink() : deps.sink,
    state,
    (format) => pushedKeyTtlMs(format, settings.iocValidityDays),
    { validUntil: validUntilOf(startedAt, settings.iocValidityDays) },
    deps.signal,
    pushRecordFor(startedAt, settings.iocValidityDays, window.startMs),
  );
  if (!dryRun) pusher.quota = deps.quota;
  return {
    deps,
    state,
    pusher,
    queue: new PushQueue(pusher, deps.onProgress),
    // A new seed each sweep: a value a false positive spared is not spared again next time.
    flagged: new BloomFilter(undefined, undefined, startedAt),
    eventsRead: new Set(),
    seenEvents: new Map(),
    refreshBefore: refreshBeforeMs(startedAt, settings.reconcileEveryHours),
    originMs: marks.originMs,
    cursorMs,
    report: emptyReport(window, dryRun),
  };
}

/** Reads the window and pushes what is missing or to refresh; what was read is pushed even when reading failed. */
async function readAndPush(sweep: Sweep): Promise<boolean> {
  const { report, queue } = sweep;
  let readFailure: CycleFailure | undefined;
  try {
    readFailure = await readSweepWindow(sweep);
    if (readFailure) report.failures.push(readFailure);
    const pushFailure = await queue.finish();
    if (pushFailure)
      report.failures.push(cycleFailure('sekoia', pushFailure.error, pushFailure.iocsNotPushed));
  } finally {
    await queue.settled();
  }
  return readFailure === undefined;
}

/**
 * One reconciliation sweep (issue 11): reads every IDS attribute MISP flags in the sweep's window
 * (see sweepWindow), pushes the values never pushed, pushes again those lapsing before the next
 * sweep, then (revoke_withdrawn) revokes what this trigger pushed and MISP withdrew, unless the
 * read failed or looks implausibly empty (see revocationHold). Records the sweep's time when its
 * read went to the end. Fatal errors, aborts and bugs are thrown; other failures are reported.
 */
export async function runSweep(deps: SweepDependencies): Promise<SweepReport> {
  const startedAt = deps.clock.now();
  const sweep = await startSweep(deps, startedAt);
  const readComplete = await readAndPush(sweep);
  const outcome = await revokeWithdrawn({
    state: sweep.state,
    revoker: deps.revoker,
    settings: deps.settings,
    signal: deps.signal,
    dryRun: deps.dryRun,
    window: sweep.report.window,
    view: {
      flags: (key) => sweep.flagged.mightContain(key),
      readEvent: (eventId) => sweep.eventsRead.has(eventId),
    },
    readComplete: readComplete && !sweep.report.failures.some((failure) => failure.service === 'state'),
    valuesRead: sweep.report.valuesRead,
    startedAtMs: startedAt,
    seenEvents: sweep.seenEvents,
    listEvents: (ids, signal) => deps.misp.listEvents(ids, signal),
  });
  const { report } = sweep;
  Object.assign(report, sweep.pusher.totals, outcome.result);
  if (outcome.failure) report.failures.push(outcome.failure);
  report.durationMs = deps.clock.now() - startedAt;
  return report;
}
