import { randomUUID } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import type { AxiosInstance } from 'axios';
import type { Clock } from '../clock';
import { HttpError, isAbortError } from '../errors';
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

/** Sends events to url_callback. Resolves false when the event was not delivered (already logged). */
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
      if (isAbortError(error)) {
        logger.warning(`Event "${name}" was not sent: the trigger is stopping.`);
        return false;
      }
      const rejected = error instanceof HttpError && error.status >= 400 && error.status < 500;
      logger.error(
        rejected
          ? `Event "${name}" was refused by Sekoia.io (${(error as Error).message}); it is not sent again. ` +
              'If this repeats, restart the trigger; if it persists, contact Sekoia.io support.'
          : `Event "${name}" could not be delivered to Sekoia.io (${(error as Error).message}); ` +
              'the platform did not answer. The next cycle sends its own event.',
      );
      return false;
    }
    options.onSent?.(name);
    return true;
  };
}

export type SendEvent = ReturnType<typeof createEventSender>;
