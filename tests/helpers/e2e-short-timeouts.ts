import { createMispClient } from '../../src/misp/client';
import { createSekoiaClient } from '../../src/sekoia/client';
import { openTriggerState } from '../../src/state';
import { createTrigger } from '../../src/trigger';
import type { DependencyFactory } from '../../src/trigger/dependencies';
import type { AnyTriggerDefinition } from '../../src/triggers';

/**
 * The real trigger with the real clients and state, built as createDependencies builds them but
 * with short timeouts, so a hanging server costs the test a fraction of a second per attempt.
 */
export function triggerWithTimeouts(readMs: number): AnyTriggerDefinition {
  const timeouts = { connectMs: 1000, readMs };
  const factory: DependencyFactory = async (input) => {
    const { settings, clock } = input;
    const misp = createMispClient({
      baseUrl: settings.mispUrl,
      apiKey: settings.mispApiKey,
      clock,
      timeouts,
      onRetry: input.onMispRetry,
    });
    const sekoia = createSekoiaClient({
      server: settings.sekoiaServer,
      collectionId: settings.collectionId,
      apiKey: settings.sekoiaApiKey ?? '',
      clock,
      timeouts,
      onRetry: input.onSekoiaRetry,
    });
    const state = await openTriggerState({ dataPath: input.dataPath, namespace: input.namespace, clock });
    return {
      misp,
      sink: sekoia,
      state,
      async close() {
        misp.close();
        sekoia.close();
        await state.close();
      },
    };
  };
  return createTrigger({ createDependencies: factory }) as unknown as AnyTriggerDefinition;
}
