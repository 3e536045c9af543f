import type { MispEventGroup } from '../../misp/types';
import type { Ioc } from '../../pipeline/types';
import { BloomFilter } from '../../state/bloom';
import type { TriggerState } from '../../state/types';
import { DryRunState } from '../dry-run';
import { mapPage } from '../page-iocs';
import type { BatchPusher } from '../pusher';
import type { KeyedIoc, PushQueue } from '../push-queue';
import type { CycleFailure, ReadDependencies, ReadReport } from '../read-and-push';
import { cycleFailure, emptyReadReport, readAndPush, sinkOf, startPushes } from '../read-and-push';
import {
  classifyFlagged,
  missingReason,
  MissingReason,
  refreshBeforeMs,
  EventStamp,
  SweepWindow,
  sweepWindow,
} from './plan';
import { revokeWithdrawn, RevocationOutcome, IndicatorRevoker } from './revoke';
import { rememberedRevocations, RevivalCounts, reviveRevoked } from './revive';

/** A cycle's dependencies, with the revoker; `dryRun`: decide and count, but push, revoke and record nothing. */
export interface SweepDependencies extends ReadDependencies {
  /** Revokes in the IOC Collection; needed only with revoke_withdrawn. */
  revoker?: IndicatorRevoker;
}

export interface SweepReport extends ReadReport, RevocationOutcome, RevivalCounts {
  window: SweepWindow;
  /** Values MISP flags in the window (each counted once per page it is on). */
  valuesRead: number;
  /** Flagged, never pushed (or lapsed): pushed now, by reason. */
  missing: number;
  missingByReason: Record<MissingReason, number>;
  /** Flagged, lapsing before the next sweep and its margin: pushed again. */
  refreshed: number;
  unchanged: number;
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
  /** When the sweep began (before its read): a change in MISP since may have hidden values. */
  startedAtMs: number;
  refreshBefore: number;
  originMs: number | undefined;
  cursorMs: number | undefined;
  /** The values this trigger revoked (key -> when), as the state keeps them. */
  revocations: Map<string, number>;
  report: SweepReport;
}

function emptyReport(window: SweepWindow, dryRun: boolean): SweepReport {
  return {
    ...emptyReadReport(dryRun),
    window,
    valuesRead: 0,
    missing: 0,
    missingByReason: { eligible_after_publication: 0, unknown: 0 },
    refreshed: 0,
    unchanged: 0,
    withdrawn: 0,
    pushedInWindow: 0,
    revoked: 0,
    revokedExamples: [],
    heldChanged: 0,
    pending: 0,
    notFound: 0,
    notOurs: 0,
    revived: 0,
    waitingDeletion: 0,
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

function revivalInput(sweep: Sweep) {
  const { deps } = sweep;
  return {
    state: sweep.state,
    revoker: deps.revoker,
    revocations: sweep.revocations,
    nowMs: deps.clock.now(),
    dryRun: deps.dryRun,
    signal: deps.signal,
    counts: sweep.report,
  };
}

/** Maps a page, notes what it flags, reads the state for it and queues what to push. */
async function takeSweepPage(sweep: Sweep, page: MispEventGroup): Promise<CycleFailure | undefined> {
  const { report, queue } = sweep;
  noteEventsRead(sweep.eventsRead, page.attributes);
  const { fresh } = await mapPage(page, sweep.deps.settings.attributeTypes, report.tally, queue);
  notePublishTimes(sweep, page, fresh);
  for (const key of fresh.keys()) sweep.flagged.add(key);
  report.valuesRead += fresh.size;
  let revived;
  try {
    revived = await reviveRevoked(revivalInput(sweep), fresh);
  } catch (error) {
    return cycleFailure('sekoia', error);
  }
  const { others } = revived;
  let lapseTimes: ReadonlyMap<string, number>;
  try {
    queue.stateReadBegins();
    lapseTimes = others.size === 0 ? new Map() : await sweep.state.readLapseTimes([...others.keys()]);
  } catch (error) {
    return cycleFailure('state', error);
  }
  await queue.enqueue([...revived.toPush, ...sortFlagged(sweep, others, lapseTimes)]);
  return undefined;
}

/**
 * Reads every event published in the sweep's window (whether a cycle read it before or not) and
 * pushes what is missing or to refresh. True only when the read and its pushes went to the end.
 */
function readSweepWindow(sweep: Sweep): Promise<boolean> {
  return readAndPush({
    deps: sweep.deps,
    window: sweep.report.window,
    queue: sweep.queue,
    report: sweep.report,
    take: (page) => takeSweepPage(sweep, page),
    finish: () => sweep.queue.finish(),
  });
}

async function startSweep(deps: SweepDependencies, startedAt: number): Promise<Sweep> {
  const { settings, dryRun } = deps;
  const state = dryRun ? new DryRunState(deps.state) : deps.state;
  const [marks, cursorMs] = [await state.getSweepMarks(), await state.getCursor()];
  const revocations = rememberedRevocations(await state.getRevocations(), startedAt);
  const window = sweepWindow(startedAt, marks.originMs, settings.publishDays);
  const { pusher, queue } = startPushes(deps, state, sinkOf(deps).sink, startedAt, window.startMs);
  return {
    deps,
    state,
    pusher,
    queue,
    // A new seed each sweep: a value a false positive spared is not spared again next time.
    flagged: new BloomFilter(undefined, undefined, startedAt),
    eventsRead: new Set(),
    seenEvents: new Map(),
    startedAtMs: startedAt,
    refreshBefore: refreshBeforeMs(startedAt, settings.reconcileEveryHours),
    originMs: marks.originMs,
    cursorMs,
    revocations,
    report: emptyReport(window, dryRun),
  };
}

/** Revokes what MISP withdrew (revoke_withdrawn), only after a whole read (`readWhole`). */
async function revokeStep(sweep: Sweep, readWhole: boolean): Promise<void> {
  const { deps, report } = sweep;
  const outcome = await revokeWithdrawn({
    state: sweep.state,
    revoker: deps.revoker,
    settings: deps.settings,
    signal: deps.signal,
    dryRun: deps.dryRun,
    window: report.window,
    view: {
      flags: (key) => sweep.flagged.mightContain(key),
      readEvent: (eventId) => sweep.eventsRead.has(eventId),
    },
    readComplete: readWhole,
    stoppedBy: report.failures[0]?.service === 'misp' ? 'misp' : 'other',
    valuesRead: report.valuesRead,
    startedAtMs: sweep.startedAtMs,
    seenEvents: sweep.seenEvents,
    listEvents: (ids, signal) => deps.misp.listEvents(ids, signal),
    revocations: sweep.revocations,
    now: () => deps.clock.now(),
  });
  Object.assign(report, outcome.result);
  if (outcome.failure) report.failures.push(outcome.failure);
}

/**
 * One reconciliation sweep, in steps: (1) read every IDS attribute MISP flags in the sweep's
 * window (see sweepWindow), pushing the values never pushed and pushing again those lapsing before
 * the next sweep; (2) with revoke_withdrawn, revoke what this trigger pushed and MISP withdrew,
 * only when step 1 went to the end of the window and every push succeeded, and unless the read
 * looks implausibly empty (see revocationHold). A sweep is complete when no step met a failure.
 * Fatal errors, aborts and bugs are thrown; other failures are reported.
 */
export async function runSweep(deps: SweepDependencies): Promise<SweepReport> {
  const startedAt = deps.clock.now();
  const sweep = await startSweep(deps, startedAt);
  const readWhole = await readSweepWindow(sweep);
  await revokeStep(sweep, readWhole);
  const { report } = sweep;
  Object.assign(report, sweep.pusher.totals);
  report.durationMs = deps.clock.now() - startedAt;
  return report;
}
