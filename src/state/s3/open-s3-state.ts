import { rmSync } from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../../clock';
import type { S3Storage } from '../../runtime/storage';
import { messageOf } from '../../errors';
import { StateError } from '../errors';
import { openTriggerState } from '../open-state';
import { revocationsFrom, type ImportedRecord, type SqliteTriggerState } from '../sqlite-state';
import { StateBucket } from './bucket';
import { createS3Client, type S3ClientTuning } from './client';
import type { StateManifest } from './manifest';
import { decodeRecords, type RecordGroup } from './records';
import { S3TriggerState } from './s3-state';

/** The local copy's file name, under the local data path. */
export const S3_LOCAL_COPY_FILE_NAME = 'misp-ids-to-ioc.s3-copy.sqlite';

export interface S3StateOptions {
  storage: S3Storage;
  /** Local folder for the working copy (rebuilt from the bucket at each start). */
  localPath: string;
  namespace: string;
  /** @default systemClock */
  clock?: Clock;
  /** Retries and timeouts of the S3 client. */
  tuning?: S3ClientTuning;
}

/** Removes a working copy a previous process left: the bucket is the state, not this file. */
function removeLocalCopy(filePath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(filePath + suffix, { force: true });
}

/** One saved line into the local copy: marks with what was known of them, or forgets. */
async function replay(local: SqliteTriggerState, group: RecordGroup): Promise<void> {
  if (group.forget) return local.forgetPushed(group.keys);
  const record: ImportedRecord = {};
  if (group.validUntil !== undefined) record.validUntilMs = group.validUntil;
  if (group.publishedAfter !== undefined) record.publishedAfterMs = group.publishedAfter;
  if (group.sources !== undefined) {
    record.sources = group.sources.map((source) =>
      source === null
        ? undefined
        : {
            attributeUuid: source[0],
            eventId: source[1],
            ...(source[2] === undefined ? {} : { publishedAtMs: source[2] }),
          },
    );
  }
  return local.markPushedUntil(group.keys, group.expires, record);
}

/** Loads the base copy, then the deltas in order, into the fresh local copy; then the cursor. */
async function restore(
  local: SqliteTriggerState,
  bucket: StateBucket,
  manifest: StateManifest,
): Promise<void> {
  const names = [...(manifest.base ? [manifest.base.name] : []), ...manifest.deltas];
  for (const name of names) {
    const body = await bucket.get(name);
    try {
      for await (const group of decodeRecords(body, name)) await replay(local, group);
    } catch (error) {
      if (error instanceof StateError) throw error;
      throw new StateError(
        `Could not read the saved state ${bucket.location(name)}: ${messageOf(error)}. If it stays ` +
          `unreadable, delete the folder ${bucket.location()} to start again from the publish_timestamp window ` +
          '(IOCs pushed again are ignored by Sekoia.io).',
        bucket.location(name),
        error,
        true,
      );
    }
  }
  if (manifest.cursor !== undefined) await local.setCursor(manifest.cursor);
  if (manifest.appliedWindowDays !== undefined) await local.setAppliedWindowDays(manifest.appliedWindowDays);
  if (manifest.sweepMarks !== undefined) await local.setSweepMarks(manifest.sweepMarks);
  if (manifest.revocations !== undefined) await local.setRevocations(revocationsFrom(manifest.revocations));
}

/**
 * Opens the state kept in the S3 bucket for one trigger configuration: checks the bucket (a
 * missing bucket, refused credentials, an endpoint out of reach: one fatal StateError naming the
 * field), reads the manifest, and rebuilds a local SQLite copy from the saved objects.
 */
export async function openS3TriggerState(options: S3StateOptions): Promise<S3TriggerState> {
  const clock = options.clock ?? systemClock;
  const bucket = new StateBucket(
    createS3Client(options.storage, options.tuning),
    options.storage,
    options.namespace,
  );
  let local: SqliteTriggerState | undefined;
  try {
    await bucket.check();
    const manifest = await bucket.readManifest();
    removeLocalCopy(path.resolve(options.localPath, S3_LOCAL_COPY_FILE_NAME));
    local = await openTriggerState({
      dataPath: options.localPath,
      namespace: options.namespace,
      clock,
      fileName: S3_LOCAL_COPY_FILE_NAME,
    });
    await restore(local, bucket, manifest);
    bucket.started = true;
    return new S3TriggerState(local, bucket, manifest, clock);
  } catch (error) {
    await local?.close().catch(() => undefined);
    bucket.close();
    throw error;
  }
}
