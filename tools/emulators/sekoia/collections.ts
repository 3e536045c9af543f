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
  /** When it was revoked (the 24 hours before a force deletion count from here, not from `modified`). */
  revokedAt?: string;
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
  /** Values left out because the community's quota was reached (text and JSON imports). */
  overQuota: number;
}

/** How an import task ended, as the LiveAPI message tells it ({task_id, imported, total}). */
export interface TaskOutcome {
  task_id: string;
  collection: string;
  /** Values held once it landed: new ones and ones the collection already held. */
  imported: number;
  /** Lines the import carried. */
  total: number;
  /** Lines left out because the community's quota was reached. */
  over_quota: number;
  /** Lines the format does not accept. */
  invalid: number;
}

/** The community's quota: `max` IOCs over all its collections (Sekoia.io: 500,000). */
export interface QuotaSettings {
  /** @default 500_000 */
  iocQuota: number;
  /** IOCs other collections of the community hold, not emulated one by one. @default 0 */
  otherCommunityIocs: number;
  /** Order of the indicator list. @default 'oldest-first' (creation order) */
  listOrder: 'oldest-first' | 'newest-first';
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
  /** Creation order, kept as an array so a page of an unfiltered list costs its own size. */
  readonly inOrder: StoredIndicator[] = [];
  textImports = 0;
  overQuota = 0;
  jsonImports = 0;
  valuesReceived = 0;
  duplicates = 0;
  invalidLines = 0;
  pendingTasks = 0;
}

/** IOC Collections by id; indicators keyed by format + value. */
export class CollectionStore {
  private readonly collections = new Map<string, Collection>();

  constructor(
    ids: readonly string[],
    private readonly quota: QuotaSettings = {
      iocQuota: 500_000,
      otherCommunityIocs: 0,
      listOrder: 'oldest-first',
    },
  ) {
    for (const id of ids) this.add(id);
  }

  /**
   * count-total-iocs: every indicator of every collection, revoked ones included (a revoked
   * indicator is still an entry until it is deleted), plus the knob for the community's others.
   */
  countTotal(): { count: number; max: number } {
    let count = this.quota.otherCommunityIocs;
    for (const collection of this.collections.values()) count += collection.byKey.size;
    return { count, max: this.quota.iocQuota };
  }

  /** Room left under the quota. */
  private room(): number {
    const { count, max } = this.countTotal();
    return Math.max(0, max - count);
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

  /**
   * A text import lands: its valid lines are stored while the quota leaves room, invalid ones and
   * those past the quota counted and left out. Answers the task's outcome.
   */
  landText(
    id: string,
    task: { taskId: string; format: SekoiaFormat; lines: readonly string[] },
    isValid: (value: string) => boolean,
    fields: ImportFields,
    nowMs: number,
  ): TaskOutcome {
    const collection = this.get(id);
    collection.pendingTasks = Math.max(0, collection.pendingTasks - 1);
    const outcome: TaskOutcome = {
      task_id: task.taskId,
      collection: id,
      imported: 0,
      total: task.lines.length,
      over_quota: 0,
      invalid: 0,
    };
    for (const value of task.lines) {
      if (!isValid(value)) {
        collection.valuesReceived += 1;
        collection.invalidLines += 1;
        outcome.invalid += 1;
      } else if (this.store(collection, task.format, value, fields, nowMs)) outcome.imported += 1;
      else outcome.over_quota += 1;
    }
    return outcome;
  }

  /** Stores values at once (the JSON import); returns each indicator held, in order, none past the quota. */
  importNow(
    id: string,
    values: ReadonlyArray<{ format: SekoiaFormat; value: string; validFrom?: string }>,
    fields: ImportFields,
    nowMs: number,
  ): StoredIndicator[] {
    const collection = this.get(id);
    const held: StoredIndicator[] = [];
    for (const { format, value, validFrom } of values) {
      const indicator = this.store(
        collection,
        format,
        value,
        { ...fields, validFrom: validFrom ?? fields.validFrom },
        nowMs,
      );
      if (indicator) held.push(indicator);
    }
    return held;
  }

  /**
   * Stores one value. A value already held is left as it is: its id, validity, description and
   * revoked flag stay (a re-import of a held value changes nothing; a revocation cannot be undone).
   * A new value past the community's quota is not stored: undefined.
   */
  private store(
    collection: Collection,
    format: SekoiaFormat,
    value: string,
    fields: ImportFields,
    nowMs: number,
  ): StoredIndicator | undefined {
    collection.valuesReceived += 1;
    const key = `${format}\u0000${value}`;
    const existing = collection.byKey.get(key);
    if (existing) {
      collection.duplicates += 1;
      return existing;
    }
    if (this.room() === 0) {
      collection.overQuota += 1;
      return undefined;
    }
    const validUntil = fields.validUntil ?? defaultValidUntil(format, nowMs);
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
    collection.inOrder.push(indicator);
    return indicator;
  }

  /**
   * Indicators whose pattern contains `term` (case-insensitive), one page, in creation order (or
   * newest first with the listOrder knob: what Sekoia.io does is not documented).
   */
  list(id: string, term: string | undefined, limit: number, offset: number): IndicatorPage {
    const collection = this.get(id);
    const needle = term?.toLowerCase();
    const all =
      needle === undefined
        ? collection.inOrder
        : collection.inOrder.filter((indicator) =>
            patternOf(indicator.format, indicator.value).toLowerCase().includes(needle),
          );
    const total = all.length;
    const pick =
      this.quota.listOrder === 'oldest-first'
        ? all.slice(offset, offset + limit)
        : all.slice(Math.max(0, total - offset - limit), Math.max(0, total - offset)).reverse();
    const items = pick.map(toApiIndicator);
    return { items, total, has_more: offset + items.length < total };
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
    collection.inOrder.splice(collection.inOrder.indexOf(indicator), 1);
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
      overQuota: collection.overQuota,
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
