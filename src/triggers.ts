import type { TriggerDefinition } from './runtime/types';
import { mispIdsToIocTrigger } from './trigger';

/** Any trigger, whatever its configuration types (the runtime validates them from its JSON files). */
export type AnyTriggerDefinition = TriggerDefinition<unknown, unknown>;

/** Command (the trigger JSON's docker_parameters) -> trigger. */
export type TriggerRegistry = ReadonlyMap<string, AnyTriggerDefinition>;

/** Every trigger of the module, by command. */
export function buildTriggerRegistry(): TriggerRegistry {
  const triggers: AnyTriggerDefinition[] = [mispIdsToIocTrigger];
  return new Map(triggers.map((trigger) => [trigger.command, trigger]));
}
