import { Redactor } from '../redactor';
import { HttpError, MalformedAnswerError, NetworkError, TimeoutError } from '../errors';

/**
 * Replaces every secret in `text` by `***` (see Redactor: also their JSON and URL forms, and any
 * user:password in a URL). Used on whatever a server sent back before it reaches a message: a
 * server may echo the key it refused.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return new Redactor(secrets).redact(text);
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
