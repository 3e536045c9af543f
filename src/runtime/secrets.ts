import type { AxiosInstance } from 'axios';
import type { Clock } from '../clock';
import { AppError, HttpError, isAbortError, messageOf } from '../errors';
import { sendWithRetry } from '../http/request';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../http/retry';

/** Ten attempts, exponential wait capped at 10 s, as the Python SDK does; the usual retried statuses. */
export const SECRETS_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  ...DEFAULT_RETRY_POLICY,
  attempts: 10,
  maxDelayMs: 10_000,
  retryAfterCapMs: 10_000,
});

/** @default 30000 */
export const SECRETS_TIMEOUT_MS = 30_000;

/**
 * The module's secrets could not be fetched. Not a configuration error and not the user's to
 * fix: as the SDK does, the process exits non-zero so that the orchestrator starts it again.
 */
export class SecretsUnavailableError extends AppError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'SECRETS', cause });
  }
}

/** Exit code when the secrets could not be fetched: the orchestrator starts the trigger again. */
export const SECRETS_EXIT_CODE = 1;

export interface FetchSecretsOptions {
  /** Has the Bearer token and the 30 s timeout. */
  http: AxiosInstance;
  urlSecrets: string;
  clock: Clock;
  signal?: AbortSignal;
  /** @default SECRETS_RETRY_POLICY */
  policy?: RetryPolicy;
  /** Told before each wait, for a warning log. */
  onRetry?: (message: string) => void;
  random?: () => number;
}

/**
 * Fetches the module's secrets: `GET url_secrets` answers `{"value": {...}}`. Throws
 * SecretsUnavailableError once the attempts are spent, or at once on an answer that will not
 * change (401, 404).
 */
export async function fetchSecrets(options: FetchSecretsOptions): Promise<Record<string, unknown>> {
  let data: unknown;
  try {
    const response = await sendWithRetry({
      http: options.http,
      request: { method: 'GET', url: options.urlSecrets },
      policy: options.policy ?? SECRETS_RETRY_POLICY,
      clock: options.clock,
      signal: options.signal,
      random: options.random,
      onRetry: (notice) =>
        options.onRetry?.(
          `Fetching the module's secrets failed (attempt ${notice.attempt} of ${notice.attempts}: ` +
            `${notice.error.message}); retrying in ${Math.ceil(notice.delayMs / 1000)} s.`,
        ),
    });
    data = response.data;
  } catch (error) {
    if (isAbortError(error)) throw error;
    const hint =
      error instanceof HttpError && (error.status === 401 || error.status === 403)
        ? 'The runtime token was refused.'
        : 'The Sekoia.io runtime did not hand over the secrets.';
    throw new SecretsUnavailableError(
      `Cannot fetch the module's secrets: ${messageOf(error).replace(/[.\s]+$/, '')}. ${hint}`,
      error,
    );
  }
  const value = (data as { value?: unknown } | null | undefined)?.value;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SecretsUnavailableError(
      `Cannot fetch the module's secrets: the answer of GET ${options.urlSecrets} has a "value" that is not an object.`,
    );
  }
  return value as Record<string, unknown>;
}

/** The secrets win over whatever the configuration holds for them (the platform leaves placeholders). */
export function mergeSecrets(
  moduleConfiguration: Record<string, unknown>,
  secrets: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...moduleConfiguration };
  for (const [key, value] of Object.entries(secrets)) {
    if (value !== undefined && value !== null) merged[key] = value;
  }
  return merged;
}
