/** A real S3-protocol server on loopback (s3rver), for the tests and the bench: never in the image. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { S3Storage } from '../../src/runtime/storage';
// s3rver speaks the S3 wire protocol over real HTTP(S) and keeps objects on disk. It checks the
// access key id (S3RVER) but not SigV4 signatures: a wrong secret is not detectable with it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: S3rverEvent) => void): void;
}

interface S3rverEvent {
  Records: Array<{ eventName: string; s3: { object: { key: string; size?: number } } }>;
}

/** s3rver's one account. */
export const S3_TEST_ACCESS_KEY = 'S3RVER';
export const S3_TEST_SECRET = 'S3RVER';
export const S3_TEST_BUCKET = 'symphony-state';

export interface ObjectWrite {
  key: string;
  bytes: number;
}

/** An S3-protocol server on loopback, its objects in a temporary folder kept across restarts. */
export class TestS3Server {
  readonly directory = mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  /** Every object written (PUT), in order. */
  readonly writes: ObjectWrite[] = [];
  /** Every object deleted. */
  readonly deletes: string[] = [];
  private server: S3rverInstance | undefined;
  port = 0;

  constructor(private readonly tls?: { key: string; cert: string }) {}

  /** Starts (again, on the same port and objects after stop()). */
  async start(buckets: string[] = [S3_TEST_BUCKET]): Promise<this> {
    const server = new S3rver({
      address: '127.0.0.1',
      port: this.port,
      silent: true,
      directory: this.directory,
      configureBuckets: buckets.map((name) => ({ name })),
      ...(this.tls ?? {}),
    });
    server.on('event', (event) => {
      for (const record of event.Records) {
        if (record.eventName.startsWith('ObjectCreated'))
          this.writes.push({ key: record.s3.object.key, bytes: record.s3.object.size ?? 0 });
        else this.deletes.push(record.s3.object.key);
      }
    });
    this.port = (await server.run()).port;
    this.server = server;
    return this;
  }

  get endpoint(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** The S3Storage a runtime would read for this server. */
  storage(fields: Partial<S3Storage> = {}): S3Storage {
    return {
      backend: 's3',
      bucket: S3_TEST_BUCKET,
      prefix: undefined,
      region: 'us-east-1',
      endpoint: this.endpoint,
      accessKeyId: S3_TEST_ACCESS_KEY,
      secretAccessKey: S3_TEST_SECRET,
      sessionToken: undefined,
      caCert: undefined,
      clientCert: undefined,
      clientKey: undefined,
      ...fields,
    };
  }

  /** Bytes written since `from` (an index in writes). */
  bytesWrittenSince(from: number): number {
    return this.writes.slice(from).reduce((sum, write) => sum + write.bytes, 0);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
