import { randomUUID } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import type { AxiosInstance } from 'axios';
import type { Clock } from '../clock';
import { HttpError, isAbortError, isBug, messageOf } from '../errors';
import { sendWithRetry } from '../http/request';
import { RetryPolicy } from '../http/retry';
import type { Logger } from './types';

/** Up to 10 attempts on 5xx and network errors; a 4xx is not retried (the event itself is wrong). */
export const EVENT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 10,
  baseDelayMs: 1000,
  maxDelayMs: 10_000,
  retryAfterCapMs: 10_000,
  statusCodes: Object.freeze(Array.from({ length: 100 }, (_, index) => 500 + index)),
});

export interface EventSenderOptions {
  /** Holds the Bearer token; undefined in local runs (no url_callback): events are logged instead. */
  http: AxiosInstance | undefined;
  urlCallback: string | undefined;
  /** The trigger JSON's `results` schema, compiled; undefined when the file has none. */
  validateResult: ValidateFunction | undefined;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  /** @default EVENT_RETRY_POLICY */
  policy?: RetryPolicy;
  random?: () => number;
  /** Told after each delivered event (last_events_time, metrics). */
  onSent?: (name: string) => void;
}

function schemaProblems(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '(event)'} ${error.message ?? error.keyword}`)
    .join('; ');
}

/** Why an event was not delivered, and what to do: refused (4xx), the platform failing (5xx), unreachable. */
function undeliveredLine(name: string, error: unknown): string {
  const reason = messageOf(error);
  if (error instanceof HttpError && error.status < 500) {
    return (
      `Event "${name}" was refused by Sekoia.io (${reason}); it is not sent again. ` +
      'If this repeats, restart the trigger; if it persists, contact Sekoia.io support.'
    );
  }
  const platform = error instanceof HttpError ? 'the platform kept failing' : 'the platform did not answer';
  return `Event "${name}" could not be delivered to Sekoia.io (${reason}); ${platform}. The next cycle sends its own event.`;
}

/**
 * Sends events to url_callback. Resolves false when the event was not delivered (already logged);
 * a bug is thrown as it is.
 */
export function createEventSender(options: EventSenderOptions) {
  return async function sendEvent(name: string, event: Record<string, unknown>): Promise<boolean> {
    const { logger, validateResult } = options;
    if (validateResult && !validateResult(event)) {
      logger.error(
        `Event "${name}" was not sent: it does not match the trigger's results schema (${schemaProblems(validateResult)}). ` +
          'This is a defect of the trigger, please report it.',
      );
      return false;
    }
    if (!options.http || !options.urlCallback) {
      logger.info(`Event "${name}" (local run, not sent): ${JSON.stringify(event)}`);
      options.onSent?.(name);
      return true;
    }
    try {
      await sendWithRetry({
        http: options.http,
        request: {
          method: 'POST',
          url: options.urlCallback,
          data: { name, event, request_id: randomUUID() },
        },
        policy: options.policy ?? EVENT_RETRY_POLICY,
        clock: options.clock,
        signal: options.signal,
        random: options.random,
        onRetry: (notice) =>
          logger.warning(
            `Sending event "${name}" failed (attempt ${notice.attempt} of ${notice.attempts}: ${notice.error.message}); ` +
              `retrying in ${Math.ceil(notice.delayMs / 1000)} s.`,
          ),
      });
    } catch (error) {
      if (isBug(error)) throw error;
      if (isAbortError(error)) logger.warning(`Event "${name}" was not sent: the trigger is stopping.`);
      else logger.error(undeliveredLine(name, error));
      return false;
    }
    options.onSent?.(name);
    return true;
  };
}

export type SendEvent = ReturnType<typeof createEventSender>;
