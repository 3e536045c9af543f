import { DEFAULT_RETRY_POLICY } from '../http/retry';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../http/instance';
import { MISP_READ_TIMEOUT_MS } from '../misp/client';
import { SEKOIA_READ_TIMEOUT_MS } from '../sekoia/client';
import type { TriggerDefinition } from '../runtime/types';
import { carryOverConfiguration } from './carry-over';
import type { MispModuleConfiguration, MispTriggerConfiguration } from './config';
import { createDependencies, DependencyFactory } from './dependencies';
import { runTrigger } from './run';

export type { MispModuleConfiguration, MispTriggerConfiguration } from './config';

const { attempts, retryAfterCapMs, maxDelayMs } = DEFAULT_RETRY_POLICY;

/**
 * The longest one request may take with every retry (one loop of `attempts`): each attempt up to
 * the connect and read timeouts (MISP's, the longer), each wait up to the longest delay the policy
 * allows (the Retry-After cap). About 23 minutes.
 */
export const SLOWEST_REQUEST_SECONDS =
  (attempts * (DEFAULT_CONNECT_TIMEOUT_MS + Math.max(MISP_READ_TIMEOUT_MS, SEKOIA_READ_TIMEOUT_MS)) +
    (attempts - 1) * Math.max(retryAfterCapMs, maxDelayMs)) /
  1000;

export interface TriggerOverrides {
  /** Builds the clients and the state. @default createDependencies (real HTTP clients, SQLite) */
  createDependencies?: DependencyFactory;
}

/** The MISP IDS -> IOC Collection trigger; tests pass fake dependencies. */
export function createTrigger(
  overrides: TriggerOverrides = {},
): TriggerDefinition<MispModuleConfiguration, MispTriggerConfiguration> {
  const factory = overrides.createDependencies ?? createDependencies;
  return {
    command: 'trigger-misp-ids-to-ioc-collection',
    triggerFile: 'trigger_misp_ids_to_ioc.json',
    run: (context) => runTrigger(context, factory),
    /**
     * The trigger heartbeats at each cycle start and end, after each page and each accepted batch.
     * The longest silence is a sleep plus one request with all its retries; 5 minutes of margin.
     */
    heartbeatThresholdSeconds: (configuration) => configuration.sleep_time + SLOWEST_REQUEST_SECONDS + 300,
    carryOver: carryOverConfiguration,
    optionalInDryRun: ['sekoia_api_key'],
  };
}

export const mispIdsToIocTrigger = createTrigger();
