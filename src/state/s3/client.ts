import { rootCertificates } from 'node:tls';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Storage } from '../../runtime/storage';

export interface S3ClientTuning {
  /** Attempts per request, the SDK's own retry (backoff with jitter). @default 5 */
  maxAttempts?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** A whole request, answer included (a base copy is tens of MB). @default 300000 */
  requestTimeoutMs?: number;
}

/**
 * An S3 client for the platform's bucket: path-style requests against aws_s3_endpoint_url when
 * set (S3-compatible servers rarely serve bucket subdomains), the session's credentials, and the
 * TLS material (ca_cert trusted on top of the system CAs, client_cert/client_key presented).
 * Checksums only where S3 requires them: several S3-compatible servers refuse the newer headers.
 */
export function createS3Client(storage: S3Storage, tuning: S3ClientTuning = {}): S3Client {
  const httpsAgent = {
    keepAlive: true,
    ...(storage.caCert ? { ca: [...rootCertificates, storage.caCert] } : {}),
    ...(storage.clientCert ? { cert: storage.clientCert } : {}),
    ...(storage.clientKey ? { key: storage.clientKey } : {}),
  };
  return new S3Client({
    region: storage.region,
    endpoint: storage.endpoint,
    forcePathStyle: storage.endpoint !== undefined,
    credentials: {
      accessKeyId: storage.accessKeyId,
      secretAccessKey: storage.secretAccessKey,
      sessionToken: storage.sessionToken,
    },
    maxAttempts: tuning.maxAttempts ?? 5,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: tuning.connectTimeoutMs ?? 10_000,
      requestTimeout: tuning.requestTimeoutMs ?? 300_000,
      throwOnRequestTimeout: true,
      httpsAgent,
      httpAgent: { keepAlive: true },
    },
  });
}
