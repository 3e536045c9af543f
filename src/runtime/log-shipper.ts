import type { Clock } from '../clock';
import type { LogLevel } from './types';
import { messageOf } from '../errors';

/** One line as the logs endpoint takes it. */
export interface LogRecord {
  /** UTC ISO 8601. */
  date: string;
  level: LogLevel;
  message: string;
}

/** Sends one batch; rejects with a message safe to print (no token) when the batch was not taken. */
export type SendLogs = (logs: LogRecord[]) => Promise<void>;

export interface LogShipperOptions {
  send: SendLogs;
  clock: Clock;
  /** Lines per POST; a full batch is sent at once. @default 50 */
  batchSize?: number;
  /** Flush period. @default 5000 */
  intervalMs?: number;
  /** The same level+message is shipped at most once in this window (critical always). @default 60000 */
  rateLimitMs?: number;
  /** Lines kept while the endpoint fails; the oldest are dropped beyond, and counted. @default 10000 */
  maxBuffered?: number;
  /** Told when shipping starts failing or recovers: the console is the only place left to say it. */
  onStatus?: (message: string) => void;
  /** Told how many lines each accepted batch held (metrics). */
  onShipped?: (count: number) => void;
}

/**
 * Buffers log lines and ships them in batches, never blocking the caller. Lines that could not be
 * sent stay buffered (bounded) and go with the next attempt, at the next period.
 */
export class LogShipper {
  private buffer: LogRecord[] = [];
  private readonly lastShipped = new Map<string, number>();
  private droppedSinceNotice = 0;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private failing = false;
  private retryNotBefore = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly rateLimitMs: number;
  private readonly maxBuffered: number;

  constructor(private readonly options: LogShipperOptions) {
    this.batchSize = options.batchSize ?? 50;
    this.intervalMs = options.intervalMs ?? 5000;
    this.rateLimitMs = options.rateLimitMs ?? 60_000;
    this.maxBuffered = options.maxBuffered ?? 10_000;
  }

  /** Lines waiting to be shipped. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Starts the periodic flush; the timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Queues a line (unless rate-limited) and starts a send when the batch is full or the line is an error. */
  push(
    level: LogLevel,
    message: string,
    date: string = new Date(this.options.clock.now()).toISOString(),
  ): void {
    const now = this.options.clock.now();
    if (level !== 'critical') {
      const key = `${level}:${message}`;
      const last = this.lastShipped.get(key);
      if (last !== undefined && now - last < this.rateLimitMs) return;
      this.lastShipped.set(key, now);
      if (this.lastShipped.size > 4096) this.forgetOldKeys(now);
    }
    this.buffer.push({ date, level, message });
    this.trim();
    const urgent = level === 'error' || level === 'critical';
    if ((urgent || this.buffer.length >= this.batchSize) && now >= this.retryNotBefore) void this.flush();
  }

  /** Ships everything buffered. Never rejects; resolves when the buffer is empty or a send failed. */
  flush(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    if (this.buffer.length === 0 && this.droppedSinceNotice === 0) return Promise.resolve();
    this.inFlight = this.drain().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops the timer and makes a last flush, given at most `timeoutMs`. @default timeoutMs 3000 */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.retryNotBefore = 0;
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, timeoutMs);
      deadline.unref();
    });
    await Promise.race([this.flush().then(() => this.flush()), timedOut]);
    clearTimeout(deadline);
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      while (this.buffer.length > 0 || this.droppedSinceNotice > 0) {
        const dropped = this.droppedSinceNotice;
        const notice: LogRecord[] =
          dropped > 0
            ? [
                {
                  date: new Date(this.options.clock.now()).toISOString(),
                  level: 'warning',
                  message: `${dropped} older log lines were dropped while the logs endpoint could not be reached.`,
                },
              ]
            : [];
        const lines = this.buffer.splice(0, this.batchSize - notice.length);
        try {
          await this.options.send([...notice, ...lines]);
        } catch (error) {
          this.buffer.unshift(...lines);
          this.trim();
          this.failed(error);
          return;
        }
        this.droppedSinceNotice -= dropped;
        if (this.failing) {
          this.failing = false;
          this.options.onStatus?.('Shipping logs to Sekoia.io works again.');
        }
        this.options.onShipped?.(notice.length + lines.length);
      }
    } while (this.again);
  }

  private failed(error: unknown): void {
    this.retryNotBefore = this.options.clock.now() + this.intervalMs;
    if (this.failing) return;
    this.failing = true;
    this.options.onStatus?.(
      `Cannot ship logs to Sekoia.io (${messageOf(error)}); ${this.buffer.length} lines kept, ` +
        `retrying every ${this.intervalMs / 1000} s.`,
    );
  }

  /** Keeps the newest lines when the endpoint has been failing for long. */
  private trim(): void {
    const excess = this.buffer.length - this.maxBuffered;
    if (excess > 0) {
      this.buffer.splice(0, excess);
      this.droppedSinceNotice += excess;
    }
  }

  private forgetOldKeys(now: number): void {
    for (const [key, time] of this.lastShipped) {
      if (now - time >= this.rateLimitMs) this.lastShipped.delete(key);
    }
  }
}
