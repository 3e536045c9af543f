import type { Clock } from '../clock';
import { AppError, messageOf } from '../errors';
import type { SendEvent } from './events';
import { FailureStreak, formatDuration, StreakFacts } from './failure-streak';
import type { Liveness } from './liveness';
import type { RuntimeMetrics } from './metrics';
import type { DataStorage } from './storage';
import type { Logger, RunOptions, TriggerContext } from './types';

export interface ContextParts<ModuleConfiguration, TriggerConfiguration> {
  moduleConfiguration: Readonly<ModuleConfiguration>;
  triggerConfiguration: Readonly<TriggerConfiguration>;
  triggerConfigurationUuid: string | undefined;
  env: Readonly<NodeJS.ProcessEnv>;
  dataPath: string;
  storage: DataStorage;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  runOptions: RunOptions;
  metrics: RuntimeMetrics;
  liveness: Liveness;
  failures: FailureStreak;
  sendEvent: SendEvent;
}

/**
 * A bug (an error that is none of ours) is logged as an error with its stack and counted in
 * trigger_internal_errors_total: it must stay visible, but only a person can fix a critical, and
 * the next cycle may well go through.
 */
function reportBug(logger: Logger, metrics: RuntimeMetrics, error: unknown, then: string): void {
  metrics.internalErrors.inc();
  const stack = error instanceof Error && error.stack ? error.stack : String(error);
  logger.error(`Internal error (a bug: please report it with this line): ${stack}\n${then}`);
}

/** The critical line of a failure streak: what happened, for how long, and that nothing is lost. */
function streakLine(facts: StreakFacts, error: unknown): string {
  return (
    `${facts.failures} cycles in a row failed and none went through for ${formatDuration(facts.sinceSuccessMs)} ` +
    `(up ${formatDuration(facts.uptimeMs)}); the last one with: ${messageOf(error).replace(/[.\s]+$/, '')}. The platform stops the ` +
    'trigger on this message: fix the cause given in the errors above, then restart it. Nothing is lost: ' +
    'it resumes from the last complete cycle.'
  );
}

/** The TriggerContext: configuration, services, and the heartbeat and cycle accounting. */
export function buildContext<ModuleConfiguration, TriggerConfiguration>(
  parts: ContextParts<ModuleConfiguration, TriggerConfiguration>,
): TriggerContext<ModuleConfiguration, TriggerConfiguration> {
  const { liveness, metrics, logger, clock, failures } = parts;
  return Object.freeze({
    moduleConfiguration: parts.moduleConfiguration,
    triggerConfiguration: parts.triggerConfiguration,
    triggerConfigurationUuid: parts.triggerConfigurationUuid,
    env: parts.env,
    dataPath: parts.dataPath,
    storage: parts.storage,
    logger,
    clock,
    signal: parts.signal,
    runOptions: Object.freeze({ ...parts.runOptions }),
    metrics: metrics.registry,
    sendEvent: parts.sendEvent,
    heartbeat: () => {
      liveness.heartbeat();
      metrics.heartbeatTimestamp.set(clock.now() / 1000);
    },
    cycleSucceeded: () => {
      failures.succeeded();
      metrics.consecutiveFailures.set(0);
    },
    cycleFailed: (error: unknown) => {
      if (!(error instanceof AppError))
        reportBug(logger, metrics, error, 'The trigger goes on; the next cycle tries again.');
      const critical = failures.failed();
      metrics.consecutiveFailures.set(failures.count);
      if (critical) logger.critical(streakLine(critical, error));
    },
  });
}
