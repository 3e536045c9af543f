import { MAX_BATCH_LINES, type SekoiaFormat } from '../sekoia/types';
import type { Ioc, IocSource, KeyedBatch } from './types';

/** Queued values of one format, with their keys and sources (so that handing a batch out computes none). */
interface PendingBatch {
  values: string[];
  keys: string[];
  sources: Array<IocSource | undefined>;
}

/**
 * Accumulates IOCs page after page and hands out a batch as soon as a format has `maxLines`
 * values, so memory stays at most one batch per format. The keys it holds are "pending": queued
 * but not yet handed out. Adding a pending key again is ignored, so a value seen on two pages is
 * queued once; once handed out, a key is the caller's to track (in flight, then pushed).
 */
export class Batcher {
  private readonly pending = new Map<SekoiaFormat, PendingBatch>();
  private readonly pendingKeys = new Set<string>();

  /** @default maxLines MAX_BATCH_LINES (1000) */
  constructor(private readonly maxLines: number = MAX_BATCH_LINES) {
    if (!Number.isInteger(maxLines) || maxLines < 1) {
      throw new RangeError(`Batch size must be a positive integer, got ${maxLines}`);
    }
  }

  /**
   * Queues IOCs with their key (iocKey), built once by the caller; a pending key is ignored.
   * Returns the batches that became full, in order.
   */
  addKeyed(entries: Iterable<readonly [string, Ioc]>): KeyedBatch[] {
    const full: KeyedBatch[] = [];
    for (const [key, ioc] of entries) {
      if (this.pendingKeys.has(key)) continue;
      let queued = this.pending.get(ioc.format);
      if (queued === undefined) {
        queued = { values: [], keys: [], sources: [] };
        this.pending.set(ioc.format, queued);
      }
      queued.values.push(ioc.value);
      queued.keys.push(key);
      queued.sources.push(ioc.source);
      this.pendingKeys.add(key);
      if (queued.values.length >= this.maxLines) full.push(this.takeFormat(ioc.format));
    }
    return full;
  }

  /** True when `key` (see iocKey) is queued in a batch not handed out yet. */
  has(key: string): boolean {
    return this.pendingKeys.has(key);
  }

  /** Hands out every queued IOC as batches (one per format, in order of first appearance). */
  flush(): KeyedBatch[] {
    return [...this.pending.keys()].map((format) => this.takeFormat(format));
  }

  private takeFormat(format: SekoiaFormat): KeyedBatch {
    const { values, keys, sources } = this.pending.get(format) ?? { values: [], keys: [], sources: [] };
    this.pending.delete(format);
    for (const key of keys) this.pendingKeys.delete(key);
    return sources.some((source) => source !== undefined)
      ? { format, values, keys, sources }
      : { format, values, keys };
  }
}
