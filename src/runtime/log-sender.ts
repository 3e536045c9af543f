import type { AxiosInstance } from 'axios';
import type { Clock } from '../clock';
import { sendWithRetry } from '../http/request';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../http/retry';
import type { LogRecord, SendLogs } from './log-shipper';

/** One attempt per send: the shipper keeps what failed and tries again at its next period. */
const ONE_ATTEMPT: RetryPolicy = { ...DEFAULT_RETRY_POLICY, attempts: 1 };

/**
 * `POST url_logs {"logs": [...]}` with the Bearer token (set on `http`). Rejects with our HTTP
 * errors, never axios' own (whose config holds the token).
 */
export function createLogSender(http: AxiosInstance, urlLogs: string, clock: Clock): SendLogs {
  return async (logs: LogRecord[]): Promise<void> => {
    await sendWithRetry({
      http,
      request: { method: 'POST', url: urlLogs, data: { logs } },
      policy: ONE_ATTEMPT,
      clock,
    });
  };
}
