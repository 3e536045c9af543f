import { ServiceError, type ServiceErrorFields } from '../errors';

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

export type MispErrorFields = ServiceErrorFields<MispErrorKind>;

/** A MISP call failed. The message says what, where, and what to do; it never holds the key. */
export class MispError extends ServiceError<MispErrorKind> {
  constructor(message: string, fields: MispErrorFields) {
    super(message, fields, 'MISP', FATAL_KINDS);
  }
}
