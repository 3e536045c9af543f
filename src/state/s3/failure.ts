import type { S3Storage } from '../../runtime/storage';
import { messageOf } from '../../errors';
import { STATE_OUTAGE_RETRY_SECONDS, StateError, StateOutageError } from '../errors';

/**
 * What went wrong with S3, by who can fix it. No HTTP answer at all (refused, reset, DNS,
 * timeout) is "unreachable"; a 5xx or 429 is "unavailable".
 */
export type S3FaultKind = 'bucket' | 'credentials' | 'tls' | 'unreachable' | 'refused' | 'unavailable';

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/**
 * The system or TLS code: on the error or its causes, else in its message (the SDK wraps an error
 * from another realm, such as a test runner's sandbox, in a new Error that keeps only its text).
 */
function systemCode(error: unknown): string | undefined {
  for (let current = error as SdkErrorShape | undefined, depth = 0; current && depth < 4; depth += 1) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as SdkErrorShape | undefined;
  }
  return /\b(E[A-Z]{3,}|[A-Z_]*(?:CERT|SELF_SIGNED)[A-Z_]*)\b/.exec(messageOf(error))?.[1];
}

/** Sorts an error of the S3 client (or of its connection) by who can fix it. */
export function classifyS3Error(error: unknown): S3FaultKind {
  const shape = (error ?? {}) as SdkErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  const code = systemCode(error);
  if (shape.name === 'NoSuchBucket' || (status === 404 && shape.name === 'NotFound')) return 'bucket';
  if (status === 401 || status === 403 || CREDENTIAL_ERRORS.has(shape.name ?? '')) return 'credentials';
  if (isTlsFailure(code, messageOf(error))) return 'tls';
  if (status === undefined) return 'unreachable';
  if (status >= 400 && status < 500 && status !== 429) return 'refused';
  return 'unavailable';
}

function isTlsFailure(code: string | undefined, message: string): boolean {
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|EPROTO/.test(code)) return true;
  return /certificate|self[- ]signed|\bSSL\b|\bTLS\b/i.test(message);
}

/** Where the bucket is, for messages: "bucket misp-state on http://127.0.0.1:9000". */
export function describeBucket(storage: S3Storage): string {
  return `bucket "${storage.bucket}" ${storage.endpoint ? `on ${storage.endpoint}` : `in AWS region ${storage.region}`}`;
}

/** The fix, in the words of the fields a person sets. */
function fixFor(kind: S3FaultKind, storage: S3Storage): string {
  switch (kind) {
    case 'bucket':
      return `The bucket does not exist: create it, or correct aws_bucket_name ("${storage.bucket}").`;
    case 'credentials':
      return 'S3 refused the credentials: correct aws_access_key_id and aws_secret_access_key (and aws_session_token, which may have expired), and check that they may read and write the bucket.';
    case 'tls':
      return "The TLS connection to the endpoint failed: check ca_cert (the CA that signed the endpoint's certificate) and client_cert / client_key.";
    case 'unreachable':
      return 'The S3 endpoint could not be reached: check aws_s3_endpoint_url and aws_default_region, and that the server is up.';
    case 'refused':
      return 'S3 refused the request: check aws_default_region and aws_s3_endpoint_url.';
    case 'unavailable':
      return 'S3 failed on its side (5xx or throttling).';
  }
}

/** Failures no person can fix: S3 answering 5xx or throttling, or out of reach. */
const OUTAGES: ReadonlySet<S3FaultKind> = new Set(['unavailable', 'unreachable']);

/**
 * The error for a failed S3 operation. At start-up a failure a person must fix (the bucket, the
 * credentials, the certificate, a request refused) is fatal: one critical naming the field, as the
 * trigger cannot know what it pushed before; an outage is not (StateOutageError: tried again).
 * During a run no failure is fatal (the changes stay in the local copy and the next save sends them).
 */
export function s3StateError(
  error: unknown,
  operation: string,
  storage: S3Storage,
  location: string,
  atStartUp: boolean,
): StateError {
  const kind = classifyS3Error(error);
  const what = `Could not ${operation} in the S3 ${describeBucket(storage)}: ${messageOf(error).replace(/[.\s]+$/, '')}.`;
  if (atStartUp && OUTAGES.has(kind)) {
    const wait = ` The trigger cannot know what it pushed before without it: it tries again in ${STATE_OUTAGE_RETRY_SECONDS} s and pushes nothing until then.`;
    return new StateOutageError(`${what} ${fixFor(kind, storage)}${wait}`, location, error);
  }
  const then = atStartUp
    ? ' The trigger cannot know what it pushed before without it, so it does not start; once fixed, restart it.'
    : ' What changed stays in the local copy; the next cycle saves it again.';
  return new StateError(`${what} ${fixFor(kind, storage)}${then}`, location, error, atStartUp);
}
