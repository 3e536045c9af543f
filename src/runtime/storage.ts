import { ConfigurationError } from '../errors';
import { ConfigSource, readString } from './config-values';

/** Where the trigger's data lives when the platform's file_backend is S3 (docs/apis.md#data-path-on-s3). */
export interface S3Storage {
  backend: 's3';
  /** aws_bucket_name */
  bucket: string;
  /** sub_folder: the data path inside the bucket; undefined for the bucket's root. */
  prefix: string | undefined;
  /** aws_default_region. @default "us-east-1" (what S3-compatible servers expect when unsure) */
  region: string;
  /** aws_s3_endpoint_url: an S3-compatible server, reached path-style; undefined for AWS itself. */
  endpoint: string | undefined;
  /** aws_access_key_id */
  accessKeyId: string;
  /** aws_secret_access_key */
  secretAccessKey: string;
  /** aws_session_token */
  sessionToken: string | undefined;
  /** ca_cert, client_cert, client_key: PEM text. */
  caCert: string | undefined;
  clientCert: string | undefined;
  clientKey: string | undefined;
}

export interface LocalStorage {
  backend: 'local';
}

/** The data path's backend: the local folder (/symphony_data), or an S3 bucket. */
export type DataStorage = LocalStorage | S3Storage;

export const DEFAULT_S3_REGION = 'us-east-1';

/** The values of S3Storage that must never reach a log. */
export function storageSecrets(storage: DataStorage): string[] {
  if (storage.backend !== 's3') return [];
  return [storage.secretAccessKey, storage.sessionToken, storage.clientKey].filter(
    (value): value is string => value !== undefined,
  );
}

/**
 * Reads file_backend and, when it is S3 (any case), the bucket's values, each from its file or
 * variable as every runtime value. Throws one ConfigurationError naming every missing value.
 */
export function readDataStorage(source: ConfigSource): DataStorage {
  const backend = readString(source, 'file_backend');
  if (backend === undefined || backend.toUpperCase() !== 'S3') return { backend: 'local' };
  const value = (name: string) => readString(source, name);
  const required = ['aws_bucket_name', 'aws_access_key_id', 'aws_secret_access_key'];
  const missing = required.filter((name) => value(name) === undefined);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `file_backend is S3 but the runtime gave no ${missing.join(', ')}: the trigger keeps what it pushed in ` +
        'that bucket. Set the S3 values of the runtime (or SYMPHONY_DATA_PATH and no file_backend for a local run).',
      missing,
    );
  }
  return {
    backend: 's3',
    bucket: value('aws_bucket_name') as string,
    prefix: value('sub_folder')?.replace(/^\/+|\/+$/g, '') || undefined,
    region: value('aws_default_region') ?? DEFAULT_S3_REGION,
    endpoint: value('aws_s3_endpoint_url'),
    accessKeyId: value('aws_access_key_id') as string,
    secretAccessKey: value('aws_secret_access_key') as string,
    sessionToken: value('aws_session_token'),
    caCert: value('ca_cert'),
    clientCert: value('client_cert'),
    clientKey: value('client_key'),
  };
}
