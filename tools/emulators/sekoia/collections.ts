import { randomUUID } from 'node:crypto';
import type { SekoiaFormat } from '../../../src/sekoia/types';
import { observableTypeOf, patternOf } from './stix';
import { DAY_MS } from '../../../src/clock';

export interface KillChainPhase {
  kill_chain_name: string;
  phase_name: string;
}

/** One indicator of a collection, as the emulator keeps it. */
export interface StoredIndicator {
  /** indicator--<uuid> */
  id: string;
  format: SekoiaFormat;
  value: string;
  /** ISO 8601; Sekoia.io's default for the type when the request sent none (undefined: none known). */
  validUntil?: string;
  validFrom: string;
  /** The description of the request that created it: a later request does not change it. */
  description?: string;
  killChainPhases?: KillChainPhase[];
  revoked: boolean;
  created: string;
  modified: string;
}

/** The fields an import request applies to each of its indicators. */
export interface ImportFields {
  validUntil?: string;
  validFrom?: string;
  description?: string;
  killChainPhases?: KillChainPhase[];
}

/** What one IOC Collection received, for tests to check (and to spot re-pushes). */
export interface CollectionReport {
  id: string;
  /** Distinct indicators stored (format + value), revoked ones included, in creation order. */
  indicators: StoredIndicator[];
  /** Imports accepted (text and JSON). */
  importRequests: number;
  textImports: number;
  jsonImports: number;
  /** Values received in accepted imports that landed, duplicates and invalid lines included. */
  valuesReceived: number;
  /** Values that were already stored (re-pushes). */
  duplicates: number;
  /** Text-import lines the format does not accept: left out when the import lands. */
  invalidLines: number;
  /** Text imports answered 202 that have not landed yet. */
  pendingTasks: number;
}

/** A page of the indicator list, as GET .../indicators answers it. */
export interface IndicatorPage {
  items: Record<string, unknown>[];
  total: number;
  has_more: boolean;
}

/**
 * Sekoia.io's validity when a request sends no valid_until (its blocklist documentation): 30 days
 * for IP addresses, 6 months for domains and URLs. None is documented for hashes and e-mails.
 */
export function defaultValidUntil(format: SekoiaFormat, nowMs: number): string | undefined {
  if (format === 'ipv4-addr.value' || format === 'ipv6-addr.value') return iso(nowMs + 30 * DAY_MS);
  if (format === 'domain-name.value' || format === 'url.value') {
    const date = new Date(nowMs);
    date.setUTCMonth(date.getUTCMonth() + 6);
    return iso(date.getTime());
  }
  return undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The indicator as the API shows it (IndicatorSchema of the OpenAPI description). */
export function toApiIndicator(indicator: StoredIndicator): Record<string, unknown> {
  return {
    id: indicator.id,
    type: 'indicator',
    spec_version: '2.1',
    name: indicator.value,
    pattern: patternOf(indicator.format, indicator.value),
    pattern_type: 'stix',
    valid_from: indicator.validFrom,
    ...(indicator.validUntil === undefined ? {} : { valid_until: indicator.validUntil }),
    ...(indicator.description === undefined ? {} : { description: indicator.description }),
    ...(indicator.killChainPhases === undefined ? {} : { kill_chain_phases: indicator.killChainPhases }),
    revoked: indicator.revoked,
    created: indicator.created,
    modified: indicator.modified,
    x_ic_observable_types: [observableTypeOf(indicator.format)],
  };
}

class Collection {
  readonly byKey = new Map<string, StoredIndicator>();
  readonly byId = new Map<string, StoredIndicator>();
  textImports = 0;
  jsonImports = 0;
  valuesReceived = 0;
  duplicates = 0;
  invalidLines = 0;
  pendingTasks = 0;
}

/** IOC Collections by id; indicators keyed by format + value. */
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

  /** Counts an accepted request: a text import is pending until it lands. */
  accept(id: string, kind: 'text' | 'json'): void {
    const collection = this.get(id);
    if (kind === 'text') {
      collection.textImports += 1;
      collection.pendingTasks += 1;
    } else collection.jsonImports += 1;
  }

  /** A text import lands: its valid lines are stored, invalid ones counted and left out. */
  landText(
    id: string,
    format: SekoiaFormat,
    lines: readonly string[],
    isValid: (value: string) => boolean,
    fields: ImportFields,
    nowMs: number,
  ): void {
    const collection = this.get(id);
    collection.pendingTasks = Math.max(0, collection.pendingTasks - 1);
    for (const value of lines) {
      if (isValid(value)) this.store(collection, format, value, fields, nowMs);
      else {
        collection.valuesReceived += 1;
        collection.invalidLines += 1;
      }
    }
  }

  /** Stores values at once (the JSON import); returns each stored indicator, in order. */
  importNow(
    id: string,
    values: ReadonlyArray<{ format: SekoiaFormat; value: string; validFrom?: string }>,
    fields: ImportFields,
    nowMs: number,
  ): StoredIndicator[] {
    const collection = this.get(id);
    return values.map(({ format, value, validFrom }) =>
      this.store(collection, format, value, { ...fields, validFrom: validFrom ?? fields.validFrom }, nowMs),
    );
  }

  /**
   * Stores one value. A value already there keeps its id and description (the first request's);
   * it is revived if revoked and its validity extended when the new one is later (the emulator's
   * reading: Sekoia.io's documentation says duplicates are ignored, nothing about validity).
   */
  private store(
    collection: Collection,
    format: SekoiaFormat,
    value: string,
    fields: ImportFields,
    nowMs: number,
  ): StoredIndicator {
    collection.valuesReceived += 1;
    const key = `${format}\u0000${value}`;
    const validUntil = fields.validUntil ?? defaultValidUntil(format, nowMs);
    const existing = collection.byKey.get(key);
    if (existing) {
      collection.duplicates += 1;
      const later = validUntil !== undefined && (existing.validUntil ?? '') < validUntil;
      if (existing.revoked || later) {
        existing.revoked = false;
        if (later) existing.validUntil = validUntil;
        existing.modified = iso(nowMs);
      }
      return existing;
    }
    const now = iso(nowMs);
    const indicator: StoredIndicator = {
      id: `indicator--${randomUUID()}`,
      format,
      value,
      validFrom: fields.validFrom ?? now,
      ...(validUntil === undefined ? {} : { validUntil }),
      ...(fields.description === undefined ? {} : { description: fields.description }),
      ...(fields.killChainPhases === undefined ? {} : { killChainPhases: fields.killChainPhases }),
      revoked: false,
      created: now,
      modified: now,
    };
    collection.byKey.set(key, indicator);
    collection.byId.set(indicator.id, indicator);
    return indicator;
  }

  /** Indicators whose pattern contains `term` (case-insensitive), in creation order, one page. */
  list(id: string, term: string | undefined, limit: number, offset: number): IndicatorPage {
    const needle = term?.toLowerCase();
    const matching = [...this.get(id).byKey.values()].filter(
      (indicator) =>
        needle === undefined || patternOf(indicator.format, indicator.value).toLowerCase().includes(needle),
    );
    const items = matching.slice(offset, offset + limit).map(toApiIndicator);
    return { items, total: matching.length, has_more: offset + items.length < matching.length };
  }

  indicator(id: string, indicatorId: string): StoredIndicator | undefined {
    return this.get(id).byId.get(indicatorId);
  }

  /** Forgets an indicator for good (force_deletion). */
  delete(id: string, indicatorId: string): void {
    const collection = this.get(id);
    const indicator = collection.byId.get(indicatorId);
    if (!indicator) return;
    collection.byId.delete(indicatorId);
    collection.byKey.delete(`${indicator.format}\u0000${indicator.value}`);
  }

  report(id: string): CollectionReport {
    const collection = this.get(id);
    return {
      id,
      indicators: [...collection.byKey.values()].map((indicator) => ({ ...indicator })),
      importRequests: collection.textImports + collection.jsonImports,
      textImports: collection.textImports,
      jsonImports: collection.jsonImports,
      valuesReceived: collection.valuesReceived,
      duplicates: collection.duplicates,
      invalidLines: collection.invalidLines,
      pendingTasks: collection.pendingTasks,
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
