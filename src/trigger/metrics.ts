import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CycleReport } from './cycle';
import { skippedCounts } from './report';

/** How a cycle ended: every batch accepted, stopped early (non-fatal, retried), or a fatal/unexpected error. */
export type CycleOutcome = 'complete' | 'interrupted' | 'error';

/** The trigger's Prometheus metrics, registered on the runtime's registry. */
export interface TriggerMetrics {
  recordCycle(report: CycleReport, endedAtMs: number): void;
  recordError(durationMs: number): void;
}

/** The metric already registered under `name` (a second run in the same process), else a new one. */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createTriggerMetrics(registry: Registry): TriggerMetrics {
  const registers = [registry];
  const attributes = reuse(
    registry,
    'misp_ids_attributes_read_total',
    () => new Counter({ name: 'misp_ids_attributes_read_total', help: 'MISP attributes read', registers }),
  );
  const pushed = reuse(
    registry,
    'misp_ids_iocs_pushed_total',
    () =>
      new Counter({
        name: 'misp_ids_iocs_pushed_total',
        help: 'IOCs accepted by the IOC Collection, by Sekoia.io format',
        labelNames: ['format'],
        registers,
      }),
  );
  const skipped = reuse(
    registry,
    'misp_ids_values_skipped_total',
    () =>
      new Counter({
        name: 'misp_ids_values_skipped_total',
        help: 'Values not pushed, by reason',
        labelNames: ['reason'],
        registers,
      }),
  );
  const cycles = reuse(
    registry,
    'misp_ids_cycles_total',
    () =>
      new Counter({
        name: 'misp_ids_cycles_total',
        help: 'Polling cycles, by outcome (complete, interrupted, error)',
        labelNames: ['outcome'],
        registers,
      }),
  );
  const duration = reuse(
    registry,
    'misp_ids_cycle_duration_seconds',
    () =>
      new Histogram({
        name: 'misp_ids_cycle_duration_seconds',
        help: 'Duration of a polling cycle',
        buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
        registers,
      }),
  );
  const lastSuccess = reuse(
    registry,
    'misp_ids_last_success_timestamp_seconds',
    () =>
      new Gauge({
        name: 'misp_ids_last_success_timestamp_seconds',
        help: 'End of the last cycle in which every batch was accepted (epoch seconds)',
        registers,
      }),
  );

  return {
    recordCycle(report, endedAtMs) {
      attributes.inc(report.attributesRead);
      if (!report.dryRun) {
        for (const [format, n] of Object.entries(report.pushedByFormat)) pushed.inc({ format }, n ?? 0);
      }
      for (const [reason, n] of Object.entries(skippedCounts(report))) if (n > 0) skipped.inc({ reason }, n);
      const outcome: CycleOutcome = report.failures.length > 0 ? 'interrupted' : 'complete';
      cycles.inc({ outcome });
      duration.observe(report.durationMs / 1000);
      if (report.failures.length === 0) lastSuccess.set(endedAtMs / 1000);
    },
    recordError(durationMs) {
      const outcome: CycleOutcome = 'error';
      cycles.inc({ outcome });
      duration.observe(durationMs / 1000);
    },
  };
}
