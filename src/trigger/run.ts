import { AppError, isAbortError, isBug } from '../errors';
import { safeUrl } from '../http/url';
import { DEFAULT_NAMESPACE } from '../state';
import type { TriggerContext } from '../runtime/types';
import {
  MispModuleConfiguration,
  MispTriggerConfiguration,
  normaliseConfiguration,
  TriggerSettings,
} from './config';
import { CycleReport, runCycle } from './cycle';
import type { DependencyFactory, DependencyInput, TriggerDependencies } from './dependencies';
import { STATE_OUTAGE_RETRY_SECONDS, StateOutageError } from '../state/errors';
import { createTriggerMetrics, TriggerMetrics } from './metrics';
import { cycleEvent } from './cycle-event';
import {
  cycleErrorLine,
  dryRunLine,
  EVENT_NAME,
  failureLines,
  reasonOf,
  invalidValuesLine,
  rejectedLine,
  summaryLine,
} from './report';
import { RetryNotifier } from './retry-notices';
import { sweepIfDue } from './reconcile/schedule';
import { validityDescription } from './window';

type Context = TriggerContext<MispModuleConfiguration, MispTriggerConfiguration>;

/** A URL fit for a log line: no user, password, query, fragment nor trailing "/". */
function urlForLog(text: string): string {
  return (safeUrl(text) ?? '<invalid URL>').replace(/\/$/, '');
}

/** Appended to a fatal error met during a cycle. */
export const PROGRESS_KEPT =
  'What was pushed before is recorded: once this is fixed, restart the trigger; it continues where it ' +
  'stopped and nothing is lost.';

/** What a start-up check may not swallow: fatal errors, aborts and bugs. */
function rethrowIfFatal(error: unknown): void {
  if (isBug(error) || isAbortError(error) || (error instanceof AppError && error.fatal)) throw error;
}

async function startUp(
  context: Context,
  settings: Readonly<TriggerSettings>,
  deps: TriggerDependencies,
): Promise<void> {
  const { logger, signal, runOptions } = context;
  // The collection first: a wrong UUID, region or key is one critical, before anything is read from MISP.
  if (settings.sekoiaApiKey !== undefined) {
    try {
      await deps.sink.checkCollection(signal);
    } catch (error) {
      rethrowIfFatal(error);
      logger.error(
        `Could not check the IOC Collection at start-up: ${reasonOf(error)}. The trigger starts anyway; ` +
          'the first push checks the collection and the key again.',
      );
    }
  }
  let version = 'version unknown';
  try {
    version = await deps.misp.getVersion(signal);
  } catch (error) {
    rethrowIfFatal(error);
    logger.error(
      `Could not read the MISP version at start-up: ${reasonOf(error)}. The first cycle tries MISP again now.`,
    );
  }
  const validity = validityDescription(settings.iocValidityDays);
  logger.info(
    `Started: MISP ${version} at ${urlForLog(settings.mispUrl)} -> IOC Collection ${settings.collectionId} on ` +
      `${urlForLog(settings.sekoiaServer)}; types ${[...settings.attributeTypes].join(', ')}; warninglists ` +
      `${settings.enforceWarninglist ? 'enforced' : 'not enforced'}; first run reads the last ` +
      `${settings.publishDays} day(s), later runs continue from the last complete cycle; IOCs ${validity}; ` +
      `poll every ${settings.sleepSeconds} s${runOptions.dryRun ? '; DRY RUN: nothing is pushed or recorded' : ''}.`,
  );
}

/**
 * Saves what the cycle recorded (kept in S3: uploads it). A failure is an error log and fails the
 * cycle; the changes stay in the local copy and the next save sends them. Returns that error.
 */
async function saveState(context: Context, deps: TriggerDependencies): Promise<unknown> {
  if (context.runOptions.dryRun) return undefined;
  try {
    await deps.state.save();
    return undefined;
  } catch (error) {
    rethrowIfFatal(error);
    context.logger.error(`The state could not be saved: ${reasonOf(error)}.`);
    return error;
  }
}

/** Logs and reports a finished cycle; tells the runtime whether it went well. */
async function reportCycle(
  context: Context,
  report: CycleReport,
  settings: Readonly<TriggerSettings>,
  metrics: TriggerMetrics,
  saveError: unknown,
): Promise<void> {
  const nextPoll = context.runOptions.once ? undefined : settings.sleepSeconds;
  const { logger } = context;
  logger.info(summaryLine(report, nextPoll));
  const dryRun = dryRunLine(report);
  if (dryRun) logger.info(dryRun);
  const invalid = invalidValuesLine(report);
  if (invalid) logger.warning(invalid);
  const rejected = rejectedLine(report);
  if (rejected) logger.error(rejected);
  for (const line of failureLines(report, nextPoll)) logger.error(line);
  metrics.recordCycle(report, context.clock.now());
  if (report.iocsPushed > 0 && !report.dryRun) await sendCycleEvent(context, report, settings);
  if (report.failures.length > 0) context.cycleFailed(report.failures[0].error);
  else if (saveError !== undefined) context.cycleFailed(saveError);
  else context.cycleSucceeded();
}

async function sendCycleEvent(
  context: Context,
  report: CycleReport,
  settings: Readonly<TriggerSettings>,
): Promise<void> {
  const target = { collectionUuid: settings.collectionId, server: urlForLog(settings.sekoiaServer) };
  try {
    await context.sendEvent(EVENT_NAME, cycleEvent(report, target));
  } catch (error) {
    if (isBug(error) || isAbortError(error)) throw error;
    context.logger.error(
      `The cycle's event could not be sent to Sekoia.io: ${reasonOf(error)}. The IOCs were pushed.`,
    );
  }
}

/**
 * What a cycle threw: an abort ends the run (false), a fatal error is thrown with the promise that
 * restarting loses nothing, one of our errors is logged as a failed cycle, and a bug is a failed
 * cycle too (the runtime logs it with its stack): the loop goes on.
 */
function cycleThrew(context: Context, error: unknown, nextPoll: number | undefined): boolean {
  if (isAbortError(error)) return false;
  if (!(error instanceof AppError)) {
    context.cycleFailed(error);
    return true;
  }
  if (error.fatal) {
    // The critical line is all the user reads: say that fixing and restarting loses nothing.
    throw new AppError(`${reasonOf(error)}. ${PROGRESS_KEPT}`, {
      code: error.code,
      fatal: true,
      cause: error,
    });
  }
  context.logger.error(cycleErrorLine(error, nextPoll));
  context.cycleFailed(error);
  return true;
}

/** How a cycle ended: stopped (the run was aborted during it), failed, or whole. */
type CycleOutcome = 'stopped' | 'failed' | 'whole';

/** One cycle, with its report. */
async function cycleOnce(
  context: Context,
  settings: Readonly<TriggerSettings>,
  deps: TriggerDependencies,
  metrics: TriggerMetrics,
): Promise<CycleOutcome> {
  const { clock, logger, signal, runOptions } = context;
  const nextPoll = runOptions.once ? undefined : settings.sleepSeconds;
  const startedAt = clock.now();
  let report: CycleReport;
  try {
    report = await runCycle({
      ...deps,
      clock,
      logger,
      settings,
      signal,
      dryRun: runOptions.dryRun,
      onProgress: () => context.heartbeat(),
    });
  } catch (error) {
    if (!isAbortError(error)) metrics.recordError(clock.now() - startedAt);
    const goOn = cycleThrew(context, error, nextPoll);
    if (goOn) await saveState(context, deps);
    return goOn ? 'failed' : 'stopped';
  }
  const saveError = await saveState(context, deps);
  await reportCycle(context, report, settings, metrics, saveError);
  return report.failures.length > 0 || saveError !== undefined ? 'failed' : 'whole';
}

/**
 * The dependencies, tried again while the state's store has an outage at start-up (S3 answering
 * 5xx or throttling, or out of reach): the platform stops a trigger for good at a critical, and no
 * person can fix an outage. Undefined when the run is aborted meanwhile.
 */
async function openDependencies(
  context: Context,
  create: DependencyFactory,
  input: DependencyInput,
): Promise<TriggerDependencies | undefined> {
  for (;;) {
    try {
      return await create(input);
    } catch (error) {
      if (!(error instanceof StateOutageError)) throw error;
      context.logger.error(error.message);
    }
    try {
      await context.clock.sleep(STATE_OUTAGE_RETRY_SECONDS * 1000, context.signal);
    } catch (error) {
      if (isAbortError(error)) return undefined;
      throw error;
    }
    context.heartbeat();
  }
}

/**
 * The trigger's life: settings, clients and state, a start-up line and key check, then one cycle
 * every sleep_time seconds until the signal aborts (or after one cycle with runOptions.once).
 * The state is closed whatever happens.
 */
export async function runTrigger(context: Context, createDependencies: DependencyFactory): Promise<void> {
  const { clock, logger, signal, runOptions } = context;
  const settings = normaliseConfiguration(
    context.moduleConfiguration,
    context.triggerConfiguration,
    runOptions,
  );
  const metrics = createTriggerMetrics(context.metrics);
  const notifier = new RetryNotifier(logger);
  const deps = await openDependencies(context, createDependencies, {
    settings,
    clock,
    dataPath: context.dataPath,
    storage: context.storage,
    env: context.env,
    namespace: context.triggerConfigurationUuid ?? DEFAULT_NAMESPACE,
    onMispRetry: notifier.forService('MISP'),
    onSekoiaRetry: notifier.forService('Sekoia.io'),
  });
  if (deps === undefined) return;
  try {
    await startUp(context, settings, deps);
    // --reconcile: a sweep after the first cycle, whatever reconcile_every_hours says.
    let forceSweep = runOptions.reconcile === true;
    while (!signal.aborted) {
      context.heartbeat();
      notifier.newCycle();
      const outcome = await cycleOnce(context, settings, deps, metrics);
      if (outcome === 'stopped') break;
      // A sweep follows a whole cycle (after a failed one, it would most likely fail the same way).
      if ((outcome === 'whole' || forceSweep) && !(await sweepIfDue(context, settings, deps, forceSweep)))
        break;
      forceSweep = false;
      context.heartbeat();
      if (runOptions.once) break;
      await clock.sleep(settings.sleepSeconds * 1000, signal);
    }
  } catch (error) {
    if (!isAbortError(error)) throw error;
  } finally {
    await deps.close();
  }
}
