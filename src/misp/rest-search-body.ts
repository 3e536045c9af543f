import { MispAttributeQuery } from './types';

/** The restSearch body, with every key spelled as MISP reads it (unknown keys are silently dropped). */
export interface RestSearchBody {
  returnFormat: 'json';
  /** With returnFormat json MISP applies neither to_ids nor published by default: sent explicitly. */
  to_ids: 1;
  published: 1;
  publish_timestamp: [number, number];
  type: string[];
  enforceWarninglist: boolean;
  order: 'Attribute.id asc';
  limit: number;
  /** 1-based. */
  page: number;
  /** Only when a tag filter is set; MISP has no `not_tags`. */
  tags?: { OR?: string[]; NOT?: string[] };
  /** Only these events' attributes (a list: attributes/restSearch takes one). */
  eventid?: string[];
}

/** An events/restSearch body: events' metadata only (no attributes, objects or reports). */
export interface EventsSearchBody {
  returnFormat: 'json';
  metadata: true;
  /** Absent when listing given events by id, whatever their state. */
  published?: 1;
  publish_timestamp?: [number, number];
  eventid?: string[];
  limit?: number;
  page?: number;
  /** Offset pages need a fixed order (MISP's Event::restSearch takes `order`). */
  order?: 'Event.id asc';
}

/** The published events of [from, to] (epoch seconds), at most `limit`, first page. */
export function buildWindowEventsBody(from: number, to: number, limit: number, page = 1): EventsSearchBody {
  return { returnFormat: 'json', metadata: true, published: 1, publish_timestamp: [from, to], limit, page };
}

/** The given events as they stand now, published or not. */
export function buildEventsByIdBody(ids: readonly string[]): EventsSearchBody {
  return { returnFormat: 'json', metadata: true, eventid: [...ids] };
}

/** Page `page` of `query`'s attributes in the given events only. */
export function buildEventAttributesBody(
  query: MispAttributeQuery,
  eventIds: readonly string[],
  page = 1,
): RestSearchBody {
  return { ...buildRestSearchBody(query, page), eventid: [...eventIds] };
}

/** The body of page `page` (1-based) of `query`. */
export function buildRestSearchBody(query: MispAttributeQuery, page: number): RestSearchBody {
  if (!Number.isInteger(query.pageSize) || query.pageSize < 1) {
    // limit 0 means "unlimited" to MISP: never send it.
    throw new RangeError(`pageSize must be a positive integer, got ${query.pageSize}`);
  }
  if (query.types.length === 0) {
    // An empty type list is dropped by MISP and would return every type.
    throw new RangeError('types must name at least one MISP attribute type');
  }
  const body: RestSearchBody = {
    returnFormat: 'json',
    to_ids: 1,
    published: 1,
    publish_timestamp: [query.publishFrom, query.publishTo],
    type: [...query.types],
    enforceWarninglist: query.enforceWarninglist,
    order: 'Attribute.id asc',
    limit: query.pageSize,
    page,
  };
  const include = query.includeTags ?? [];
  const exclude = query.excludeTags ?? [];
  if (include.length > 0 || exclude.length > 0) {
    body.tags = {};
    if (include.length > 0) body.tags.OR = [...include];
    if (exclude.length > 0) body.tags.NOT = [...exclude];
  }
  return body;
}
