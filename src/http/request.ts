import axios, { AxiosError, AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { Clock } from '../clock';
import { AbortedError, HttpError, HttpOperation, NetworkError, TimeoutError } from '../errors';
import { AttemptFailure, computeRetryDelay, parseRetryAfter, RetryPolicy } from './retry';

/** Told before each wait between two attempts, so the caller can log what happens next. */
export interface RetryNotice {
  operation: HttpOperation;
  /** The attempt that failed, 1-based. */
  attempt: number;
  attempts: number;
  delayMs: number;
  error: HttpError | NetworkError;
}

export interface SendOptions {
  http: AxiosInstance;
  request: AxiosRequestConfig;
  policy: RetryPolicy;
  clock: Clock;
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
  /** Source of jitter, injectable for tests. */
  random?: () => number;
  /**
   * Deadline of one attempt, from sending to the last byte of the answer, in ms: a server that
   * trickles a body forever is cut and the attempt counts as a timeout (retried).
   * @default none (axios' own `timeout`, if set, still applies)
   */
  attemptTimeoutMs?: number;
}

/** The signal of one attempt: the run's signal, plus the attempt's own deadline. */
function startAttempt(
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): { signal: AbortSignal | undefined; timedOut: () => boolean; dispose: () => void } {
  if (timeoutMs === undefined || timeoutMs <= 0) {
    return { signal, timedOut: () => false, dispose: () => undefined };
  }
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  timer.unref();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** "POST https://host/path" without userinfo or query, safe to log. */
export function describeOperation(http: AxiosInstance, request: AxiosRequestConfig): HttpOperation {
  const method = (request.method ?? 'GET').toUpperCase();
  let url = request.url ?? '';
  try {
    const full = new URL(url, request.baseURL ?? http.defaults.baseURL);
    full.username = '';
    full.password = '';
    full.search = '';
    full.hash = '';
    url = full.toString();
  } catch {
    url = url.split('?')[0];
  }
  return { method, url };
}

/** The API's own message from an error body, short and on one line. */
export function apiMessageOf(data: unknown): string | undefined {
  let text: string | undefined;
  if (typeof data === 'string') text = data;
  else if (Buffer.isBuffer(data)) text = data.toString('utf8');
  else if (data && typeof data === 'object') {
    const body = data as Record<string, unknown>;
    const candidate = body.message ?? body.detail ?? body.error ?? body.errors ?? body.name;
    text =
      typeof candidate === 'string'
        ? candidate
        : candidate === undefined
          ? undefined
          : JSON.stringify(candidate);
  }
  if (text === undefined) return undefined;
  text = text.replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_BAD_RESPONSE',
]);

/** Turns what axios threw (or answered) into our error types, dropping the request headers. */
export function toHttpFailure(
  error: unknown,
  operation: HttpOperation,
  now: number,
): { error: HttpError | NetworkError; failure: AttemptFailure } {
  if (error instanceof AxiosError || axios.isAxiosError(error)) {
    const axiosError = error as AxiosError;
    const where = `${operation.method} ${operation.url}`;
    if (axiosError.response) {
      return fromResponse(axiosError.response, operation, now);
    }
    const code = axiosError.code ?? (axiosError.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code && TIMEOUT_CODES.has(code)) {
      return {
        error: new TimeoutError(`No complete answer in time: ${where}`, { operation }),
        failure: { kind: 'timeout' },
      };
    }
    const known = code !== undefined && (NETWORK_CODES.has(code) || /^E[A-Z]+$/.test(code));
    const detail = axiosError.message.replace(/\s+/g, ' ').slice(0, 200);
    return {
      error: new NetworkError(`Request failed (${code ?? 'network error'}: ${detail}): ${where}`, {
        operation,
        systemCode: code,
      }),
      // TLS failures (certificate not trusted, wrong host name) do not heal by retrying.
      failure: known && !/CERT|SSL|TLS|SIGNATURE/.test(code ?? '') ? { kind: 'network' } : { kind: 'other' },
    };
  }
  return {
    error: new NetworkError(
      `Request failed (${String((error as Error)?.message ?? error)}): ${operation.method} ${operation.url}`,
      {
        operation,
      },
    ),
    failure: { kind: 'other' },
  };
}

function fromResponse(
  response: AxiosResponse,
  operation: HttpOperation,
  now: number,
): { error: HttpError; failure: AttemptFailure } {
  const retryAfterMs = parseRetryAfter(response.headers?.['retry-after'], now);
  const apiMessage = apiMessageOf(response.data);
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  const message =
    `Request failed with status code ${response.status}${statusText}: ${operation.method} ${operation.url}` +
    (apiMessage ? ` (${apiMessage})` : '');
  return {
    error: new HttpError(message, { status: response.status, operation, apiMessage, retryAfterMs }),
    failure: { kind: 'status', status: response.status, retryAfterMs },
  };
}

/**
 * Sends one request, retrying per `policy`. Resolves with the 2xx answer; rejects with HttpError
 * (a non-2xx that is not retried, or the last of the attempts), NetworkError/TimeoutError, or
 * AbortedError when `signal` aborts. Nothing it throws holds request headers.
 */
export async function sendWithRetry<T = unknown>(options: SendOptions): Promise<AxiosResponse<T>> {
  const { http, request, policy, clock, signal, onRetry } = options;
  const random = options.random ?? Math.random;
  const operation = describeOperation(http, request);
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    let outcome: { error: HttpError | NetworkError; failure: AttemptFailure };
    const current = startAttempt(signal, options.attemptTimeoutMs);
    try {
      const response = await http.request<T>({
        ...request,
        signal: current.signal,
        validateStatus: () => true,
      });
      if (response.status >= 200 && response.status < 300) return response;
      outcome = fromResponse(response, operation, clock.now());
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(signal.reason);
      outcome = current.timedOut()
        ? {
            error: new TimeoutError(
              `No complete answer within ${options.attemptTimeoutMs} ms: ${operation.method} ${operation.url}`,
              { operation },
            ),
            failure: { kind: 'timeout' },
          }
        : toHttpFailure(error, operation, clock.now());
    } finally {
      current.dispose();
    }
    const delayMs = computeRetryDelay(attempt, outcome.failure, policy, random());
    if (delayMs === 0) throw outcome.error;
    onRetry?.({ operation, attempt, attempts: policy.attempts, delayMs, error: outcome.error });
    await clock.sleep(delayMs, signal);
  }
}

/**
 * sendWithRetry, whose failure is handed to `toError` with the number of attempts made (the
 * clients' messages say "after N attempts"), and the error it returns thrown instead.
 */
export async function sendWithRetryOrThrow<T = unknown>(
  options: SendOptions,
  toError: (error: unknown, attempts: number) => unknown,
): Promise<AxiosResponse<T>> {
  let attempts = 1;
  try {
    return await sendWithRetry<T>({
      ...options,
      onRetry: (notice) => {
        attempts = notice.attempt + 1;
        options.onRetry?.(notice);
      },
    });
  } catch (error) {
    throw toError(error, attempts);
  }
}
