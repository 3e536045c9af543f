import {
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Registry,
} from 'prom-client';
import type { CycleReport } from './cycle';
import { skippedCounts } from './report';

/** How a cycle ended: every batch accepted, stopped early (non-fatal, retried), or a fatal/unexpected error. */
export type CycleOutcome = 'complete' | 'interrupted' | 'error';

/** The trigger's Prometheus metrics, registered on the runtime's registry. */
export interface TriggerMetrics {
  recordCycle(report: CycleReport, endedAtMs: number): void;
  recordError(durationMs: number): void;
}

/** The metrics behind TriggerMetrics, one field per exported series. */
interface TriggerMetricSet {
  attributes: Counter;
  pushed: Counter<'format'>;
  skipped: Counter<'reason'>;
  cycles: Counter<'outcome'>;
  duration: Histogram;
  lastSuccess: Gauge;
}

/**
 * The metric already registered under `name` (a second run in the same process: registering it
 * again would throw), else a new one.
 */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

// Typed shorthands: a metric registered on `registry`, or the one a previous run registered there.
function counter<T extends string>(registry: Registry, configuration: CounterConfiguration<T>): Counter<T> {
  return reuse(registry, configuration.name, () => new Counter({ ...configuration, registers: [registry] }));
}

function histogram(registry: Registry, configuration: HistogramConfiguration<string>): Histogram {
  return reuse(
    registry,
    configuration.name,
    () => new Histogram({ ...configuration, registers: [registry] }),
  );
}

function gauge(registry: Registry, configuration: GaugeConfiguration<string>): Gauge {
  return reuse(registry, configuration.name, () => new Gauge({ ...configuration, registers: [registry] }));
}

/** The trigger's series, registered in this order (the order of the exposition text). */
function registerTriggerMetrics(registry: Registry): TriggerMetricSet {
  return {
    attributes: counter(registry, {
      name: 'misp_ids_attributes_read_total',
      help: 'MISP attributes read',
    }),
    pushed: counter(registry, {
      name: 'misp_ids_iocs_pushed_total',
      help: 'IOCs accepted by the IOC Collection, by Sekoia.io format',
      labelNames: ['format'],
    }),
    skipped: counter(registry, {
      name: 'misp_ids_values_skipped_total',
      help: 'Values not pushed, by reason',
      labelNames: ['reason'],
    }),
    cycles: counter(registry, {
      name: 'misp_ids_cycles_total',
      help: 'Polling cycles, by outcome (complete, interrupted, error)',
      labelNames: ['outcome'],
    }),
    duration: histogram(registry, {
      name: 'misp_ids_cycle_duration_seconds',
      help: 'Duration of a polling cycle',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    }),
    lastSuccess: gauge(registry, {
      name: 'misp_ids_last_success_timestamp_seconds',
      help: 'End of the last cycle in which every batch was accepted (epoch seconds)',
    }),
  };
}

/** A cycle that ran to its end; a dry run pushed nothing, so it counts no IOC as accepted. */
function recordCycle(metrics: TriggerMetricSet, report: CycleReport, endedAtMs: number): void {
  metrics.attributes.inc(report.attributesRead);
  if (!report.dryRun) {
    for (const [format, n] of Object.entries(report.pushedByFormat)) metrics.pushed.inc({ format }, n ?? 0);
  }
  for (const [reason, n] of Object.entries(skippedCounts(report))) {
    if (n > 0) metrics.skipped.inc({ reason }, n);
  }
  const outcome: CycleOutcome = report.failures.length > 0 ? 'interrupted' : 'complete';
  metrics.cycles.inc({ outcome });
  metrics.duration.observe(report.durationMs / 1000);
  // "Last success" means every batch accepted: an interrupted cycle leaves work for the next one.
  if (report.failures.length === 0) metrics.lastSuccess.set(endedAtMs / 1000);
}

/** A cycle that ended in a fatal or unexpected error: counted and timed, never a success. */
function recordError(metrics: TriggerMetricSet, durationMs: number): void {
  const outcome: CycleOutcome = 'error';
  metrics.cycles.inc({ outcome });
  metrics.duration.observe(durationMs / 1000);
}

/** The trigger's metrics on `registry`: a second call on the same registry updates the same series. */
export function createTriggerMetrics(registry: Registry): TriggerMetrics {
  const metrics = registerTriggerMetrics(registry);
  return {
    recordCycle: (report, endedAtMs) => recordCycle(metrics, report, endedAtMs),
    recordError: (durationMs) => recordError(metrics, durationMs),
  };
}
