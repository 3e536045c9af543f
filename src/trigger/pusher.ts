import { SekoiaError } from '../sekoia/errors';
import type { KeyedBatch } from '../pipeline/types';
import type { IocCollectionSink, PushOptions, PushResult, SekoiaFormat } from '../sekoia/types';
import { MAX_BATCH_LINES } from '../sekoia/types';
import type { PushRecord, TriggerState } from '../state/types';
import { describedWith } from './provenance';

/** What the accepted pushes of a cycle added up to. */
export interface PushTotals {
  pushedByFormat: Partial<Record<SekoiaFormat, number>>;
  iocsPushed: number;
  batchesAccepted: number;
  taskIds: string[];
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
 * 1,000 costs about 20; past this budget the rejection ends the cycle instead: the cursor stays,
 * and the next cycle tries again.
 */
export const REJECTION_SPLIT_BUDGET = 200;

/** What the pusher tells the cycle's log (each at most once a cycle). */
export interface PusherNotices {
  /** Sekoia.io refused a batch for its size: batches of `size` values from now on in this cycle. */
  batchSizeHalved(size: number, status: number | undefined, apiMessage: string | undefined): void;
}

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

/** A 413, or a 400 whose message speaks of a size or a limit: the request was too large, not wrong. */
export function isSizeRejection(error: SekoiaError): boolean {
  if (error.status === 413) return true;
  return (
    error.status === 400 &&
    /too (?:large|long|big|many)|at most|maximum|exceed|limit|size/i.test(error.apiMessage ?? '')
  );
}

/** Values `from` to `to` (excluded) of `batch`, with their keys, sources and description. */
function slice(batch: KeyedBatch, from: number, to: number): KeyedBatch {
  const part: KeyedBatch = {
    ...batch,
    values: batch.values.slice(from, to),
    keys: batch.keys.slice(from, to),
  };
  return batch.sources ? { ...part, sources: batch.sources.slice(from, to) } : part;
}

/**
 * Pushes batches and records what was accepted. A batch is marked pushed right after Sekoia.io
 * accepted it, never before. Sekoia.io may refuse a batch:
 * - for its size (413, or a 400 naming a size): the batch size is halved for the rest of the cycle;
 * - for its content: the batch is split in halves, recursively, so that only the values it refuses
 *   are left out;
 * - as a whole, whatever it holds: the first split of the cycle tells, when both halves are refused
 *   with the same message as the batch. Then nothing more is split this cycle: the rejection ends it.
 * Other errors are thrown as they are.
 */
export class BatchPusher {
  readonly totals: PushTotals = emptyTotals();
  /** Told the keys of each batch once they are marked pushed in the state. */
  onMarked: (keys: readonly string[]) => void = () => undefined;
  private splitsLeft = REJECTION_SPLIT_BUDGET;
  private batchSize = MAX_BATCH_LINES;
  private rejectionKind: 'content' | 'whole' | undefined;

  /**
   * @param recordOf what the state keeps about an accepted batch for the reconciliation sweep
   *   (its validity in Sekoia.io, its sources). @default nothing (unknown)
   */
  constructor(
    private readonly sink: IocCollectionSink,
    private readonly state: TriggerState,
    /** How long a pushed key is remembered, by format (see pushedKeyTtlMs). */
    private readonly ttlMs: (format: SekoiaFormat) => number,
    private readonly options: PushOptions,
    private readonly signal: AbortSignal,
    private readonly recordOf: (batch: KeyedBatch) => PushRecord | undefined = () => undefined,
    private readonly notices?: PusherNotices,
  ) {}

  /** The batch size in force (1,000 unless Sekoia.io refused a batch for its size this cycle). */
  get currentBatchSize(): number {
    return this.batchSize;
  }

  async push(batch: KeyedBatch): Promise<void> {
    // Cut at the size in force when each piece is sent: a refusal for size shrinks the pieces after it.
    for (let start = 0; start < batch.values.length;) {
      const piece = slice(batch, start, start + this.batchSize);
      start += piece.values.length;
      const error = await this.tryPush(piece);
      if (error) await this.onRejected(piece, error);
    }
  }

  /** Pushes and marks one batch; returns Sekoia.io's rejection instead of throwing it. */
  private async tryPush(batch: KeyedBatch): Promise<SekoiaError | undefined> {
    let result: PushResult;
    try {
      // ioc_context's description of the source, then the provenance (see provenance.ts).
      const description = describedWith(batch.description, this.options.description);
      const options = description === undefined ? this.options : { ...this.options, description };
      result = await this.sink.push(batch, options, this.signal);
    } catch (error) {
      if (error instanceof SekoiaError && error.kind === 'rejected') return error;
      throw error;
    }
    await this.state.markPushed(batch.keys, this.ttlMs(batch.format), this.recordOf(batch));
    this.onMarked(batch.keys);
    this.recordAccepted(batch, result);
    return undefined;
  }

  private async onRejected(batch: KeyedBatch, error: SekoiaError): Promise<void> {
    if (batch.values.length === 1) {
      this.recordRejected(batch.format, batch.values[0], error);
      return;
    }
    if (isSizeRejection(error)) {
      const first = this.batchSize === MAX_BATCH_LINES;
      this.batchSize = Math.max(1, Math.min(this.batchSize, Math.ceil(batch.values.length / 2)));
      if (first) this.notices?.batchSizeHalved(this.batchSize, error.status, error.apiMessage);
      await this.push(batch);
      return;
    }
    if (this.rejectionKind === 'whole' || this.splitsLeft < 2) throw error;
    this.splitsLeft -= 2;
    const middle = Math.ceil(batch.values.length / 2);
    const [first, second] = [slice(batch, 0, middle), slice(batch, middle, batch.values.length)];
    const firstError = await this.tryPush(first);
    const secondError = await this.tryPush(second);
    if (this.rejectionKind === undefined) {
      const same = (other: SekoiaError | undefined) =>
        other !== undefined && other.apiMessage === error.apiMessage;
      if (same(firstError) && same(secondError)) {
        this.rejectionKind = 'whole';
        throw wholeRejection(error);
      }
      this.rejectionKind = 'content';
    }
    if (firstError) await this.onRejected(first, firstError);
    if (secondError) await this.onRejected(second, secondError);
  }

  private recordAccepted(batch: KeyedBatch, result: PushResult): void {
    const totals = this.totals;
    totals.batchesAccepted += 1;
    totals.iocsPushed += batch.values.length;
    totals.pushedByFormat[batch.format] = (totals.pushedByFormat[batch.format] ?? 0) + batch.values.length;
    if (result.taskId) totals.taskIds.push(result.taskId);
    for (const value of batch.values.slice(0, PUSHED_SAMPLE - totals.pushedSample.length)) {
      totals.pushedSample.push({ format: batch.format, value });
    }
  }

  private recordRejected(format: SekoiaFormat, value: string, error: SekoiaError): void {
    this.totals.rejected += 1;
    if (this.totals.rejectedExamples.length < REJECTED_EXAMPLES)
      this.totals.rejectedExamples.push({ format, value });
    this.totals.rejectedMessage ??= error.apiMessage ?? error.message;
  }
}

/** The error that ends a cycle whose imports Sekoia.io refuses whatever they hold. */
function wholeRejection(error: SekoiaError): SekoiaError {
  return new SekoiaError(
    `${error.message.replace(/[.\s]+$/, '')}; both halves of the batch were refused with the same message, so ` +
      'Sekoia.io refuses the import itself, not some of its values: nothing more is split or pushed this cycle. ' +
      'Check the collection in Sekoia.io (it may be full: 500,000 IOCs per community) and the message above',
    {
      kind: 'rejected',
      operation: error.operation,
      status: error.status,
      apiMessage: error.apiMessage,
    },
  );
}
