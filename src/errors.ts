/**
 * The error catalogue. Every error the trigger raises on purpose is an AppError with a stable
 * `code`; `fatal` errors (configuration, credentials, wrong collection) are logged once as
 * `critical` and stop the trigger's work, the others are `error` logs and the next cycle retries.
 * Messages never hold a secret: HTTP errors are built from method, URL, status and the API's
 * own message only, never from request headers.
 */
export interface AppErrorOptions {
  code: string;
  fatal?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly fatal: boolean;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.fatal = options.fatal ?? false;
  }
}

/** A module or trigger configuration value is missing or invalid. Always fatal. */
export class ConfigurationError extends AppError {
  /** The fields at fault, e.g. ["ioc_collection_uuid"]; empty when the problem is not one field. */
  readonly fields: readonly string[];

  constructor(message: string, fields: readonly string[] = [], cause?: unknown) {
    super(message, { code: 'CONFIGURATION', fatal: true, cause });
    this.fields = fields;
  }
}

/** What an HTTP call was, for messages: "POST https://misp.example.com/attributes/restSearch". */
export interface HttpOperation {
  method: string;
  /** URL without credentials or query string. */
  url: string;
}

/** The server answered with a non-2xx status. */
export class HttpError extends AppError {
  readonly status: number;
  readonly operation: HttpOperation;
  /** The API's own message, trimmed, if its body carried one. */
  readonly apiMessage: string | undefined;
  /** Wait asked by Retry-After, in ms, when the answer had one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    fields: {
      status: number;
      operation: HttpOperation;
      apiMessage?: string;
      retryAfterMs?: number;
      code?: string;
      fatal?: boolean;
    },
  ) {
    super(message, { code: fields.code ?? `HTTP_${fields.status}`, fatal: fields.fatal });
    this.status = fields.status;
    this.operation = fields.operation;
    this.apiMessage = fields.apiMessage;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** The request never got an HTTP answer: refused, reset, DNS, TLS. */
export class NetworkError extends AppError {
  readonly operation: HttpOperation;
  /** The system or TLS error code, e.g. ECONNRESET, SELF_SIGNED_CERT_IN_CHAIN. */
  readonly systemCode: string | undefined;

  constructor(
    message: string,
    fields: {
      operation: HttpOperation;
      systemCode?: string;
      cause?: unknown;
      code?: string;
      fatal?: boolean;
    },
  ) {
    super(message, { code: fields.code ?? 'NETWORK', fatal: fields.fatal, cause: fields.cause });
    this.operation = fields.operation;
    this.systemCode = fields.systemCode;
  }
}

/** The request got no (complete) answer in time. */
export class TimeoutError extends NetworkError {
  constructor(message: string, fields: { operation: HttpOperation; cause?: unknown }) {
    super(message, { ...fields, code: 'TIMEOUT', systemCode: 'ETIMEDOUT' });
  }
}

/**
 * A 2xx answer whose body is not what the API sends: a proxy's or a login page, JSON cut short.
 * It does not prove the request was served; it is retried when asking again may help.
 */
export class MalformedAnswerError extends AppError {
  readonly operation: HttpOperation;
  readonly status: number;
  /** What came instead, e.g. 'a body that is not JSON: "<html>..."' (server text: redact it). */
  readonly problem: string;
  /** What the API answers, for the message, e.g. '{"version": "2.5.1", ...}'. */
  readonly expected: string | undefined;

  constructor(fields: { operation: HttpOperation; status: number; problem: string; expected?: string }) {
    const { operation, status, problem } = fields;
    super(`Answered ${status} with ${problem}: ${operation.method} ${operation.url}`, {
      code: 'MALFORMED_ANSWER',
    });
    this.operation = operation;
    this.status = status;
    this.problem = problem;
    this.expected = fields.expected;
  }
}

/** The run was stopped (SIGTERM) while waiting or requesting. Never logged as a failure. */
export class AbortedError extends AppError {
  constructor(cause?: unknown) {
    super('Stopped before the operation finished', { code: 'ABORTED', cause });
  }
}

/**
 * The message of any thrown value: an Error's message, else the value as text. Not `instanceof
 * Error`: a native driver's errors may come from another realm.
 */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * A thrown value that is none of ours and no abort: a bug. It is never retried, never told as a
 * failure of MISP, Sekoia.io or the platform; it reaches the runtime's error policy as it is.
 */
export function isBug(error: unknown): boolean {
  return !(error instanceof AppError) && !isAbortError(error);
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof AbortedError ||
    (error instanceof Error && (error.name === 'AbortError' || error.name === 'CanceledError'))
  );
}

/** What a MISP or Sekoia.io call error carries besides its message. */
export interface ServiceErrorFields<Kind extends string> {
  /** What went wrong, as the trigger acts on it. */
  kind: Kind;
  operation: HttpOperation;
  /** HTTP status, when the server answered. */
  status?: number;
  /** The server's own message, secrets removed. */
  apiMessage?: string;
  /** System or TLS error code (ECONNRESET, DEPTH_ZERO_SELF_SIGNED_CERT, ...). */
  systemCode?: string;
  /** A sanitised error (no headers, no secret). */
  cause?: unknown;
}

/**
 * A call to one of the services failed: the base of MispError and SekoiaError. The code is
 * `<SERVICE>_<KIND>`; the kinds listed as fatal need the user (critical log), the others are retried
 * by the next cycle.
 */
export abstract class ServiceError<Kind extends string> extends AppError {
  readonly kind: Kind;
  readonly operation: HttpOperation;
  readonly status: number | undefined;
  readonly apiMessage: string | undefined;
  readonly systemCode: string | undefined;

  protected constructor(
    message: string,
    fields: ServiceErrorFields<Kind>,
    service: string,
    fatalKinds: ReadonlySet<Kind>,
  ) {
    super(message, {
      code: `${service}_${fields.kind.toUpperCase()}`,
      fatal: fatalKinds.has(fields.kind),
      cause: fields.cause,
    });
    this.kind = fields.kind;
    this.operation = fields.operation;
    this.status = fields.status;
    this.apiMessage = fields.apiMessage;
    this.systemCode = fields.systemCode;
  }
}
