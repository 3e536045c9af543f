import type { Clock } from '../clock';

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

/**
 * What /health tells: alive while the heartbeat is fresh. Failed cycles are reported
 * (error_count) but never make it answer 500, as in the SDK: a restart in the middle of an
 * outage would not end it, and the error policy (FailureStreak) tells a person when to step in.
 */
export class Liveness {
  private lastEventsTime: number;
  private lastHeartbeat: number;
  private stoppedOnError = false;
  /** Seconds without a heartbeat after which the trigger is reported dead. */
  heartbeatThresholdSeconds = DEFAULT_HEARTBEAT_THRESHOLD_SECONDS;

  /** @param errorCount the failed cycles in a row, for the report. */
  constructor(
    private readonly clock: Clock,
    private readonly errorCount: () => number = () => 0,
  ) {
    this.lastEventsTime = clock.now();
    this.lastHeartbeat = clock.now();
  }

  heartbeat(): void {
    this.lastHeartbeat = this.clock.now();
  }

  eventSent(): void {
    this.lastEventsTime = this.clock.now();
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
      alive: !staleHeartbeat,
      report: {
        last_events_time: new Date(this.lastEventsTime).toISOString(),
        last_heartbeat: new Date(this.lastHeartbeat).toISOString(),
        seconds_without_events_threshold: 0,
        last_heartbeat_threshold: this.heartbeatThresholdSeconds,
        error_count: this.errorCount(),
      },
    };
  }
}
