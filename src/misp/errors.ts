import { AppError, HttpOperation } from '../errors';

/**
 * What went wrong with MISP, as the trigger acts on it:
 * - `auth`: 401/403, the key is refused. Fatal.
 * - `not_found`: 404, misp_url is not the MISP base URL. Fatal.
 * - `rejected`: another 4xx or a redirect (405: role without API access). Fatal.
 * - `tls`: the server's certificate is not trusted or does not match. Fatal.
 * - `rate_limited`: 429 after every retry. The next cycle retries.
 * - `server`: 5xx after every retry. The next cycle retries.
 * - `unavailable`: network failure or timeout after every retry. The next cycle retries.
 * - `malformed`: a 2xx answer that is not what MISP sends. The next cycle retries.
 * - `paging`: paging that does not end (server ignoring `page`, or over the page cap).
 */
export type MispErrorKind =
  | 'auth'
  | 'not_found'
  | 'rejected'
  | 'tls'
  | 'rate_limited'
  | 'server'
  | 'unavailable'
  | 'malformed'
  | 'paging';

const FATAL_KINDS: ReadonlySet<MispErrorKind> = new Set(['auth', 'not_found', 'rejected', 'tls']);

export interface MispErrorFields {
  kind: MispErrorKind;
  operation: HttpOperation;
  /** HTTP status, when MISP answered. */
  status?: number;
  /** MISP's own message, secrets removed. */
  apiMessage?: string;
  /** System or TLS error code (ECONNRESET, DEPTH_ZERO_SELF_SIGNED_CERT, ...). */
  systemCode?: string;
  /** A sanitised error (no headers, no secret). */
  cause?: unknown;
}

/** A MISP call failed. The message says what, where, and what to do; it never holds the key. */
export class MispError extends AppError {
  readonly kind: MispErrorKind;
  readonly operation: HttpOperation;
  readonly status: number | undefined;
  readonly apiMessage: string | undefined;
  readonly systemCode: string | undefined;

  constructor(message: string, fields: MispErrorFields) {
    super(message, {
      code: `MISP_${fields.kind.toUpperCase()}`,
      fatal: FATAL_KINDS.has(fields.kind),
      cause: fields.cause,
    });
    this.kind = fields.kind;
    this.operation = fields.operation;
    this.status = fields.status;
    this.apiMessage = fields.apiMessage;
    this.systemCode = fields.systemCode;
  }
}
