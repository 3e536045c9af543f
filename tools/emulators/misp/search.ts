import type { SearchFilter, TermFilter } from './search-filter';
import { type AttributeStore, FLAG_DELETED, FLAG_REMOVED, FLAG_TO_IDS } from './store';

/** Distinct filters whose matching rows are kept, for paging through them without rescanning. */
const CACHE_ENTRIES = 8;

/** Tag-filter facts about one event, worked out once per search. */
interface TagFacts {
  orIndexes: Set<number>;
  notIndexes: Set<number>;
  andIndexes: Set<number>[];
}

function tagFacts(store: AttributeStore, tags: TermFilter): TagFacts {
  const union = (terms: string[]): Set<number> => {
    const out = new Set<number>();
    for (const term of terms) for (const index of store.tags.matching(term)) out.add(index);
    return out;
  };
  return {
    orIndexes: union(tags.or),
    notIndexes: union(tags.not),
    andIndexes: tags.and.map((term) => store.tags.matching(term)),
  };
}

function hasAny(tags: readonly number[] | undefined, wanted: Set<number>): boolean {
  if (!tags) return false;
  for (const tag of tags) if (wanted.has(tag)) return true;
  return false;
}

/** Attribute tags plus event tags (MISP's attribute search counts both) against a tags filter. */
function tagsMatch(
  filter: TermFilter,
  facts: TagFacts,
  own: readonly number[] | undefined,
  eventTags: readonly number[],
): boolean {
  if (hasAny(own, facts.notIndexes) || hasAny(eventTags, facts.notIndexes)) return false;
  if (filter.or.length > 0 && !hasAny(own, facts.orIndexes) && !hasAny(eventTags, facts.orIndexes))
    return false;
  return facts.andIndexes.every((wanted) => hasAny(own, wanted) || hasAny(eventTags, wanted));
}

/** Which events pass the event-level filters (published, publish_timestamp). */
function eventMask(store: AttributeStore, filter: SearchFilter): Uint8Array {
  const mask = new Uint8Array(store.events.length);
  const wantedIds = filter.eventIds ? new Set(filter.eventIds) : undefined;
  store.events.forEach((event, index) => {
    if (event.removed || (wantedIds && !wantedIds.has(event.id))) return;
    if (filter.published && !filter.published.includes(event.published)) return;
    const window = filter.publishTimestamp;
    if (window && (event.publishTimestamp < window.from || event.publishTimestamp > window.to)) return;
    mask[index] = 1;
  });
  return mask;
}

/** Which type codes pass the type filter. */
function typeMask(store: AttributeStore, types: TermFilter | undefined): Uint8Array {
  const names = store.types.names;
  const mask = new Uint8Array(names.length);
  names.forEach((name, code) => {
    const included = !types || (types.or.length === 0 && types.and.length === 0) || types.or.includes(name);
    const andOk = !types || types.and.every((wanted) => wanted === name);
    mask[code] = included && andOk && !(types?.not.includes(name) ?? false) ? 1 : 0;
  });
  return mask;
}

/** The rows a search looks at, in id order: every row, or only the rows of the `eventid` events. */
function candidateRows(store: AttributeStore, filter: SearchFilter): Uint32Array {
  if (!filter.eventIds) return store.rowsById();
  const rows: number[] = [];
  for (const id of filter.eventIds) {
    let eventRow: number;
    try {
      eventRow = store.eventRowOf(id);
    } catch {
      continue; // an unknown event id matches nothing, as in MISP
    }
    for (const row of store.rowsOfEvent[eventRow]) rows.push(row);
  }
  const ids = store.ids.array;
  return Uint32Array.from(rows).sort((a, b) => ids[a] - ids[b]);
}

/** Scans the candidate rows once, in id order, and returns the rows that match. */
export function findRows(store: AttributeStore, filter: SearchFilter): Uint32Array {
  const events = eventMask(store, filter);
  const types = typeMask(store, filter.types);
  const facts = filter.tags ? tagFacts(store, filter.tags) : undefined;
  const wantToIds = filter.toIds && filter.toIds.length === 1 ? filter.toIds[0] : undefined;
  const window = filter.timestamp;
  const rows = candidateRows(store, filter);
  const eventRows = store.eventRows.array;
  const typeCodes = store.typeCodes.array;
  const flags = store.flags.array;
  const timestamps = store.timestamps.array;
  const out = new Uint32Array(rows.length);
  let count = 0;
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i];
    const eventRow = eventRows[row];
    if (events[eventRow] === 0 || types[typeCodes[row]] === 0) continue;
    const rowFlags = flags[row];
    if ((rowFlags & FLAG_REMOVED) !== 0) continue;
    if (wantToIds !== undefined && ((rowFlags & FLAG_TO_IDS) !== 0) !== wantToIds) continue;
    const deleted = (rowFlags & FLAG_DELETED) !== 0;
    if ((filter.deleted === 'exclude' && deleted) || (filter.deleted === 'only' && !deleted)) continue;
    if (window && (timestamps[row] < window.from || timestamps[row] > window.to)) continue;
    if (filter.tags && facts) {
      if (!tagsMatch(filter.tags, facts, store.attributeTags.get(row), store.events[eventRow].tags)) continue;
    }
    out[count] = row;
    count += 1;
  }
  return out.slice(0, count);
}

/**
 * Caches the matching rows of the last few distinct filters, keyed on the store's version, so that
 * paging through a million attributes costs one scan, not one per page.
 */
export class SearchCache {
  private readonly entries = new Map<string, Uint32Array>();
  /** Scans run (cache misses), for tests and benchmarks. */
  scans = 0;

  constructor(private readonly store: AttributeStore) {}

  rows(filter: SearchFilter): Uint32Array {
    const key = `${this.store.version}|${JSON.stringify(filter)}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const rows = findRows(this.store, filter);
    this.scans += 1;
    this.entries.set(key, rows);
    if (this.entries.size > CACHE_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return rows;
  }
}
