import { printableExcerpt } from '../../pipeline/text';
import { DATA_FOLDER_FIX } from '../../state/errors';
import { formatNumber } from '../../numbers';
import { formatUtcMinute } from '../window';
import type { CycleFailure } from '../read-and-push';
import { FAILED, incompleteReason, outcomeFields, windowFields, type EventTarget } from '../cycle-event';
import type { SweepReport } from './sweep';
import { REVOCATION_BUDGET } from './plan';

/** The name of the event sent after each reconciliation sweep. */
export const RECONCILIATION_EVENT_NAME = 'MISP IDS reconciliation';

function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

function windowPhrase(report: SweepReport): string {
  return `events published ${formatUtcMinute(report.window.startMs)} to ${formatUtcMinute(report.window.endMs)} UTC`;
}

function nextSweep(nextHours: number | undefined): string {
  return nextHours === undefined ? 'the next reconciliation' : `the next reconciliation in ${nextHours} h`;
}

/** "12 missing pushed", with the reason when the sweep could tell it for some. */
function missingPhrase(report: SweepReport, verb: string): string {
  const { eligible_after_publication: later, unknown } = report.missingByReason;
  const reasons =
    later > 0
      ? ` (${formatNumber(later)} flagged after their event was published, ${formatNumber(unknown)} other)`
      : '';
  return `${formatNumber(report.missing)} missing ${verb}${reasons}`;
}

/** What became of the withdrawn values that were not revoked, each count when not 0. */
function notRevokedPhrase(report: SweepReport): string {
  const parts = [
    [report.notFound, 'not found in the IOC Collection (tried again at the next reconciliation)'],
    [report.notOurs, 'held by another source or pushed before 1.2.0 (never revoked)'],
    [report.pending, 'pending (their event is unpublished in MISP: being edited)'],
    [report.heldChanged, 'left for the next reconciliation (their event changed in MISP during this one)'],
  ] as const;
  return parts
    .filter(([count]) => count > 0)
    .map(([count, what]) => `, ${formatNumber(count)} ${what}`)
    .join('');
}

/** Revoked values MISP flags again: deleted for good and pushed again, or waiting for the 24 hours. */
function revivedPhrase(report: SweepReport): string {
  if (report.revived === 0 && report.waitingDeletion === 0) return '';
  const flagged = plural(report.revived + report.waitingDeletion, 'revoked IOC', 'revoked IOCs');
  const revived = `${formatNumber(report.revived)} ${report.dryRun ? 'would be deleted and pushed again' : 'deleted for good and pushed again'}`;
  return `; ${flagged} flagged again in MISP: ${revived}, ${formatNumber(report.waitingDeletion)} waiting for the 24 h after their revocation`;
}

/** The collection check's counts, or that it did not run in this sweep. */
function checkPhrase(report: SweepReport): string {
  const check = report.collectionCheck;
  if (check === undefined) {
    return report.refreshDue > 0
      ? `; ${plural(report.refreshDue, 'IOC', 'IOCs')} due for a new expiry, left for the next collection check`
      : '';
  }
  const would = report.dryRun ? 'would be ' : '';
  const state = check.complete ? 'collection checked' : 'collection check stopped early';
  return (
    `; ${state}: ${plural(check.listed, 'indicator', 'indicators')} listed, ${formatNumber(check.refreshed)} ` +
    `${would}given a new expiry (PUT), ${formatNumber(check.absentPushed)} recorded as pushed but absent ${would}pushed again, ` +
    `${formatNumber(check.revokedFlagged)} revoked while MISP flags them` +
    (check.changedDuringListing
      ? ` (the collection changed while listed: ${formatNumber(check.lookedUp)} looked up one by one)`
      : '')
  );
}

function revokedPhrase(report: SweepReport): string {
  if (report.withdrawn === 0) return 'none withdrawn';
  const examples = report.revokedExamples
    .map(
      (e) =>
        `"${printableExcerpt(e.value)}" (attribute ${e.attributeUuid ?? 'unknown'}, event ${e.eventId ?? 'unknown'}, ${e.reason.replace(/_/g, ' ')})`,
    )
    .join(', ');
  const revoked =
    report.revoked === 0 ? 'none revoked' : `${formatNumber(report.revoked)} revoked, e.g. ${examples}`;
  return `${plural(report.withdrawn, 'IOC', 'IOCs')} withdrawn from MISP: ${revoked}${notRevokedPhrase(report)}`;
}

/**
 * The sweep's info line, e.g. "Reconciliation done in 40.2 s: 580,396 attributes read (events
 * published ... UTC); 458,666 IOCs unchanged, 12 missing pushed, 300 refreshed; 5 IOCs withdrawn
 * from MISP: 5 revoked, e.g. ... Next reconciliation in 24 h."
 */
export function sweepSummaryLine(report: SweepReport, nextHours: number | undefined): string {
  const stopped = report.failures.length > 0;
  const head = `${report.dryRun ? 'Dry-run reconciliation' : 'Reconciliation'} ${stopped ? 'stopped early after' : 'done in'} ${(report.durationMs / 1000).toFixed(1)} s`;
  const verb = report.dryRun ? 'would push' : 'pushed';
  const counts =
    `${plural(report.unchanged, 'IOC', 'IOCs')} unchanged, ${missingPhrase(report, verb)}, ` +
    `${formatNumber(report.refreshed)} ${report.dryRun ? 'would be refreshed' : 'refreshed'} (they would expire before ${nextSweep(nextHours)})`;
  const next = nextHours === undefined ? '' : ` Next reconciliation in ${nextHours} h.`;
  return `${head}: ${plural(report.attributesRead, 'attribute', 'attributes')} read (${windowPhrase(report)}); ${counts}; ${revokedPhrase(report)}${revivedPhrase(report)}${checkPhrase(report)}.${next}`;
}

/** The line telling why withdrawn IOCs were left in the collection, with its level, or undefined. */
export function revocationHeldLine(
  report: SweepReport,
): { level: 'info' | 'warning'; message: string } | undefined {
  const withdrawn = plural(report.withdrawn, 'IOC', 'IOCs');
  const left = report.withdrawn - report.revoked;
  switch (report.revocationHeld) {
    case 'revoke_withdrawn_off':
      return {
        level: 'info',
        message: `${withdrawn} this trigger pushed ${report.withdrawn === 1 ? 'is' : 'are'} no longer flagged in MISP and stay in the IOC Collection until they expire: revoke_withdrawn is off. Turn it on to revoke them (a revocation cannot be undone).`,
      };
    case 'dry_run':
      return {
        level: 'info',
        message: `Dry run: ${withdrawn} would be revoked (no longer flagged in MISP); nothing was revoked.`,
      };
    case 'misp_read_empty':
      return {
        level: 'warning',
        message: `MISP returned no IDS attribute for the ${windowPhrase(report)}, while this trigger pushed ${plural(report.pushedInWindow, 'IOC', 'IOCs')} for them: nothing was revoked, as this looks like MISP showing less than it holds. Check that the MISP user of misp_api_key still sees these events (its organisation, sharing groups, role), and include_tags and exclude_tags.`,
      };
    case 'mostly_withdrawn':
      return {
        level: 'warning',
        message: `MISP no longer flags ${report.withdrawn === 1 ? 'one' : formatNumber(report.withdrawn)} of the ${formatNumber(report.pushedInWindow)} IOCs this trigger pushed for the ${windowPhrase(report)}: more than half, which looks like MISP showing less than it holds rather than withdrawals, so nothing was revoked. Check that the MISP user of misp_api_key still sees these events, and include_tags, exclude_tags and attribute_types. If they really were withdrawn, they expire in Sekoia.io, or revoke them in the IOC Collection.`,
      };
    case 'budget_reached':
      return {
        level: 'warning',
        message: `Revocation budget reached: ${formatNumber(report.revoked)} of the ${withdrawn} no longer flagged in MISP were revoked (${REVOCATION_BUDGET} at most per reconciliation); the other ${formatNumber(left)} are revoked by the next reconciliations.`,
      };
    default:
      return undefined;
  }
}

function failureLine(report: SweepReport, failure: CycleFailure, next: string): string {
  const reason = failure.error.message.replace(/[.\s]+$/, '');
  const pushed = `${plural(report.iocsPushed, 'IOC', 'IOCs')} pushed or refreshed before`;
  if (failure.service === 'misp') {
    return `Reconciliation: reading MISP failed after ${plural(report.pages, 'page', 'pages')}: ${reason}. Nothing was revoked (a partial read would look like withdrawals); ${pushed}. ${next} reads the window again.`;
  }
  if (failure.service === 'state') {
    return `Reconciliation: the trigger's state failed: ${reason}.${failure.error.cause === undefined ? '' : ` ${DATA_FOLDER_FIX}`} ${pushed}; ${next} tries again.`;
  }
  return `Reconciliation: Sekoia.io failed: ${reason}. ${pushed}, ${plural(report.revoked, 'IOC', 'IOCs')} revoked; ${next} pushes and revokes the rest. Nothing is lost.`;
}

/** One error line per failure of the sweep: what failed, what was done, what happens next. */
export function sweepFailureLines(report: SweepReport, retryHours: number | undefined): string[] {
  const next =
    retryHours === undefined
      ? 'the next reconciliation'
      : `the next reconciliation (in ${retryHours} h at most)`;
  return report.failures.map((failure) => failureLine(report, failure, next));
}

/** A sweep also revokes: its Sekoia.io failure is not only a push's. */
const SWEEP_FAILED = { ...FAILED, sekoia: 'Sekoia.io failed' };

/** The one line a playbook can post to a channel as it is. */
function sweepEventSummary(report: SweepReport, target: EventTarget, reason: string | undefined): string {
  return (
    `MISP IDS reconciliation -> ${target.collectionUuid}: ${formatNumber(report.missing)} missing pushed, ` +
    `${formatNumber(report.refreshed)} refreshed, ${formatNumber(report.revoked)} revoked of ` +
    `${formatNumber(report.withdrawn)} withdrawn, ${formatNumber(report.unchanged)} unchanged. ` +
    (reason ? `Incomplete (${reason}): the next reconciliation does the rest.` : 'Complete.')
  );
}

/** The sweep's event, valid against the `results` schema of trigger_misp_ids_to_ioc.json. */
export function sweepEvent(report: SweepReport, target: EventTarget): Record<string, unknown> {
  const invalid = report.tally.counts().invalid_value ?? 0;
  const reason = incompleteReason(report.failures, SWEEP_FAILED);
  const event: Record<string, unknown> = {
    kind: 'reconciliation',
    summary: sweepEventSummary(report, target, reason),
    ...outcomeFields(report, target, reason, invalid),
    skipped: {
      invalid_value: invalid,
      unsupported_type: report.tally.counts().unsupported_type ?? 0,
      rejected: report.rejected,
    },
    task_ids: [...report.taskIds],
    missing_pushed: report.missing,
    missing_by_reason: { ...report.missingByReason },
    refreshed: report.refreshed,
    unchanged: report.unchanged,
    withdrawn: report.withdrawn,
    revoked: report.revoked,
    pending: report.pending,
    not_found: report.notFound,
    not_ours: report.notOurs,
    revived: report.revived,
    waiting_deletion: report.waitingDeletion,
    ...windowFields(report),
  };
  if (report.revocationHeld) event.revocation_held = report.revocationHeld;
  const check = report.collectionCheck;
  if (check) {
    event.collection_check = {
      complete: check.complete,
      listed: check.listed,
      refreshed: check.refreshed,
      absent_pushed: check.absentPushed,
      revoked_flagged: check.revokedFlagged,
      looked_up: check.lookedUp,
      changed_during_listing: check.changedDuringListing,
    };
  }
  return event;
}
