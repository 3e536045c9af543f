import { createTrigger } from '../../src/trigger';
import { realDependencies } from '../../src/trigger/dependencies';
import type { AnyTriggerDefinition } from '../../src/triggers';

/**
 * The real trigger with the real clients and state, with short client timeouts, so a hanging
 * server costs the test a fraction of a second per attempt.
 */
export function triggerWithTimeouts(readMs: number): AnyTriggerDefinition {
  return createTrigger({
    createDependencies: realDependencies({ connectMs: 1000, readMs }),
  }) as unknown as AnyTriggerDefinition;
}
