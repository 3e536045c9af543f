import type { SekoiaFormat } from '../../../src/sekoia/types';

export interface StoredIndicator {
  format: SekoiaFormat;
  value: string;
  /** Description, valid_until... of the request that created it. */
  validUntil?: string;
  description?: string;
}

/** What one IOC Collection received, for tests to check (and to spot re-pushes). */
export interface CollectionReport {
  id: string;
  /** Distinct indicators stored (format + value). */
  indicators: StoredIndicator[];
  /** Text-import requests accepted (2xx). */
  importRequests: number;
  /** Lines received in accepted requests, duplicates included. */
  valuesReceived: number;
  /** Lines that were already stored (re-pushes). */
  duplicates: number;
}

export interface ImportOutcome {
  created: number;
  ignored: number;
}

class Collection {
  readonly indicators = new Map<string, StoredIndicator>();
  importRequests = 0;
  valuesReceived = 0;
  duplicates = 0;
}

/** IOC Collections by id; indicators keyed by format + value, duplicates ignored and counted. */
export class CollectionStore {
  private readonly collections = new Map<string, Collection>();

  constructor(ids: readonly string[]) {
    for (const id of ids) this.add(id);
  }

  add(id: string): void {
    if (!this.collections.has(id)) this.collections.set(id, new Collection());
  }

  has(id: string): boolean {
    return this.collections.has(id);
  }

  ids(): string[] {
    return [...this.collections.keys()];
  }

  /** Stores one accepted request's values. */
  import(
    id: string,
    format: SekoiaFormat,
    values: readonly string[],
    meta: Omit<StoredIndicator, 'format' | 'value'>,
  ): ImportOutcome {
    const collection = this.get(id);
    collection.importRequests += 1;
    let created = 0;
    for (const value of values) {
      collection.valuesReceived += 1;
      const key = `${format}\u0000${value}`;
      if (collection.indicators.has(key)) {
        collection.duplicates += 1;
      } else {
        collection.indicators.set(key, { format, value, ...meta });
        created += 1;
      }
    }
    return { created, ignored: values.length - created };
  }

  report(id: string): CollectionReport {
    const collection = this.get(id);
    return {
      id,
      indicators: [...collection.indicators.values()].map((indicator) => ({ ...indicator })),
      importRequests: collection.importRequests,
      valuesReceived: collection.valuesReceived,
      duplicates: collection.duplicates,
    };
  }

  /** Forgets what was stored (the collection ids stay). */
  clear(): void {
    for (const id of this.collections.keys()) this.collections.set(id, new Collection());
  }

  private get(id: string): Collection {
    const collection = this.collections.get(id);
    if (!collection) throw new Error(`IOC collection ${id} is not known to the emulator`);
    return collection;
  }
}
