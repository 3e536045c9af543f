import { AbortedError, HttpError, MalformedAnswerError, NetworkError, TimeoutError } from '../errors';
import { apiMessageSuffix, failureDetail, isTlsFailure } from '../http/describe';
import { redactSecrets } from '../http/redact';
import { SekoiaError } from './errors';

export interface SekoiaFailureContext {
  /** Attempts made, the last included. */
  attempts: number;
  secrets: readonly string[];
  proxyUsed: string | undefined;
  /** The server as configured (normalised, without the trailing "/"). */
  server: string;
  /** The collection, when the call was about it. */
  collectionId?: string;
  /** The server's region (FRA1, USA1, ...), for the collection-not-found message. */
  region?: string;
}

/** Sekoia.io's names of the permissions the trigger needs (its OpenAPI description). */
export const IOC_PERMISSIONS =
  '"View IOC collections" (to check the collection) and "Manage IOC collections" (to push)';

export const KEY_FIX =
  'Create a key in Settings > Workspace > API Keys of the community that holds the collection, with the ' +
  `permissions ${IOC_PERMISSIONS}, and paste it in sekoia_api_key of the account form`;

function fromStatus(error: HttpError, context: SekoiaFailureContext): SekoiaError {
  const { status, operation } = error;
  const where = `${operation.method} ${operation.url}`;
  const apiMessage = error.apiMessage && redactSecrets(error.apiMessage, context.secrets);
  const api = apiMessageSuffix(apiMessage);
  const fields = { operation, status, apiMessage };
  if (status === 401) {
    return new SekoiaError(
      `Sekoia.io refused sekoia_api_key (401) for ${where}: the key is missing, expired or invalid. ${KEY_FIX}`,
      { ...fields, kind: 'auth' },
    );
  }
  if (status === 403) {
    return new SekoiaError(
      `Sekoia.io refused ${where} with 403${api}: sekoia_api_key lacks the permissions ${IOC_PERMISSIONS}, ` +
        `or belongs to another community than the collection. ${KEY_FIX}`,
      { ...fields, kind: 'permission' },
    );
  }
  if (status === 404 && context.collectionId) {
    return new SekoiaError(
      `IOC Collection ${context.collectionId} not found in the Sekoia.io region ${context.region ?? 'in use'} ` +
        `(${context.server}): check ioc_collection_uuid in the trigger configuration, and sekoia_region (or ` +
        'ioc_collection_server when set): it must be the region where the collection was created (FRA1 is ' +
        "https://api.sekoia.io, FRA2 https://app.fra2.sekoia.io/api); the API key must belong to the collection's community",
      { ...fields, kind: 'collection_not_found' },
    );
  }
  if (status === 404 || (status >= 300 && status < 400)) {
    return new SekoiaError(
      `Sekoia.io answered ${status} for ${where}: ${context.server} does not serve the Sekoia.io API. Check ` +
        'ioc_collection_server: e.g. https://api.sekoia.io, https://api.usa1.sekoia.io or https://app.fra2.sekoia.io/api',
      { ...fields, kind: 'wrong_server' },
    );
  }
  if (status === 407) {
    return new SekoiaError(
      `The proxy refused ${where} with 407 Proxy Authentication Required: Sekoia.io calls use the proxy of the ` +
        `environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), not the account's, which is for MISP only; check its ` +
        `user and password or exempt the Sekoia.io API in NO_PROXY (proxy in use: ${context.proxyUsed ?? 'none'})`,
      { ...fields, kind: 'proxy' },
    );
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429) {
    return new SekoiaError(`Sekoia.io rejected ${where} with ${status}${api}`, {
      ...fields,
      kind: 'rejected',
    });
  }
  return new SekoiaError(
    `Sekoia.io answered ${status}${api} for ${where} after ${context.attempts} attempts`,
    { ...fields, kind: 'unavailable' },
  );
}

function fromNetwork(error: NetworkError, context: SekoiaFailureContext): SekoiaError {
  const { operation, systemCode } = error;
  const where = `${operation.method} ${operation.url}`;
  const detail = redactSecrets(failureDetail(error), context.secrets);
  const cause = new NetworkError(redactSecrets(error.message, context.secrets), { operation, systemCode });
  const fields = { operation, systemCode, cause };
  const via = context.proxyUsed ? ` through the proxy ${context.proxyUsed}` : '';
  if (isTlsFailure(systemCode)) {
    return new SekoiaError(
      `The TLS certificate presented for ${where}${via} was refused (${detail}): if a proxy inspects TLS, ` +
        'exempt the Sekoia.io API from inspection; check ioc_collection_server. TLS verification is never turned off',
      { ...fields, kind: 'tls' },
    );
  }
  const what = error instanceof TimeoutError ? 'did not answer in time' : 'could not be reached';
  return new SekoiaError(
    `Sekoia.io ${what} for ${where}${via} (${detail}) after ${context.attempts} attempts`,
    { ...fields, kind: 'unavailable' },
  );
}

/** A 2xx push answer that is not Sekoia.io's JSON, on every attempt. */
function fromMalformed(error: MalformedAnswerError, context: SekoiaFailureContext): SekoiaError {
  const { operation, status } = error;
  return new SekoiaError(
    `Sekoia.io answered ${operation.method} ${operation.url} with ${status} but not with its JSON (got ` +
      `${redactSecrets(error.problem, context.secrets)}) after ${context.attempts} attempts: ` +
      "the batch is not counted as pushed. If a proxy answers in Sekoia.io's place, check https_proxy and " +
      'ioc_collection_server',
    { kind: 'unavailable', operation, status },
  );
}

/** Turns what sendWithRetry threw into a SekoiaError; AbortedError and bugs pass through. */
export function toSekoiaError(error: unknown, context: SekoiaFailureContext): unknown {
  if (error instanceof AbortedError || error instanceof SekoiaError) return error;
  if (error instanceof MalformedAnswerError) return fromMalformed(error, context);
  if (error instanceof HttpError) return fromStatus(error, context);
  if (error instanceof NetworkError) return fromNetwork(error, context);
  return error;
}
