import { HttpError, NetworkError, TimeoutError } from '../errors';

/** TLS failures (untrusted certificate, wrong host name, expired): they do not heal by retrying. */
export function isTlsFailure(systemCode: string | undefined): boolean {
  return systemCode !== undefined && /CERT|SSL|TLS|SIGNATURE|ALTNAME|ISSUER/.test(systemCode);
}

/** What went wrong, without the "METHOD URL" suffix our errors end with (the caller says where). */
export function failureDetail(error: HttpError | NetworkError): string {
  const suffix = `: ${error.operation.method} ${error.operation.url}`;
  const text = error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
  if (error instanceof TimeoutError) return text.replace(/^No complete answer/, 'no complete answer');
  return text.replace(/^Request failed \((.*)\)$/s, '$1');
}

/** " (the API's message)" or "", ready to append. */
export function apiMessageSuffix(apiMessage: string | undefined): string {
  return apiMessage ? ` (${apiMessage})` : '';
}
