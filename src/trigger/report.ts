import { printableExcerpt } from '../pipeline/text';
import { formatNumber } from '../numbers';
import { formatCountsByFormat } from '../pipeline/summary';
import { formatInvalidValuesWarning } from '../pipeline/tally';
import { SEKOIA_FORMATS } from '../sekoia/types';
import { type AppError, messageOf } from '../errors';
import { DATA_FOLDER_FIX, StateError } from '../state/errors';
import type { CycleFailure, CycleReport } from './cycle';
import { formatUtcMinute } from './window';

/** The name of the event sent after a cycle that pushed at least one IOC. */
export const EVENT_NAME = 'MISP IDS attributes pushed';

function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function windowPhrase(report: CycleReport): string {
  return `events published ${formatUtcMinute(report.window.startMs)} to ${formatUtcMinute(report.window.endMs)} UTC`;
}

/** What happens next, for the end of a line: "the next cycle in 300 s" or "the next run". */
function nextCycle(nextPollSeconds: number | undefined): string {
  return nextPollSeconds === undefined ? 'the next run' : `the next cycle in ${nextPollSeconds} s`;
}

/** The event's and the summary's `skipped`, every reason present. */
export function skippedCounts(report: CycleReport): Record<string, number> {
  const mapping = report.tally.counts();
  return {
    already_pushed: report.alreadyPushed,
    invalid_value: mapping.invalid_value ?? 0,
    unsupported_type: mapping.unsupported_type ?? 0,
    rejected: report.rejected,
  };
}

function skippedPhrase(report: CycleReport): string {
  const counts = skippedCounts(report);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason.replace(/_/g, ' ')} ${formatNumber(n)}`);
  return total === 0 ? '' : `; skipped ${formatNumber(total)} (${parts.join(', ')})`;
}

/**
 * The cycle's info line, e.g. "Cycle done in 2.3 s: 1,200 attributes read (events published
 * 2026-11-27 08:00 to 2026-11-28 08:00 UTC, 3 pages); pushed 800 IOCs (ipv4-addr.value 300, ...);
 * skipped 400 (already pushed 350, ...); MISP warninglists dropped 5. Next poll in 300 s."
 * `nextPollSeconds` undefined: no next poll (one-cycle run).
 */
export function summaryLine(report: CycleReport, nextPollSeconds: number | undefined): string {
  const head =
    report.failures.length > 0
      ? `Cycle stopped early after ${seconds(report.durationMs)}`
      : `${report.dryRun ? 'Dry-run cycle' : 'Cycle'} done in ${seconds(report.durationMs)}`;
  const next = nextPollSeconds === undefined ? '' : ` Next poll in ${nextPollSeconds} s.`;
  const dropped =
    (report.refanged > 0 ? `; refanged ${formatNumber(report.refanged)} (hxxp://, [.])` : '') +
    (report.warninglistSkipped > 0
      ? `; MISP warninglists dropped ${formatNumber(report.warninglistSkipped)}`
      : '');
  if (report.attributesRead === 0 && report.failures.length === 0) {
    return `${head}: nothing new (no IDS attribute in ${windowPhrase(report)})${dropped}.${next}`;
  }
  const read = `${plural(report.attributesRead, 'attribute', 'attributes')} read (${windowPhrase(report)}, ${plural(report.pages, 'page', 'pages')})`;
  const verb = report.dryRun ? 'would push' : 'pushed';
  const pushed =
    report.iocsPushed === 0
      ? 'nothing new to push'
      : `${verb} ${plural(report.iocsPushed, 'IOC', 'IOCs')} (${formatCountsByFormat(report.pushedByFormat)})`;
  return `${head}: ${read}; ${pushed}${skippedPhrase(report)}${dropped}.${next}`;
}

/** The cycle's warning about invalid values (counts by type, 3 examples), or undefined. */
export function invalidValuesLine(report: CycleReport): string | undefined {
  return formatInvalidValuesWarning(report.tally);
}

/** The error line about values Sekoia.io refused, or undefined when it refused none. */
export function rejectedLine(report: CycleReport): string | undefined {
  if (report.rejected === 0) return undefined;
  const examples = report.rejectedExamples
    .map((e) => `${e.format} "${printableExcerpt(e.value)}"`)
    .join(', ');
  return (
    `Sekoia.io refused ${plural(report.rejected, 'value', 'values')} (${report.rejectedMessage ?? 'no message'}), ` +
    `e.g. ${examples}. ${report.rejected === 1 ? 'It was' : 'They were'} left out; every other IOC of ` +
    'the cycle was pushed. Check these values in MISP: fix them, or clear their IDS flag (to_ids).'
  );
}

/** What the cycle got done before it stopped, for the failure lines. */
function progressPhrase(report: CycleReport): string {
  if (report.batchesAccepted === 0) return 'No batch was pushed in this cycle';
  return (
    `${plural(report.batchesAccepted, 'batch', 'batches')} (${plural(report.iocsPushed, 'IOC', 'IOCs')}) ` +
    `${report.batchesAccepted === 1 ? 'was' : 'were'} pushed and recorded`
  );
}

/** An error's message without its final full stop, to go on in a sentence. */
export function reasonOf(error: unknown): string {
  return messageOf(error).replace(/[.\s]+$/, '');
}

/** The state's own fix: the data folder, when the store itself failed (a driver error as cause). */
function stateFix(error: Error): string {
  return error.cause === undefined ? '' : ` ${DATA_FOLDER_FIX}`;
}

function mispFailureLine(report: CycleReport, failure: CycleFailure, next: string): string {
  return (
    `Reading MISP failed after ${plural(report.pages, 'page', 'pages')}: ${reasonOf(failure.error)}. ` +
    `${progressPhrase(report)}. The window (${windowPhrase(report)}) is read again by ${next}. Nothing is lost.`
  );
}

function sekoiaFailureLine(report: CycleReport, failure: CycleFailure, next: string): string {
  const left =
    failure.iocsNotPushed > 0
      ? `the other ${plural(failure.iocsNotPushed, 'IOC', 'IOCs')} read so far and `
      : '';
  return (
    `Pushing to Sekoia.io failed: ${reasonOf(failure.error)}. ${progressPhrase(report)}; ${left}the rest of the ` +
    `window will be pushed by ${next}. Nothing is lost.`
  );
}

function stateFailureLine(report: CycleReport, failure: CycleFailure, next: string): string {
  return (
    `The trigger's state failed: ${reasonOf(failure.error)}.${stateFix(failure.error)} ${progressPhrase(report)}. ` +
    `The cursor did not move: ${next} reads the window again and pushes what was not recorded (Sekoia.io ` +
    'ignores a value pushed twice). Nothing is lost.'
  );
}

const FAILURE_LINES = { misp: mispFailureLine, sekoia: sekoiaFailureLine, state: stateFailureLine };

/**
 * The error lines of a cycle that stopped early, one per failure (a MISP failure and the push that
 * failed after it are both told): what failed, its fix, what was kept, what happens next.
 */
export function failureLines(report: CycleReport, nextPollSeconds: number | undefined): string[] {
  const next = nextCycle(nextPollSeconds);
  return report.failures.map((failure) => FAILURE_LINES[failure.service](report, failure, next));
}

/** The error line of a cycle that failed before it began (its report was never built). */
export function cycleErrorLine(error: AppError, nextPollSeconds: number | undefined): string {
  const next = nextCycle(nextPollSeconds);
  if (error instanceof StateError) {
    return (
      `The trigger's state failed before the cycle began: ${reasonOf(error)}.${stateFix(error)} Nothing was ` +
      `read or pushed in this cycle; ${next} tries again. Nothing is lost.`
    );
  }
  return (
    `The cycle failed: ${reasonOf(error)}. What was pushed is recorded; the cursor did not move, so ${next} ` +
    'reads the window again. Nothing is lost.'
  );
}

/** In a dry run: the info line with a few values per format that would have been pushed. */
export function dryRunLine(report: CycleReport): string | undefined {
  if (!report.dryRun) return undefined;
  const examples = report.dryRunExamples ?? {};
  const parts = SEKOIA_FORMATS.filter((format) => (examples[format]?.length ?? 0) > 0).map(
    (format) =>
      `${format} ${formatNumber(report.pushedByFormat[format] ?? 0)}: ` +
      (examples[format] ?? []).map((value) => `"${printableExcerpt(value)}"`).join(', '),
  );
  if (parts.length === 0)
    return 'Dry run: nothing would be pushed; nothing was sent to Sekoia.io and nothing was recorded.';
  return `Dry run, nothing sent to Sekoia.io and nothing recorded. Would push: ${parts.join('; ')}.`;
}

/** Logged once a cycle, when Sekoia.io refused a batch for its size. */
export function batchSizeLine(
  size: number,
  status: number | undefined,
  apiMessage: string | undefined,
): string {
  const answer = `${status ?? 'an error'}${apiMessage ? ` (${apiMessage})` : ''}`;
  return (
    `Sekoia.io refused a batch for its size with ${answer}: the batches of this cycle are cut to ${size} IOCs ` +
    '(halved again if refused again) and the next cycle starts again at 1,000. Nothing is lost; if this ' +
    'comes back every cycle, tell Sekoia.io support.'
  );
}
