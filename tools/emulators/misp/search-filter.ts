import { isRecord } from '../http';
import { parseTimeFilter, type TimeBound } from './time-filter';

/** OR / AND / NOT terms of a `type` or `tags` filter. */
export interface TermFilter {
  or: string[];
  and: string[];
  not: string[];
}

/** The part of a restSearch body that decides which attributes match (not how they are paged). */
export interface SearchFilter {
  /** Allowed to_ids values; undefined: not applied. */
  toIds?: boolean[];
  /** Allowed event published values; undefined: not applied. */
  published?: boolean[];
  publishTimestamp?: TimeBound;
  timestamp?: TimeBound;
  types?: TermFilter;
  tags?: TermFilter;
  deleted: 'exclude' | 'include' | 'only';
  /** `eventid`: only these events' attributes; undefined: not applied. */
  eventIds?: number[];
}

export interface SearchRequest {
  filter: SearchFilter;
  enforceWarninglist: boolean;
  includeEventTags: boolean;
  descending: boolean;
  /** 0: no limit (every match). */
  limit: number;
  /** 1-based. */
  page: number;
}

function flag(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  return undefined;
}

/** to_ids / published: one boolean-ish value, or a list of them (e.g. [0, 1] = both). */
function booleanSet(value: unknown): boolean[] | undefined {
  const items = (Array.isArray(value) ? value : [value])
    .map(flag)
    .filter((v): v is boolean => v !== undefined);
  return items.length === 0 ? undefined : [...new Set(items)].sort();
}

function addTerm(filter: TermFilter, term: unknown, bucket: keyof TermFilter): void {
  if (typeof term !== 'string' && typeof term !== 'number') return;
  const text = String(term).trim();
  if (text === '') return;
  // MISP's "a&&!b" and "!b" shorthands: a leading "!" negates a term.
  for (const part of text.split('&&')) {
    const trimmed = part.trim();
    if (trimmed.startsWith('!') || bucket === 'not') filter.not.push(trimmed.replace(/^!/, ''));
    else if (trimmed !== '') filter[bucket].push(trimmed);
  }
}

/** A type or tags filter: a string, a list (OR), or {OR, AND, NOT}. Undefined when empty. */
export function parseTermFilter(value: unknown): TermFilter | undefined {
  const filter: TermFilter = { or: [], and: [], not: [] };
  const list = (items: unknown): unknown[] =>
    Array.isArray(items) ? items : items === undefined ? [] : [items];
  if (isRecord(value)) {
    for (const [key, items] of Object.entries(value)) {
      const upper = key.toUpperCase();
      if (upper === 'OR') list(items).forEach((term) => addTerm(filter, term, 'or'));
      else if (upper === 'AND') list(items).forEach((term) => addTerm(filter, term, 'and'));
      else if (upper === 'NOT') list(items).forEach((term) => addTerm(filter, term, 'not'));
    }
  } else {
    list(value).forEach((term) => addTerm(filter, term, 'or'));
  }
  return filter.or.length + filter.and.length + filter.not.length === 0 ? undefined : filter;
}

function deletedMode(value: unknown): SearchFilter['deleted'] {
  const wanted = booleanSet(value);
  if (wanted === undefined || (wanted.length === 1 && !wanted[0])) return 'exclude';
  return wanted.length === 2 ? 'include' : 'only';
}

/** `eventid`: one id (number or digit string) or a list of them. Non-ids are dropped, as MISP. */
export function parseEventIds(value: unknown): number[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ids = (Array.isArray(value) ? value : [value])
    .map((item) => positiveInteger(item, -1))
    .filter((id) => id > 0);
  return [...new Set(ids)].sort((a, b) => a - b);
}

function positiveInteger(value: unknown, fallback: number): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 ? number : fallback;
}

/** Reads a restSearch body (after `returnFormat` was checked). Unknown keys are ignored, as MISP. */
export function parseSearchRequest(body: Record<string, unknown>, nowSeconds: number): SearchRequest {
  const filter: SearchFilter = { deleted: deletedMode(body.deleted) };
  const toIds = booleanSet(body.to_ids);
  if (toIds) filter.toIds = toIds;
  const published = booleanSet(body.published);
  if (published) filter.published = published;
  const publishTimestamp = parseTimeFilter(body.publish_timestamp, nowSeconds);
  if (publishTimestamp) filter.publishTimestamp = publishTimestamp;
  const timestamp = parseTimeFilter(body.timestamp, nowSeconds);
  if (timestamp) filter.timestamp = timestamp;
  const types = parseTermFilter(body.type);
  if (types) filter.types = types;
  const tags = parseTermFilter(body.tags);
  if (tags) filter.tags = tags;
  const eventIds = parseEventIds(body.eventid);
  if (eventIds) filter.eventIds = eventIds;
  const order = typeof body.order === 'string' ? body.order.trim().toLowerCase() : '';
  const limit = positiveInteger(body.limit, 0);
  return {
    filter,
    enforceWarninglist: flag(body.enforceWarninglist) === true,
    includeEventTags: flag(body.includeEventTags) === true,
    descending: /^(attribute\.)?id\s+desc$/.test(order),
    limit,
    page: limit === 0 ? 1 : Math.max(1, positiveInteger(body.page, 1)),
  };
}
