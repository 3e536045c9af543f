import { DEFAULT_RETRY_POLICY } from '../http/retry';
import { MISP_READ_TIMEOUT_MS } from '../misp/client';
import type { TriggerDefinition } from '../runtime/types';
import type { MispModuleConfiguration, MispTriggerConfiguration } from './config';
import { createDependencies, DependencyFactory } from './dependencies';
import { runTrigger } from './run';

export type { MispModuleConfiguration, MispTriggerConfiguration } from './config';

/** The connect timeout of the clients, for the worst case below. */
const CONNECT_TIMEOUT_SECONDS = 15;

/**
 * The longest a request may take with every retry: each attempt up to the connect and read
 * timeouts (MISP's, the longer), each wait up to the Retry-After cap. About 23 minutes.
 */
export const SLOWEST_REQUEST_SECONDS =
  DEFAULT_RETRY_POLICY.attempts * (CONNECT_TIMEOUT_SECONDS + MISP_READ_TIMEOUT_MS / 1000) +
  (DEFAULT_RETRY_POLICY.attempts - 1) * (DEFAULT_RETRY_POLICY.retryAfterCapMs / 1000);

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
  };
}

export const mispIdsToIocTrigger = createTrigger();
