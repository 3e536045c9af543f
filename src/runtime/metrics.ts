import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** The runtime's own metrics; the trigger adds its own to `registry`. */
export interface RuntimeMetrics {
  registry: Registry;
  heartbeatTimestamp: Gauge;
  consecutiveFailures: Gauge;
  eventsSent: Counter;
  logsShipped: Counter;
  /** Bugs: errors that are none of the trigger's own, logged with their stack. */
  internalErrors: Counter;
}

/** A fresh registry (never the global one: tests run several runtimes in one process). */
export function createRuntimeMetrics(): RuntimeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    heartbeatTimestamp: new Gauge({
      name: 'trigger_heartbeat_timestamp_seconds',
      help: 'Unix time of the last heartbeat of the trigger.',
      registers: [registry],
    }),
    consecutiveFailures: new Gauge({
      name: 'trigger_consecutive_failures',
      help: 'Cycles that failed in a row (0 after a good cycle).',
      registers: [registry],
    }),
    eventsSent: new Counter({
      name: 'trigger_events_sent_total',
      help: 'Events delivered to the Sekoia.io runtime.',
      registers: [registry],
    }),
    logsShipped: new Counter({
      name: 'trigger_logs_shipped_total',
      help: 'Log lines accepted by the Sekoia.io logs endpoint.',
      registers: [registry],
    }),
    internalErrors: new Counter({
      name: 'trigger_internal_errors_total',
      help: 'Internal errors (bugs) met by the trigger, each logged as an error with its stack.',
      registers: [registry],
    }),
  };
}
