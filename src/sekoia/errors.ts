import { ServiceError, type ServiceErrorFields } from '../errors';

/**
 * What went wrong with Sekoia.io, as the trigger acts on it:
 * - `auth`: 401, sekoia_api_key missing, expired or invalid. Fatal.
 * - `permission`: 403, the key lacks "View IOC collections" or "Manage IOC collections". Fatal.
 * - `collection_not_found`: 404 on the collection: wrong UUID, region or community. Fatal.
 * - `wrong_server`: a redirect, or 404 where the API must answer: ioc_collection_server is wrong. Fatal.
 * - `proxy`: 407, the proxy asks for credentials it did not get. Fatal.
 * - `tls`: the server's certificate is not trusted (a TLS-inspecting proxy?). Fatal.
 * - `rejected`: another 4xx: this batch only (the trigger splits it). Not fatal.
 * - `unavailable`: 429, 5xx, network failure or timeout after every retry. Not fatal: the next
 *   cycle retries.
 */
export type SekoiaErrorKind =
  | 'auth'
  | 'permission'
  | 'collection_not_found'
  | 'wrong_server'
  | 'proxy'
  | 'tls'
  | 'rejected'
  | 'unavailable';

const FATAL_KINDS: ReadonlySet<SekoiaErrorKind> = new Set([
  'auth',
  'permission',
  'collection_not_found',
  'wrong_server',
  'proxy',
  'tls',
]);

export type SekoiaErrorFields = ServiceErrorFields<SekoiaErrorKind>;

/** A Sekoia.io call failed. The message says what, where, and what to do; it never holds the key. */
export class SekoiaError extends ServiceError<SekoiaErrorKind> {
  constructor(message: string, fields: SekoiaErrorFields) {
    super(message, fields, 'SEKOIA', FATAL_KINDS);
  }
}
