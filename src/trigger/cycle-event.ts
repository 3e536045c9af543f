import { formatCountsByFormat } from '../pipeline/summary';
import type { CycleFailure, CycleReport, CycleService } from './cycle';
import { formatNumber } from '../numbers';
import { skippedCounts } from './report';
import { toIsoSeconds } from './window';

/** Where the cycle pushed to, as the event names it (no credentials in the server). */
export interface EventTarget {
  collectionUuid: string;
  server: string;
}

/** What failed, by service, as the first words of an incomplete cycle's or sweep's reason. */
export const FAILED: Record<CycleService, string> = {
  misp: 'reading MISP failed',
  sekoia: 'pushing to Sekoia.io failed',
  state: "the trigger's state failed",
};

/** Why a cycle (or a sweep) stopped early, in one phrase; undefined when it went through. */
export function incompleteReason(
  failures: readonly CycleFailure[],
  failed: Readonly<Record<CycleService, string>> = FAILED,
): string | undefined {
  return (
    failures
      .map((failure) => `${failed[failure.service]}: ${failure.error.message.replace(/[.\s]+$/, '')}`)
      .join('; ') || undefined
  );
}

/** The one line a playbook can post to a channel as it is. */
export function eventSummary(report: CycleReport, target: EventTarget): string {
  const skipped = skippedCounts(report);
  const reason = incompleteReason(report.failures);
  return (
    `MISP IDS -> ${target.collectionUuid}: pushed ${formatNumber(report.iocsPushed)} IOC${report.iocsPushed === 1 ? '' : 's'}` +
    ` (${formatCountsByFormat(report.pushedByFormat)}) from ${formatNumber(report.attributesRead)} MISP attributes; ` +
    `${formatNumber(skipped.already_pushed)} already pushed, ${formatNumber(skipped.invalid_value)} invalid. ` +
    (reason ? `Cycle incomplete (${reason}): the next cycle pushes the rest.` : 'Cycle complete.')
  );
}

/** The event of a cycle, valid against the `results` schema of trigger_misp_ids_to_ioc.json. */
export function cycleEvent(report: CycleReport, target: EventTarget): Record<string, unknown> {
  const skipped = skippedCounts(report);
  const reason = incompleteReason(report.failures);
  const event: Record<string, unknown> = {
    summary: eventSummary(report, target),
    ...outcomeFields(report, target, reason, skipped.invalid_value),
    skipped,
    warninglist_skipped: report.warninglistSkipped,
    refanged: report.refanged,
    pushed_sample: report.pushedSample.map(({ format, value }) => ({ format, value })),
    invalid_sample: report.tally
      .examples()
      .map(({ type, example, detail }) => ({ type, value: example, problem: detail })),
    task_ids: [...report.taskIds],
  };
  if (report.validUntil !== undefined) event.valid_until = report.validUntil;
  if (report.quota !== undefined) event.quota = { count: report.quota.count, max: report.quota.max };
  return { ...event, ...windowFields(report) };
}

/** What a cycle's and a sweep's events both tell: the outcome, the collection, the counts. */
export function outcomeFields(
  report: Pick<CycleReport, 'iocsPushed' | 'attributesRead' | 'pushedByFormat'>,
  target: EventTarget,
  reason: string | undefined,
  invalidValues: number,
): Record<string, unknown> {
  return {
    complete: reason === undefined,
    ...(reason === undefined ? {} : { incomplete_reason: reason }),
    collection_uuid: target.collectionUuid,
    server: target.server,
    iocs_pushed: report.iocsPushed,
    attributes_processed: report.attributesRead,
    // The names of the Python trigger's event (2.8.11), so that playbooks built on it keep working.
    iocs_submitted: report.iocsPushed,
    iocs_skipped_invalid: invalidValues,
    iocs_by_format: { ...report.pushedByFormat },
  };
}

/** The window read and how long it took, last in both events. */
export function windowFields(report: {
  window: { startMs: number; endMs: number };
  durationMs: number;
}): Record<string, unknown> {
  return {
    window_start: toIsoSeconds(report.window.startMs),
    window_end: toIsoSeconds(report.window.endMs),
    duration_seconds: Math.max(0, report.durationMs) / 1000,
  };
}
