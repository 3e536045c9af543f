import axios, { AxiosError, AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { Clock } from '../clock';
import {
  AbortedError,
  HttpError,
  HttpOperation,
  MalformedAnswerError,
  NetworkError,
  TimeoutError,
} from '../errors';
import { isTlsFailure } from './describe';
import { redactHttpFailure } from './redact';
import { AttemptFailure, computeRetryDelay, parseRetryAfter, RetryPolicy } from './retry';
import { safeUrl } from './url';

/** Why an attempt failed. */
export type AttemptError = HttpError | NetworkError | MalformedAnswerError;

/** Told before each wait between two attempts, so the caller can log what happens next. */
export interface RetryNotice {
  operation: HttpOperation;
  /** The attempt that failed, 1-based. */
  attempt: number;
  attempts: number;
  delayMs: number;
  error: AttemptError;
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
  /** Turns the last failure into the caller's error, told how many attempts were made. @default as is */
  toError?: (error: unknown, attempts: number) => unknown;
  /**
   * Deadline of one attempt, from sending to the last byte of the answer, in ms: a server that
   * trickles a body forever is cut and the attempt counts as a timeout (retried).
   * @default none (axios' own `timeout`, if set, still applies)
   */
  attemptTimeoutMs?: number;
}

/** The signal of one attempt: the run's signal, plus the attempt's own deadline on `clock`. */
function startAttempt(
  clock: Clock,
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
  const cancel = clock.schedule(timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      cancel();
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** "POST https://host/path" without userinfo or query, safe to log. */
export function describeOperation(http: AxiosInstance, request: AxiosRequestConfig): HttpOperation {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = request.url ?? '';
  return { method, url: safeUrl(url, request.baseURL ?? http.defaults.baseURL) ?? url.split('?')[0] };
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
function toHttpFailure(
  error: AxiosError,
  operation: HttpOperation,
  now: number,
): { error: HttpError | NetworkError; failure: AttemptFailure } {
  if (error.response) return fromResponse(error.response, operation, now);
  const where = `${operation.method} ${operation.url}`;
  const code = error.code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code && TIMEOUT_CODES.has(code)) {
    return {
      error: new TimeoutError(`No complete answer in time: ${where}`, { operation }),
      failure: { kind: 'timeout' },
    };
  }
  const known = code !== undefined && (NETWORK_CODES.has(code) || /^E[A-Z]+$/.test(code));
  const detail = error.message.replace(/\s+/g, ' ').slice(0, 200);
  return {
    error: new NetworkError(`Request failed (${code ?? 'network error'}: ${detail}): ${where}`, {
      operation,
      systemCode: code,
    }),
    // TLS failures (certificate not trusted, wrong host name) do not heal by retrying.
    failure: known && !isTlsFailure(code) ? { kind: 'network' } : { kind: 'other' },
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

/** What `read` returns for a 2xx answer that is not what was asked (see requestWithRetry). */
export class AnswerProblem {
  constructor(
    /** What came instead, e.g. 'a body that is not JSON: "<html>..."'. */
    readonly problem: string,
    /** True when asking again may help (a body cut short); false when the server would answer the same. */
    readonly retry: boolean,
    /** What the API answers, for the message. */
    readonly expected?: string,
  ) {}
}

/** What one attempt gave: the result, or the failure and its error. */
type AttemptOutcome<R> =
  { ok: true; result: R } | { ok: false; error: AttemptError; failure: AttemptFailure };

function malformedOutcome(
  answer: AnswerProblem,
  status: number,
  operation: HttpOperation,
): AttemptOutcome<never> {
  return {
    ok: false,
    error: new MalformedAnswerError({
      operation,
      status,
      problem: answer.problem,
      expected: answer.expected,
    }),
    failure: answer.retry ? { kind: 'network' } : { kind: 'other' },
  };
}

/** One attempt: the request under its own deadline, then its answer read. */
async function attempt<R>(
  options: SendOptions,
  operation: HttpOperation,
  read: (response: AxiosResponse<unknown>) => R | AnswerProblem,
): Promise<AttemptOutcome<R>> {
  const { http, request, clock, signal } = options;
  const current = startAttempt(clock, signal, options.attemptTimeoutMs);
  let response: AxiosResponse<unknown>;
  try {
    response = await http.request<unknown>({
      ...request,
      signal: current.signal,
      validateStatus: () => true,
    });
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    if (current.timedOut()) {
      const where = `${operation.method} ${operation.url}`;
      const timeout = new TimeoutError(`No complete answer within ${options.attemptTimeoutMs} ms: ${where}`, {
        operation,
      });
      return { ok: false, error: timeout, failure: { kind: 'timeout' } };
    }
    // Not an HTTP failure: a bug (ours or a library's), never retried nor told as a network failure.
    if (!axios.isAxiosError(error)) throw error;
    return { ok: false, ...toHttpFailure(error, operation, clock.now()) };
  } finally {
    current.dispose();
  }
  if (response.status < 200 || response.status >= 300) {
    return { ok: false, ...fromResponse(response, operation, clock.now()) };
  }
  const result = read(response);
  if (result instanceof AnswerProblem) return malformedOutcome(result, response.status, operation);
  return { ok: true, result };
}

/**
 * Sends one request, retrying per `policy`: one loop, whose attempts are counted in every notice
 * and handed to `toError`. `read` turns a 2xx answer into the result, or returns an
 * AnswerProblem: a failed attempt like a 503, retried when the problem says so. The last failure
 * is thrown through `toError` (as is without it): HttpError, NetworkError/TimeoutError,
 * MalformedAnswerError, or AbortedError when `signal` aborts. Nothing it throws holds request headers.
 */
export async function requestWithRetry<R>(
  options: SendOptions,
  read: (response: AxiosResponse<unknown>) => R | AnswerProblem,
): Promise<R> {
  const { policy, clock, signal } = options;
  const random = options.random ?? Math.random;
  const toError = options.toError ?? ((error: unknown) => error);
  const operation = describeOperation(options.http, options.request);
  for (let attemptNumber = 1; ; attemptNumber++) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    const outcome = await attempt(options, operation, read);
    if (outcome.ok) return outcome.result;
    const delayMs = computeRetryDelay(attemptNumber, outcome.failure, policy, random());
    if (delayMs === 0) throw toError(outcome.error, attemptNumber);
    const { error } = outcome;
    options.onRetry?.({ operation, attempt: attemptNumber, attempts: policy.attempts, delayMs, error });
    await clock.sleep(delayMs, signal);
  }
}

/** requestWithRetry for the whole 2xx answer, as it came. */
export function sendWithRetry<T = unknown>(options: SendOptions): Promise<AxiosResponse<T>> {
  return requestWithRetry(options, (response) => response as AxiosResponse<T>);
}

/** What every request of one client shares: all of SendOptions but the request and its signal. */
export interface ClientSendOptions extends Omit<SendOptions, 'request' | 'signal'> {
  /** The client's credentials: stripped from what reaches onRetry. */
  secrets: readonly string[];
}

/** A client's request function: requestWithRetry with the client's shared options. */
export type ClientSend = <R>(
  request: AxiosRequestConfig,
  signal: AbortSignal | undefined,
  read: (response: AxiosResponse<unknown>) => R | AnswerProblem,
) => Promise<R>;

/** The request function of a client: its retry policy, deadline, error conversion, redacted notices. */
export function clientSender(shared: ClientSendOptions): ClientSend {
  const { secrets, onRetry, ...options } = shared;
  const notify = (notice: RetryNotice): void =>
    onRetry?.({ ...notice, error: redactHttpFailure(notice.error, secrets) });
  return (request, signal, read) => requestWithRetry({ ...options, request, signal, onRetry: notify }, read);
}
