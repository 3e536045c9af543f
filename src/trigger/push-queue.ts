import { Batcher } from '../pipeline/batcher';
import type { Ioc, KeyedBatch } from '../pipeline/types';
import type { IndicatorBatch } from '../sekoia/types';
import type { BatchPusher } from './pusher';

/** An IOC with its key (iocKey), built once. */
export type KeyedIoc = readonly [string, Ioc];

/** Why the pushes stopped: what was thrown, and how many IOCs of the cycle were left unpushed. */
export interface PushFailure {
  error: unknown;
  iocsNotPushed: number;
}

function countValues(batches: readonly IndicatorBatch[]): number {
  return batches.reduce((sum, batch) => sum + batch.values.length, 0);
}

/**
 * The cycle's pushes: batches IOCs by format and pushes each full batch, one at a time and in
 * order, while the next page is read. The first failure (Sekoia.io, the state, or a bug) stops the
 * pushes; it is kept in `failure`, never thrown, and the IOCs left are counted in it.
 */
export class PushQueue {
  private readonly batcher = new Batcher();
  /** Keys marked pushed since the state read in progress began: that read may not show them. */
  private readonly markedDuringRead = new Set<string>();
  /** The pushes of the previous page; never rejects (a failure lands in `failed`). */
  private pushing: Promise<void> = Promise.resolve();
  private failed: PushFailure | undefined;

  constructor(
    private readonly pusher: BatchPusher,
    private readonly onProgress: () => void = () => undefined,
  ) {
    pusher.onMarked = (keys) => {
      for (const key of keys) this.markedDuringRead.add(key);
    };
  }

  get failure(): PushFailure | undefined {
    return this.failed;
  }

  /** True when `key` waits in a batch not pushed yet: this cycle has taken it already. */
  isQueued(key: string): boolean {
    return this.batcher.has(key);
  }

  /**
   * Call as a state read begins. A mark asked for before the read is in it (the state runs its
   * operations one at a time, in call order); a mark asked for after is remembered here.
   */
  stateReadBegins(): void {
    this.markedDuringRead.clear();
  }

  /**
   * Once the previous page's pushes are over, queues `iocs` and starts pushing the batches that
   * became full. Resolves with how many were dropped as already taken by this cycle.
   */
  async enqueue(iocs: readonly KeyedIoc[]): Promise<number> {
    await this.pushing;
    if (this.failed) {
      this.failed.iocsNotPushed += iocs.length;
      return 0;
    }
    // Pushed by the previous page while the state was read, or queued since.
    const taken = iocs.filter(([key]) => !this.markedDuringRead.has(key) && !this.batcher.has(key));
    this.pushing = this.pushAll(this.batcher.addKeyed(taken));
    return iocs.length - taken.length;
  }

  /** Waits for the pushes in flight, then pushes what is left queued (unless a push failed). */
  async finish(): Promise<PushFailure | undefined> {
    await this.pushing;
    if (!this.failed) await this.pushAll(this.batcher.flush());
    return this.failed;
  }

  /** Resolves once no push is in flight (the state may be closed after). */
  settled(): Promise<void> {
    return this.pushing;
  }

  private async pushAll(batches: readonly KeyedBatch[]): Promise<void> {
    for (let index = 0; index < batches.length; index += 1) {
      const pushedBefore = this.pusher.totals.iocsPushed;
      try {
        await this.pusher.push(batches[index]);
        this.onProgress();
      } catch (error) {
        // The failed batch may be pushed in part (cut at the quota, or split after a refusal).
        const pushedOfIt = this.pusher.totals.iocsPushed - pushedBefore;
        const left = countValues(batches.slice(index)) - pushedOfIt + countValues(this.batcher.flush());
        this.failed = { error, iocsNotPushed: left };
        return;
      }
    }
  }
}
