export { openS3TriggerState, S3_LOCAL_COPY_FILE_NAME } from './open-s3-state';
export type { S3StateOptions } from './open-s3-state';
export { S3TriggerState, SAVE_EVERY_KEYS, CURSOR_SAVE_INTERVAL_MS } from './s3-state';
export { S3_STATE_FOLDER, MANIFEST_NAME } from './bucket';
