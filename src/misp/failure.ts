import { AbortedError, HttpError, MalformedAnswerError, NetworkError, TimeoutError } from '../errors';
import { apiMessageSuffix, failureDetail, isTlsFailure } from '../http/describe';
import { redactSecrets } from '../http/redact';
import { MispError } from './errors';

export interface FailureContext {
  /** Attempts made, the last included. */
  attempts: number;
  /** Secrets to strip from whatever the server sent back. */
  secrets: readonly string[];
  /** The proxy in use, without credentials. */
  proxyUsed: string | undefined;
}

const WHERE_TO_LOOK = 'check misp_api_key in the account form';

/** "Authentication failed" from MISP's "Authentication failed. Please make sure you pass...". */
function shortReason(apiMessage: string | undefined, fallback: string): string {
  const first = apiMessage
    ?.split(/[.!]\s/)[0]
    ?.replace(/\.$/, '')
    .trim();
  return first && first.length <= 80 ? first : fallback;
}

/** What a status error carries into every MispError made of it. */
interface StatusParts {
  status: number;
  where: string;
  /** " (the API's message)" or "". */
  api: string;
  fields: Pick<HttpError, 'operation' | 'status' | 'apiMessage'>;
}

function statusParts(error: HttpError, context: FailureContext): StatusParts {
  const { status, operation } = error;
  const apiMessage = error.apiMessage && redactSecrets(error.apiMessage, context.secrets);
  return {
    status,
    where: `${operation.method} ${operation.url}`,
    api: apiMessageSuffix(apiMessage),
    fields: { operation, status, apiMessage },
  };
}

/** The answers that say the configuration is wrong (key, URL, role, proxy): each with its fix. */
function fromConfigurationStatus(parts: StatusParts, context: FailureContext): MispError | undefined {
  const { status, where, api, fields } = parts;
  const { apiMessage } = fields;
  if (status === 401 || status === 403) {
    const reason = shortReason(apiMessage, status === 401 ? 'Unauthorized' : 'Forbidden');
    return new MispError(
      `MISP refused the API key (${status} ${reason}) for ${where}: ${WHERE_TO_LOOK}: it must be the ` +
        'Authkey of a MISP user whose role has API access',
      { ...fields, kind: 'auth' },
    );
  }
  if (status === 404) {
    return new MispError(
      `MISP answered 404 Not Found for ${where}${api}: check misp_url in the account form: it must be the ` +
        'base URL of the MISP server as opened in a browser (e.g. https://misp.example.com), without /attributes or /events',
      { ...fields, kind: 'not_found' },
    );
  }
  if (status === 405) {
    return new MispError(
      `MISP refused ${where} with 405 Method Not Allowed${api}: the role of the MISP user whose Authkey is ` +
        'misp_api_key most likely has no API access (MISP: Administration > List Roles > "Auth key access"); ' +
        'give that role API access, or use the Authkey of a user whose role has it',
      { ...fields, kind: 'rejected' },
    );
  }
  if (status === 407) {
    return new MispError(
      `The proxy refused ${where} with 407 Proxy Authentication Required: check the user and password ` +
        `in https_proxy / http_proxy of the account form (proxy in use: ${context.proxyUsed ?? 'none'})`,
      { ...fields, kind: 'rejected' },
    );
  }
  if (status >= 300 && status < 400) {
    return new MispError(
      `MISP answered ${status} (a redirect) for ${where}: misp_url is not the MISP server's own address; ` +
        'open it in a browser and copy the final address (often https:// instead of http://) into misp_url',
      { ...fields, kind: 'rejected' },
    );
  }
  return undefined;
}

function fromStatus(error: HttpError, context: FailureContext): MispError {
  const parts = statusParts(error, context);
  const known = fromConfigurationStatus(parts, context);
  if (known) return known;
  const { status, where, api, fields } = parts;
  if (status === 429) {
    return new MispError(
      `MISP kept answering 429 (rate limit exceeded) for ${where} after ${context.attempts} attempts: if this ` +
        "repeats, raise the rate limit of the MISP user's role",
      { ...fields, kind: 'rate_limited' },
    );
  }
  if (status >= 500) {
    return new MispError(
      `MISP answered ${status}${api} for ${where} after ${context.attempts} attempts: the MISP server is ` +
        'failing. Check the MISP server (its error log) if this repeats',
      { ...fields, kind: 'server' },
    );
  }
  if (status >= 400 && status !== 408 && status !== 425) {
    return new MispError(
      `MISP rejected ${where} with ${status}${api}: the request is built from the trigger's configuration; ` +
        'check the attribute types and tag filters of the trigger',
      { ...fields, kind: 'rejected' },
    );
  }
  return new MispError(`MISP answered ${status}${api} for ${where} after ${context.attempts} attempts`, {
    ...fields,
    kind: 'unavailable',
  });
}

function fromNetwork(error: NetworkError, context: FailureContext): MispError {
  const { operation, systemCode } = error;
  const where = `${operation.method} ${operation.url}`;
  const detail = redactSecrets(failureDetail(error), context.secrets);
  const cause = new NetworkError(redactSecrets(error.message, context.secrets), { operation, systemCode });
  const fields = { operation, systemCode, cause };
  if (isTlsFailure(systemCode)) {
    const fix =
      systemCode === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? "the certificate does not name misp_url's host: set misp_url to a host name the certificate holds"
        : systemCode === 'CERT_HAS_EXPIRED'
          ? "the MISP server's certificate has expired: renew it on the MISP server"
          : "set misp_ca_certificate in the account form to the PEM of the CA that signed the MISP server's " +
            'certificate (or of the certificate itself when it is self-signed)';
    return new MispError(
      `MISP's TLS certificate was refused for ${where} (${detail}): ${fix}. TLS verification is never turned off`,
      { ...fields, kind: 'tls' },
    );
  }
  const via = context.proxyUsed ? ` through the proxy ${context.proxyUsed}` : '';
  const what = error instanceof TimeoutError ? 'did not answer in time' : 'could not be reached';
  return new MispError(
    `MISP ${what} for ${where}${via} (${detail}) after ${context.attempts} attempts. ` +
      `Check that misp_url is right and the MISP server is up${via ? ', and the proxy' : ''}`,
    { ...fields, kind: 'unavailable' },
  );
}

/** A 2xx answer that is not MISP's JSON, on the last attempt (or not worth another). */
function fromMalformed(error: MalformedAnswerError, context: FailureContext): MispError {
  const { operation } = error;
  const attempts = context.attempts > 1 ? ` (${context.attempts} attempts)` : '';
  return new MispError(
    `MISP answered ${operation.method} ${operation.url} with ${redactSecrets(error.problem, context.secrets)}` +
      `${attempts}: expected ${error.expected ?? "MISP's JSON"}. ` +
      'If this repeats, check that misp_url points to the MISP server itself (not a login page or another ' +
      'service in front of it)',
    { kind: 'malformed', operation },
  );
}

/**
 * Turns what sendWithRetry threw into a MispError with the fix in its message. AbortedError and
 * errors already converted pass through; anything else (a bug) is rethrown as is.
 */
export function toMispError(error: unknown, context: FailureContext): unknown {
  if (error instanceof AbortedError || error instanceof MispError) return error;
  if (error instanceof MalformedAnswerError) return fromMalformed(error, context);
  if (error instanceof HttpError) return fromStatus(error, context);
  if (error instanceof NetworkError) return fromNetwork(error, context);
  return error;
}
