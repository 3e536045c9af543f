import { SekoiaError } from '../sekoia/errors';
import type { KeyedBatch } from '../pipeline/types';
import type { IndicatorBatch, IocCollectionSink, PushOptions, SekoiaFormat } from '../sekoia/types';
import type { PushRecord, TriggerState } from '../state/types';

/** What the accepted pushes of a cycle added up to. */
export interface PushTotals {
  pushedByFormat: Partial<Record<SekoiaFormat, number>>;
  iocsPushed: number;
  batchesAccepted: number;
  taskIds: string[];
  /** Set only when Sekoia.io answered the count for at least one batch. */
  created?: number;
  updated?: number;
  ignored?: number;
  /** Single values Sekoia.io refused: not pushed, not marked. */
  rejected: number;
  /** Up to REJECTED_EXAMPLES refused values, and the API's message for the first one. */
  rejectedExamples: Array<{ format: SekoiaFormat; value: string }>;
  rejectedMessage?: string;
  /** The first PUSHED_SAMPLE values accepted, for the cycle's event. */
  pushedSample: Array<{ format: SekoiaFormat; value: string }>;
}

export const REJECTED_EXAMPLES = 3;
export const PUSHED_SAMPLE = 10;

/**
 * Extra requests a cycle may spend narrowing rejected batches down. One bad value in a batch of
 * 1,000 costs about 20; a batch refused whole (every value, or a reason unrelated to the values)
 * would cost 2,000, so past this budget the rejection ends the cycle instead: the cursor stays,
 * and the next cycle tries again (5 such cycles in a row raise a critical log).
 */
export const REJECTION_SPLIT_BUDGET = 200;

export function emptyTotals(): PushTotals {
  return {
    pushedByFormat: {},
    iocsPushed: 0,
    batchesAccepted: 0,
    taskIds: [],
    rejected: 0,
    rejectedExamples: [],
    pushedSample: [],
  };
}

function addCount(
  totals: PushTotals,
  field: 'created' | 'updated' | 'ignored',
  value: number | undefined,
): void {
  if (value !== undefined) totals[field] = (totals[field] ?? 0) + value;
}

/** Values `from` to `to` (excluded) of `batch`, with their keys and sources. */
function sliceBatch(batch: KeyedBatch, from: number, to: number): KeyedBatch {
  const part: KeyedBatch = {
    format: batch.format,
    values: batch.values.slice(from, to),
    keys: batch.keys.slice(from, to),
  };
  return batch.sources ? { ...part, sources: batch.sources.slice(from, to) } : part;
}

/**
 * Pushes batches and records what was accepted. A batch is marked pushed right after Sekoia.io
 * accepted it, never before. A batch Sekoia.io rejects is split in halves, recursively, so that
 * only the values it refuses are left out. Other errors are thrown as they are.
 */
export class BatchPusher {
  readonly totals: PushTotals = emptyTotals();
  /** Told the keys of each batch once they are marked pushed in the state. */
  onMarked: (keys: readonly string[]) => void = () => undefined;
  private splitsLeft = REJECTION_SPLIT_BUDGET;

  /**
   * @param recordOf what the state keeps about an accepted batch for the reconciliation sweep
   *   (its validity in Sekoia.io, its sources). @default nothing (unknown)
   */
  constructor(
    private readonly sink: IocCollectionSink,
    private readonly state: TriggerState,
    private readonly ttlMs: number,
    private readonly options: PushOptions,
    private readonly signal: AbortSignal,
    private readonly recordOf: (batch: KeyedBatch) => PushRecord | undefined = () => undefined,
  ) {}

  async push(batch: KeyedBatch): Promise<void> {
    if (batch.values.length === 0) return;
    try {
      const result = await this.sink.push(batch, this.options, this.signal);
      await this.state.markPushed(batch.keys, this.ttlMs, this.recordOf(batch));
      this.onMarked(batch.keys);
      this.recordAccepted(batch, result);
    } catch (error) {
      if (!(error instanceof SekoiaError) || error.kind !== 'rejected') throw error;
      await this.narrowDown(batch, error);
    }
  }

  private async narrowDown(batch: KeyedBatch, error: SekoiaError): Promise<void> {
    if (batch.values.length === 1) {
      this.recordRejected(batch.format, batch.values[0], error);
      return;
    }
    if (this.splitsLeft < 2) throw error;
    this.splitsLeft -= 2;
    const middle = Math.ceil(batch.values.length / 2);
    await this.push(sliceBatch(batch, 0, middle));
    await this.push(sliceBatch(batch, middle, batch.values.length));
  }

  private recordAccepted(
    batch: IndicatorBatch,
    result: Awaited<ReturnType<IocCollectionSink['push']>>,
  ): void {
    const totals = this.totals;
    totals.batchesAccepted += 1;
    totals.iocsPushed += batch.values.length;
    totals.pushedByFormat[batch.format] = (totals.pushedByFormat[batch.format] ?? 0) + batch.values.length;
    if (result.taskId) totals.taskIds.push(result.taskId);
    for (const value of batch.values.slice(0, PUSHED_SAMPLE - totals.pushedSample.length)) {
      totals.pushedSample.push({ format: batch.format, value });
    }
    addCount(totals, 'created', result.created);
    addCount(totals, 'updated', result.updated);
    addCount(totals, 'ignored', result.ignored);
  }

  private recordRejected(format: SekoiaFormat, value: string, error: SekoiaError): void {
    this.totals.rejected += 1;
    if (this.totals.rejectedExamples.length < REJECTED_EXAMPLES)
      this.totals.rejectedExamples.push({ format, value });
    this.totals.rejectedMessage ??= error.apiMessage ?? error.message;
  }
}
