import { HOUR_MS } from '../../clock';
import { AppError, isAbortError } from '../../errors';
import { safeUrl } from '../../http/url';
import type { TriggerContext } from '../../runtime/types';
import type { SweepMarks } from '../../state/types';
import type { MispModuleConfiguration, MispTriggerConfiguration, TriggerSettings } from '../config';
import type { TriggerDependencies } from '../dependencies';
import { formatNumber } from '../../numbers';
import { reasonOf } from '../report';
import { isSweepDue, originOf, SWEEP_RETRY_MS } from './plan';
import {
  RECONCILIATION_EVENT_NAME,
  revocationHeldLine,
  sweepEvent,
  sweepFailureLines,
  sweepSummaryLine,
} from './report';
import { runSweep, SweepReport } from './sweep';

type Context = TriggerContext<MispModuleConfiguration, MispTriggerConfiguration>;

/** Logs the sweep's lines and sends its event (not in a dry run). */
async function reportSweep(
  context: Context,
  report: SweepReport,
  settings: Readonly<TriggerSettings>,
): Promise<void> {
  const everyHours = settings.reconcileEveryHours;
  const { logger } = context;
  const nextHours = context.runOptions.once || everyHours <= 0 ? undefined : everyHours;
  logger.info(sweepSummaryLine(report, nextHours));
  const held = revocationHeldLine(report);
  if (held) logger[held.level](held.message);
  const retryHours = nextHours === undefined ? undefined : Math.min(everyHours, SWEEP_RETRY_MS / HOUR_MS);
  for (const line of sweepFailureLines(report, retryHours)) logger.error(line);
  if (report.dryRun) return;
  try {
    // As the cycle's event names it: no credentials, no trailing "/".
    const server = (safeUrl(settings.sekoiaServer) ?? '<invalid URL>').replace(/\/$/, '');
    const target = { collectionUuid: settings.collectionId, server };
    await context.sendEvent(RECONCILIATION_EVENT_NAME, sweepEvent(report, target));
  } catch (error) {
    if (isAbortError(error)) throw error;
    logger.error(`The reconciliation's event could not be sent to Sekoia.io: ${reasonOf(error)}.`);
  }
}

/** The sweep marks with the history's origin brought up to date; undefined when no sweep is due. */
async function dueMarks(
  context: Context,
  settings: Readonly<TriggerSettings>,
  deps: TriggerDependencies,
  forced: boolean,
): Promise<SweepMarks | undefined> {
  const now = context.clock.now();
  let marks = await deps.state.getSweepMarks();
  const originMs = originOf(marks, await deps.state.getCursor(), now, settings.publishDays);
  // The first cycle read the whole window since the origin: the first sweep is one period later.
  if (marks.lastSweepAtMs === undefined && marks.lastAttemptAtMs === undefined)
    marks = { lastSweepAtMs: now };
  const due = forced || isSweepDue(now, marks, settings.reconcileEveryHours);
  if (context.runOptions.dryRun) return due ? { ...marks, originMs } : undefined;
  if (!due) {
    if (originMs !== marks.originMs) await deps.state.setSweepMarks({ ...marks, originMs });
    return undefined;
  }
  const begun = { ...marks, originMs, lastAttemptAtMs: now };
  await deps.state.setSweepMarks(begun);
  return begun;
}

/** What a sweep that threw had done: the line to log says whether anything was revoked. */
function sweepThrewLine(error: unknown, report: SweepReport | undefined): string {
  const done =
    report === undefined || report.revoked === 0
      ? 'Nothing was revoked'
      : `${formatNumber(report.revoked)} IOC${report.revoked === 1 ? ' was' : 's were'} revoked (each recorded before the failure)`;
  return `The reconciliation failed: ${reasonOf(error)}. ${done}; the next reconciliation tries again.`;
}

/**
 * Runs a reconciliation sweep after a cycle when one is due (reconcile_every_hours) or `forced`
 * (--reconcile), logs it and sends its event. A failure of the sweep is logged and never stops the
 * trigger, except a fatal error (thrown) or an abort (resolves false). A bug in the sweep is a
 * failed cycle, as a bug in a cycle is (the runtime logs it with its stack): the trigger goes on.
 */
export async function sweepIfDue(
  context: Context,
  settings: Readonly<TriggerSettings>,
  deps: TriggerDependencies,
  forced: boolean,
): Promise<boolean> {
  const { clock, logger, signal, runOptions } = context;
  let report: SweepReport | undefined;
  try {
    const marks = await dueMarks(context, settings, deps, forced);
    if (marks === undefined) return true;
    report = await runSweep({
      ...deps,
      clock,
      logger,
      settings,
      signal,
      dryRun: runOptions.dryRun,
      onProgress: () => context.heartbeat(),
      forceCheck: forced,
    });
    // Told first: what was revoked is logged even if recording the sweep fails next.
    await reportSweep(context, report, settings);
    // Complete only when no step stopped early: the rest is done by a retry within SWEEP_RETRY_MS.
    const complete = report.failures.length === 0;
    if (!runOptions.dryRun) {
      const checked = report.collectionCheck?.complete === true;
      const lastCheckAtMs = checked ? marks.lastAttemptAtMs : marks.lastCheckAtMs;
      if (complete)
        await deps.state.setSweepMarks({ ...marks, lastSweepAtMs: marks.lastAttemptAtMs, lastCheckAtMs });
      // The sweep's pushes, revocations and marks (uploaded when the state is on S3).
      await deps.state.save().catch((error: unknown) => {
        if (isAbortError(error) || (error instanceof AppError && error.fatal)) throw error;
        logger.error(`The state could not be saved: ${reasonOf(error)}.`);
      });
    }
    return true;
  } catch (error) {
    if (isAbortError(error)) return false;
    if (error instanceof AppError && error.fatal) throw error;
    if (!(error instanceof AppError)) {
      context.cycleFailed(error);
      return true;
    }
    logger.error(sweepThrewLine(error, report));
    return true;
  }
}
