import type { IndicatorBatch, IocCollectionSink, PushResult, SekoiaFormat } from '../sekoia/types';
import type { PushedRecord, SweepMarks, TriggerState } from '../state/types';

/** Examples of values a dry run would push, per format. */
export const DRY_RUN_EXAMPLES = 3;

/** Stands in for the IOC Collection in a dry run: accepts every batch, sends nothing, keeps examples. */
export class DryRunSink implements IocCollectionSink {
  readonly examples: Partial<Record<SekoiaFormat, string[]>> = {};

  async checkCollection(): Promise<void> {}

  async push(batch: IndicatorBatch): Promise<PushResult> {
    const examples = (this.examples[batch.format] ??= []);
    for (const value of batch.values) {
      if (examples.length >= DRY_RUN_EXAMPLES) break;
      examples.push(value);
    }
    return {};
  }
}

/**
 * The state as a dry run sees it: reads the real one, writes nothing to it. What the dry run
 * "pushed" is remembered in memory for the cycle, so a value seen twice is counted once.
 */
export class DryRunState implements TriggerState {
  private readonly seen = new Set<string>();

  constructor(private readonly real: TriggerState) {}

  async filterUnpushed(keys: readonly string[]): Promise<string[]> {
    const unseen = keys.filter((key) => !this.seen.has(key));
    return this.real.filterUnpushed(unseen);
  }

  async markPushed(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.seen.add(key);
  }

  filterUnreadEvents(eventKeys: readonly string[]): Promise<string[]> {
    return this.real.filterUnreadEvents(eventKeys);
  }

  async markEventsRead(): Promise<void> {}

  getCursor(): Promise<number | undefined> {
    return this.real.getCursor();
  }

  async setCursor(): Promise<void> {}

  getAppliedWindowDays(): Promise<number | undefined> {
    return this.real.getAppliedWindowDays();
  }

  async setAppliedWindowDays(): Promise<void> {}

  async save(): Promise<void> {}

  // ---- Reconciliation (docs/architecture.md#the-reconciliation-sweep): reads go to the real state, writes nowhere ----
  readLapseTimes(keys: readonly string[]): Promise<Map<string, number>> {
    return this.real.readLapseTimes(keys);
  }

  listPushedRecords(afterKey: string, limit: number): Promise<PushedRecord[]> {
    return this.real.listPushedRecords(afterKey, limit);
  }

  async forgetPushed(): Promise<void> {}

  getSweepMarks(): Promise<SweepMarks> {
    return this.real.getSweepMarks();
  }

  async setSweepMarks(): Promise<void> {}

  getRevocations(): Promise<Map<string, number>> {
    return this.real.getRevocations();
  }

  async setRevocations(): Promise<void> {}
  // ---- end of the reconciliation block ----

  async close(): Promise<void> {}
}
