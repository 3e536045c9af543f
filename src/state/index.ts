export type { TriggerState } from './types';
export { openTriggerState, STATE_FILE_NAME, DEFAULT_NAMESPACE } from './open-state';
export type { TriggerStateOptions } from './open-state';
export { SqliteTriggerState, KEYS_PER_STATEMENT } from './sqlite-state';
export { StateError } from './errors';
