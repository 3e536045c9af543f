export {
  DEFAULT_COLLECTION_ID,
  DEFAULT_COMMUNITY_UUID,
  DEFAULT_RUNTIME_TOKEN,
  DEFAULT_SEKOIA_API_KEY,
  startSekoiaEmulator,
  type SekoiaEmulator,
  type SekoiaEmulatorOptions,
  type SekoiaKeyPermission,
  type UnknownCollectionStatus,
} from './server';
export { startSekoiaEmulator as start } from './server';
export type { CollectionReport, StoredIndicator, TaskOutcome } from './collections';
export type { RecordedRequest } from './ioc-routes';
export { MANAGE_PERMISSION, VIEW_PERMISSION } from './ioc-routes';
export type { ReceivedEvent, ReceivedLog } from './runtime-routes';
export { isValidIndicator } from './indicator-validation';
