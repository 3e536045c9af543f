import type { Clock } from '../clock';

/** After this many failed cycles in a row, /health answers 500. */
export const FAILED_CYCLES_LIMIT = 5;

/** Used until the trigger configuration is known. @default 600 */
export const DEFAULT_HEARTBEAT_THRESHOLD_SECONDS = 600;

/** The body of GET /health, as the Python SDK returns it. */
export interface HealthReport {
  last_events_time: string;
  last_heartbeat: string;
  /** 0: going without events never marks the trigger dead (a quiet MISP is normal). */
  seconds_without_events_threshold: number;
  last_heartbeat_threshold: number;
  error_count: number;
}

/** What /health tells: heartbeat age and consecutive failures. */
export class Liveness {
  private lastEventsTime: number;
  private lastHeartbeat: number;
  private failures = 0;
  private stoppedOnError = false;
  /** Seconds without a heartbeat after which the trigger is reported dead. */
  heartbeatThresholdSeconds = DEFAULT_HEARTBEAT_THRESHOLD_SECONDS;

  constructor(private readonly clock: Clock) {
    this.lastEventsTime = clock.now();
    this.lastHeartbeat = clock.now();
  }

  get errorCount(): number {
    return this.failures;
  }

  heartbeat(): void {
    this.lastHeartbeat = this.clock.now();
  }

  eventSent(): void {
    this.lastEventsTime = this.clock.now();
  }

  /** Counts a failed cycle and returns the count of failures in a row. */
  cycleFailed(): number {
    this.failures += 1;
    return this.failures;
  }

  cycleSucceeded(): void {
    this.failures = 0;
  }

  /**
   * The trigger stopped on a fatal error and idles until SIGTERM: its silence is expected. A
   * 500 would only make the orchestrator restart it into the same error; the critical log
   * already told the user (and the platform) what to fix.
   */
  markStoppedOnError(): void {
    this.stoppedOnError = true;
  }

  check(): { alive: boolean; report: HealthReport } {
    const now = this.clock.now();
    const heartbeatAge = (now - this.lastHeartbeat) / 1000;
    const staleHeartbeat =
      !this.stoppedOnError &&
      this.heartbeatThresholdSeconds > 0 &&
      heartbeatAge > this.heartbeatThresholdSeconds;
    return {
      alive: !staleHeartbeat && this.failures < FAILED_CYCLES_LIMIT,
      report: {
        last_events_time: new Date(this.lastEventsTime).toISOString(),
        last_heartbeat: new Date(this.lastHeartbeat).toISOString(),
        seconds_without_events_threshold: 0,
        last_heartbeat_threshold: this.heartbeatThresholdSeconds,
        error_count: this.failures,
      },
    };
  }
}
