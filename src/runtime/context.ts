import type { Clock } from '../clock';
import type { SendEvent } from './events';
import { FAILED_CYCLES_LIMIT, Liveness } from './liveness';
import type { RuntimeMetrics } from './metrics';
import type { DataStorage } from './storage';
import type { Logger, RunOptions, TriggerContext } from './types';
import { messageOf } from '../errors';

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
  sendEvent: SendEvent;
}

/** The TriggerContext: configuration, services, and the heartbeat and cycle accounting. */
export function buildContext<ModuleConfiguration, TriggerConfiguration>(
  parts: ContextParts<ModuleConfiguration, TriggerConfiguration>,
): TriggerContext<ModuleConfiguration, TriggerConfiguration> {
  const { liveness, metrics, logger, clock } = parts;
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
      liveness.cycleSucceeded();
      metrics.consecutiveFailures.set(0);
    },
    cycleFailed: (error: unknown) => {
      const count = liveness.cycleFailed();
      metrics.consecutiveFailures.set(count);
      if (count === FAILED_CYCLES_LIMIT) {
        logger.critical(
          `${count} cycles in a row failed; the last one with: ${messageOf(error)}. ` +
            'The platform may stop the trigger on this message: fix the cause given in the errors above, then ' +
            'restart it if it was stopped. Nothing is lost: the next run resumes from the last complete cycle.',
        );
      }
    },
  });
}
