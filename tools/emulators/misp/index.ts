export {
  DEFAULT_MISP_API_KEY,
  startMispEmulator,
  type MispEmulator,
  type MispEmulatorOptions,
} from './server';
export { startMispEmulator as start } from './server';
export {
  DEFAULT_TYPE_MIX,
  SUPPORTED_TYPES,
  UNSUPPORTED_TYPES,
  generateEvents,
  type GenerateOptions,
  type TypeMix,
} from './generate';
export { sampleEvents } from './sample-events';
export { AttributeStore, type AttributeChanges } from './store';
export { DEFAULT_WARNINGLIST } from './warninglist';
export {
  EVENT_CHANGE_KINDS,
  type ChangeBetweenRequests,
  type EventChangeKind,
  type MispQuirks,
} from './quirks';
export type {
  MispAttributeJson,
  MispEventDocument,
  MispEventJson,
  MispObjectJson,
  MispTagJson,
} from './wire-types';
