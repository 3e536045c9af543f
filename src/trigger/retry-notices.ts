import type { RetryNotice } from '../http/request';
import type { Logger } from '../runtime/types';
import { reasonOf } from './report';

/** A wait at least this long between two attempts is always worth a warning. */
export const LONG_RETRY_WAIT_MS = 10_000;

/**
 * Turns the clients' retry notices into warning lines without flooding the logs: the first retry of
 * each service in a cycle, and every long wait. The failure itself, if every attempt fails, is the
 * cycle's error line.
 */
export class RetryNotifier {
  private readonly warned = new Set<string>();

  constructor(private readonly logger: Logger) {}

  /** Called at the start of each cycle: the next retry of each service is told again. */
  newCycle(): void {
    this.warned.clear();
  }

  /** The onRetry callback for one service's client. */
  forService(service: 'MISP' | 'Sekoia.io'): (notice: RetryNotice) => void {
    return (notice) => {
      const long = notice.delayMs >= LONG_RETRY_WAIT_MS;
      if (!long && this.warned.has(service)) return;
      this.warned.add(service);
      const wait = Math.max(1, Math.round(notice.delayMs / 1000));
      this.logger.warning(
        `${service} request failed (${reasonOf(notice.error)}), attempt ${notice.attempt} ` +
          `of ${notice.attempts}: trying again in ${wait} s. Nothing is lost; an error follows only if every ` +
          'attempt fails.',
      );
    };
  }
}
