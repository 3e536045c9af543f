import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Storage } from '../../runtime/storage';
import { StateError } from '../errors';
import { s3StateError } from './failure';
import { EMPTY_MANIFEST, parseManifest, type StateManifest } from './manifest';

/** The folder of the state under the data path (the bucket, plus sub_folder). */
export const S3_STATE_FOLDER = 'misp-ids-to-ioc.state';
export const MANIFEST_NAME = 'manifest.json';

/** A name no object had before: time, then random, so that names sort by age. */
export function newObjectName(kind: 'base' | 'delta', now: number): string {
  return `${kind}-${now.toString(36)}-${randomBytes(4).toString('hex')}.ndjson.gz`;
}

/** The objects of one namespace's state in the bucket: every call one S3 request (or a few). */
export class StateBucket {
  /** "<sub_folder>/misp-ids-to-ioc.state/<namespace>/" */
  readonly folder: string;
  /** Set once the state is running: failures are then no longer fatal. */
  started = false;

  constructor(
    private readonly client: S3Client,
    readonly storage: S3Storage,
    namespace: string,
  ) {
    this.folder = `${storage.prefix ? `${storage.prefix}/` : ''}${S3_STATE_FOLDER}/${namespace}/`;
  }

  /** s3://bucket/folder/name, for messages. */
  location(name = ''): string {
    return `s3://${this.storage.bucket}/${this.folder}${name}`;
  }

  private async call<T>(operation: string, name: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw s3StateError(error, operation, this.storage, this.location(name), !this.started);
    }
  }

  /** Fails, naming the field to fix, when the bucket is missing or the credentials are refused. */
  async check(): Promise<void> {
    await this.call('reach the state', '', () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.storage.bucket })),
    );
  }

  /** The saved manifest; the empty one when none was ever saved. */
  async readManifest(): Promise<StateManifest> {
    const text = await this.call('read the state manifest', MANIFEST_NAME, async () => {
      try {
        const answer = await this.client.send(
          new GetObjectCommand({ Bucket: this.storage.bucket, Key: this.folder + MANIFEST_NAME }),
        );
        return await (answer.Body as { transformToString(): Promise<string> }).transformToString();
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    });
    if (text === undefined) return { ...EMPTY_MANIFEST, deltas: [] };
    const manifest = parseManifest(text);
    if (!manifest) {
      throw new StateError(
        `The state manifest ${this.location(MANIFEST_NAME)} is not one this trigger wrote. Delete the folder ` +
          `${this.location()} to start again from the publish_timestamp window (IOCs pushed again are ignored by Sekoia.io).`,
        this.location(MANIFEST_NAME),
        undefined,
        true,
      );
    }
    return manifest;
  }

  /** Writes the manifest; returns its size in bytes. */
  async writeManifest(manifest: StateManifest): Promise<number> {
    const body = Buffer.from(JSON.stringify(manifest));
    await this.put(MANIFEST_NAME, body, 'application/json');
    return body.length;
  }

  async put(name: string, body: Buffer, contentType = 'application/gzip'): Promise<void> {
    await this.call('save the state', name, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.storage.bucket,
          Key: this.folder + name,
          Body: body,
          ContentType: contentType,
        }),
      ),
    );
  }

  /** The object's body, as it downloads. */
  async get(name: string): Promise<Readable> {
    return this.call('read the saved state', name, async () => {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.storage.bucket, Key: this.folder + name }),
      );
      return answer.Body as Readable;
    });
  }

  /** Deletes the folder's objects that `keep` does not name (older bases and deltas, leftovers of a crash). */
  async deleteAllBut(keep: ReadonlySet<string>): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.call('list the saved state', '', () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.storage.bucket,
            Prefix: this.folder,
            ContinuationToken: token,
          }),
        ),
      );
      const stale = (page.Contents ?? [])
        .map((object) => object.Key ?? '')
        .filter((key) => key !== '' && !keep.has(key.slice(this.folder.length)));
      // One request per object: DeleteObjects needs checksums that several S3-compatible servers refuse.
      for (const key of stale) {
        await this.call('delete old state objects', key.slice(this.folder.length), () =>
          this.client.send(new DeleteObjectCommand({ Bucket: this.storage.bucket, Key: key })),
        );
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  close(): void {
    this.client.destroy();
  }
}
