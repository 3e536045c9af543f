import { MAX_BATCH_LINES, type SekoiaFormat } from '../sekoia/types';
import type { Ioc, IocSource, KeyedBatch } from './types';

/**
 * Groups held at once when IOCs carry a description (ioc_context): one per event and format.
 * MISP pages come in attribute id order, so an event's attributes mostly come together; past this
 * many, the oldest group is handed out (a short batch) and memory stays bounded.
 */
export const MAX_PENDING_GROUPS = 32;

/** Queued values of one group, with their keys and sources (so that handing a batch out computes none). */
interface Group {
  format: SekoiaFormat;
  description: string | undefined;
  values: string[];
  keys: string[];
  sources: Array<IocSource | undefined>;
}

/** One request takes one format and one description: IOCs are grouped by both. */
function groupOf(ioc: Ioc): string {
  return ioc.description === undefined ? ioc.format : `${ioc.format}\u0000${ioc.description}`;
}

/**
 * Accumulates IOCs page after page and hands out a batch as soon as a group (a format, and a
 * description when IOCs carry one) has `maxLines` values, so memory stays at most one batch per
 * group. The keys it holds are "pending": queued but not yet handed out. Adding a pending key
 * again is ignored, so a value seen on two pages (or in two events) is queued once, in its first
 * group; once handed out, a key is the caller's to track (in flight, then pushed).
 */
export class Batcher {
  private readonly pending = new Map<string, Group>();
  private readonly pendingKeys = new Set<string>();

  /** @default maxLines MAX_BATCH_LINES (1000) */
  constructor(private readonly maxLines: number = MAX_BATCH_LINES) {
    if (!Number.isInteger(maxLines) || maxLines < 1) {
      throw new RangeError(`Batch size must be a positive integer, got ${maxLines}`);
    }
  }

  /**
   * Queues IOCs with their key (iocKey), built once by the caller; a pending key is ignored.
   * Returns the batches that became full (or were handed out to bound the groups), in order.
   */
  addKeyed(entries: Iterable<readonly [string, Ioc]>): KeyedBatch[] {
    const full: KeyedBatch[] = [];
    for (const [key, ioc] of entries) {
      if (this.pendingKeys.has(key)) continue;
      const id = groupOf(ioc);
      let group = this.pending.get(id);
      if (group === undefined) {
        if (this.pending.size >= MAX_PENDING_GROUPS)
          full.push(this.take(this.pending.keys().next().value as string));
        group = { format: ioc.format, description: ioc.description, values: [], keys: [], sources: [] };
        this.pending.set(id, group);
      }
      group.values.push(ioc.value);
      group.keys.push(key);
      group.sources.push(ioc.source);
      this.pendingKeys.add(key);
      if (group.values.length >= this.maxLines) full.push(this.take(id));
    }
    return full;
  }

  /** True when `key` (see iocKey) is queued in a batch not handed out yet. */
  has(key: string): boolean {
    return this.pendingKeys.has(key);
  }

  /** Hands out every queued IOC as batches (one per group, in order of first appearance). */
  flush(): KeyedBatch[] {
    return [...this.pending.keys()].map((id) => this.take(id));
  }

  private take(id: string): KeyedBatch {
    const { format, description, values, keys, sources } = this.pending.get(id) as Group;
    this.pending.delete(id);
    for (const key of keys) this.pendingKeys.delete(key);
    const batch: KeyedBatch = { format, values, keys };
    if (sources.some((source) => source !== undefined)) batch.sources = sources;
    if (description !== undefined) batch.description = description;
    return batch;
  }
}
