import { HttpError, MalformedAnswerError, NetworkError, TimeoutError } from '../errors';

/** Secrets shorter than this are not searched for: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces every occurrence of each secret (as is, and URL-encoded) by `***`. Used on whatever a
 * server sent back before it reaches a message: a server may echo the key it refused.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      result = result.split(form).join('***');
    }
  }
  return result;
}

/** A copy of an HTTP failure with the secrets stripped from its message and the API's message. */
export function redactHttpFailure<E extends HttpError | NetworkError | MalformedAnswerError>(
  error: E,
  secrets: readonly (string | undefined)[],
): E {
  const message = redactSecrets(error.message, secrets);
  const { operation } = error;
  if (error instanceof MalformedAnswerError) {
    const problem = redactSecrets(error.problem, secrets);
    return new MalformedAnswerError({
      operation,
      status: error.status,
      problem,
      expected: error.expected,
    }) as E;
  }
  if (error instanceof HttpError) {
    return new HttpError(message, {
      status: error.status,
      operation,
      apiMessage: error.apiMessage && redactSecrets(error.apiMessage, secrets),
      retryAfterMs: error.retryAfterMs,
      code: error.code,
      fatal: error.fatal,
    }) as E;
  }
  if (error instanceof TimeoutError) return new TimeoutError(message, { operation }) as E;
  return new NetworkError(message, { operation, systemCode: error.systemCode, code: error.code }) as E;
}
