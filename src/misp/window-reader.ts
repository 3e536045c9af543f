import { MispError } from './errors';
import { EVENTS_PER_GROUP, EventPacker } from './event-packer';
import {
  buildEventAttributesBody,
  buildEventsByIdBody,
  buildWindowEventsBody,
  EventsSearchBody,
  RestSearchBody,
} from './rest-search-body';
import type { MispAttributeQuery, MispEventGroup, MispEventSummary, ReadWindowOptions } from './types';

/**
 * Reading a publish window by events (docs/apis.md#paging: MISP pages by offset over a set that
 * may change between two requests, may ignore `order`, and may drop rows after the query without
 * counting them). No correctness here rests on two requests seeing the same set:
 *
 * 1. The window's published events are listed (metadata only, a few hundred bytes each) in one
 *    answer; a window holding more than EVENT_LIST_LIMIT events is cut in halves by time until
 *    each half fits in one answer. One answer is one consistent query.
 * 2. Events are read in groups (event-packer.ts) asked with a `limit` above their attribute_count
 *    added up: MISP's query then matches fewer rows than `limit`, so its one answer holds them all,
 *    whatever it drops afterwards (warninglists, Allowedlist) and whatever its order.
 * 3. An event too big for one answer is read alone, a page (`pageSize`) after another, then listed
 *    again: if it changed while it was read (its timestamp moved) and is still in the window, it
 *    is read again; if it left the window (republished, unpublished), the next cycle reads it.
 *
 * An event that changes between the listing and its read is read as it stands (rows deleted or
 * no longer IDS are rightly left out), or not at all when it left the window (republished: the
 * next window holds it). A change made during a cycle costs nothing.
 */

/** Events per listing answer (metadata only: about 1 KB each on a real server). */
export const EVENT_LIST_LIMIT = 10_000;
/** Reads of a big event that keeps changing before the cycle gives up (and the next one retries). */
export const BIG_EVENT_READS = 3;
/** Pages of one event above which paging is deemed endless (a server ignoring `page`). */
export const MAX_EVENT_PAGES = 10_000;
/** Listing pages of one second above which the listing is deemed endless (100 answers of events). */
export const MAX_SECOND_PAGES = 100;

/** The two requests the reader makes, one answer each (retries and errors are the client's). */
export interface WindowTransport {
  listEvents(body: EventsSearchBody, signal?: AbortSignal): Promise<MispEventSummary[]>;
  readAttributes(
    body: RestSearchBody,
    signal?: AbortSignal,
  ): Promise<{ attributes: unknown[]; skipped: number; resultCount?: number }>;
  /** Describes a request for an error message ("POST https://misp/attributes/restSearch"). */
  describe(path: string): { method: string; url: string };
}

/** The published events of [from, to], each once, cutting the range until each part fits one answer. */
export async function listWindowEvents(
  transport: WindowTransport,
  from: number,
  to: number,
  signal?: AbortSignal,
  limit = EVENT_LIST_LIMIT,
): Promise<MispEventSummary[]> {
  const found = new Map<string, MispEventSummary>();
  const ranges: Array<[number, number]> = [[from, to]];
  while (ranges.length > 0) {
    const [start, end] = ranges.pop() as [number, number];
    const events = await transport.listEvents(buildWindowEventsBody(start, end, limit), signal);
    if (events.length < limit) {
      for (const event of events) found.set(event.id, event);
    } else if (start < end) {
      const middle = Math.floor((start + end) / 2);
      ranges.push([middle + 1, end], [start, middle]);
    } else {
      // `limit` events or more published in the same second: only offset pages can read them (the
      // first page again, now in a fixed order).
      for (const event of await listOneSecond(transport, start, limit, signal)) found.set(event.id, event);
    }
  }
  return [...found.values()];
}

/**
 * The events published in one second that holds `limit` or more, by offset pages in id order
 * (asked with `order`, the first page included); the pages are capped and a page that repeats the
 * one before (a server ignoring `page`) ends it with an error, so that it never loops.
 */
async function listOneSecond(
  transport: WindowTransport,
  second: number,
  limit: number,
  signal?: AbortSignal,
): Promise<MispEventSummary[]> {
  const events: MispEventSummary[] = [];
  let previous: string | undefined;
  for (let page = 1; page <= MAX_SECOND_PAGES; page += 1) {
    const body = { ...buildWindowEventsBody(second, second, limit, page), order: 'Event.id asc' as const };
    const more = await transport.listEvents(body, signal);
    const ids = more.map((event) => event.id).join(',');
    if (more.length > 0 && ids === previous)
      throw endlessListing(transport, second, `page ${page} repeats page ${page - 1}`);
    previous = ids;
    events.push(...more);
    if (more.length < limit) return events;
  }
  throw endlessListing(transport, second, `more than ${MAX_SECOND_PAGES * limit} events`);
}

function endlessListing(transport: WindowTransport, second: number, what: string): MispError {
  const operation = transport.describe('events/restSearch');
  return new MispError(
    `MISP's listing of the events published at ${second} (epoch seconds) did not end: ${what} ` +
      `(${operation.method} ${operation.url}); listing stopped to avoid an endless loop. Check that nothing ` +
      'between the trigger and MISP rewrites the request body',
    { kind: 'paging', operation },
  );
}

/** These events as MISP holds them now (metadata), EVENTS_PER_GROUP ids a request; a gone one is absent. */
export async function listEventsById(
  transport: WindowTransport,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<MispEventSummary[]> {
  const events: MispEventSummary[] = [];
  for (let start = 0; start < ids.length; start += EVENTS_PER_GROUP) {
    const chunk = ids.slice(start, start + EVENTS_PER_GROUP);
    events.push(...(await transport.listEvents(buildEventsByIdBody(chunk), signal)));
  }
  return events;
}

/** True when the answer may not hold every row the query matched: MISP's query filled the page. */
function mayBeCut(
  answer: { attributes: unknown[]; skipped: number; resultCount?: number },
  pageSize: number,
) {
  return answer.attributes.length + answer.skipped >= pageSize || (answer.resultCount ?? 0) >= pageSize;
}

/** Numbers the answers of one window, for the report's page count. */
interface Counter {
  requests: number;
}

/** See the comment at the top of this file. */
export async function* readWindowByEvents(
  transport: WindowTransport,
  query: MispAttributeQuery,
  options: ReadWindowOptions = {},
  signal?: AbortSignal,
): AsyncGenerator<MispEventGroup> {
  const listed = await listWindowEvents(transport, query.publishFrom, query.publishTo, signal);
  const selected = options.selectEvents ? await options.selectEvents(listed) : listed;
  options.onEventsListed?.(listed.length, selected.length);
  const counter: Counter = { requests: 0 };
  const packer = new EventPacker(selected, query.pageSize);
  for (let group = packer.take(); group !== undefined; group = packer.take()) {
    if (group.big) {
      yield* readBigEvent(transport, query, group.events[0], counter, signal);
      continue;
    }
    // A limit above the group's attribute counts: MISP's query matches fewer rows, so the one
    // answer holds them all.
    const limit = group.count + 1;
    const ids = group.events.map((e) => e.id);
    const answer = await transport.readAttributes(
      buildEventAttributesBody({ ...query, pageSize: limit }, ids),
      signal,
    );
    if (mayBeCut(answer, limit)) {
      // attribute_count understated the rows (a stale counter): each event is read alone, its
      // count taken as unknown.
      for (const event of group.events)
        yield* readBigEvent(transport, query, { ...event, attributeCount: Infinity }, counter, signal);
      continue;
    }
    packer.share.observe(answer.attributes.length, group.count);
    counter.requests += 1;
    yield {
      page: counter.requests,
      attributes: answer.attributes,
      warninglistSkipped: answer.skipped,
      events: group.events,
    };
  }
}

/** Still published in the window: a change during the read must be read again now. */
function stillInWindow(event: MispEventSummary, query: MispAttributeQuery): boolean {
  return (
    event.published &&
    event.publishTimestamp >= query.publishFrom &&
    event.publishTimestamp <= query.publishTo
  );
}

/** One event alone, page after page; read again while it changes under the read (see the top). */
async function* readBigEvent(
  transport: WindowTransport,
  query: MispAttributeQuery,
  event: MispEventSummary,
  counter: Counter,
  signal?: AbortSignal,
): AsyncGenerator<MispEventGroup> {
  let current = event;
  for (let read = 1; ; read += 1) {
    let last: MispEventGroup | undefined;
    const pages = readEventPages(transport, query, current, counter, signal);
    let step = await pages.next();
    while (!step.done) {
      if (last) yield last;
      last = step.value;
      step = await pages.next();
    }
    const cut = step.value === 'past-count';
    const [now] = await transport.listEvents(buildEventsByIdBody([current.id]), signal);
    const unchanged =
      now !== undefined &&
      now.timestamp === current.timestamp &&
      now.publishTimestamp === current.publishTimestamp &&
      now.published === current.published;
    if (cut && unchanged) throw moreThanCounted(transport, current);
    const settled = unchanged || now === undefined || !stillInWindow(now, query);
    if (settled) {
      yield { ...(last as MispEventGroup), events: unchanged ? [current] : [] };
      return;
    }
    if (read >= BIG_EVENT_READS) throw keptChanging(transport, current);
    yield last as MispEventGroup;
    current = now;
  }
}

/**
 * The pages of one event. Its attribute_count bounds them: past floor(count / limit) + 1 pages the
 * read stops ('past-count': the event changed since it was listed, or MISP's counter is wrong),
 * so a cycle's requests stay bounded by what the listing said whatever the headers mean.
 */
async function* readEventPages(
  transport: WindowTransport,
  query: MispAttributeQuery,
  event: MispEventSummary,
  counter: Counter,
  signal?: AbortSignal,
): AsyncGenerator<MispEventGroup, 'end' | 'past-count'> {
  const lastPage = Number.isFinite(event.attributeCount)
    ? Math.floor(event.attributeCount / query.pageSize) + 1
    : MAX_EVENT_PAGES;
  for (let page = 1; ; page += 1) {
    const answer = await transport.readAttributes(buildEventAttributesBody(query, [event.id], page), signal);
    counter.requests += 1;
    yield {
      page: counter.requests,
      attributes: answer.attributes,
      warninglistSkipped: answer.skipped,
      events: [],
    };
    // The page's row count (the client reads X-Result-Count as the MISP version writes it) ends
    // the event at a short page; else the event's attribute count bounds the pages (a page
    // emptied after the query is not the end). An unknown count and no header: an empty page
    // ends it, the best that can be done.
    const shortPage = answer.resultCount !== undefined && answer.resultCount < query.pageSize;
    const pastCount = page * query.pageSize >= event.attributeCount && !mayBeCut(answer, query.pageSize);
    const unknownEnd =
      !Number.isFinite(event.attributeCount) &&
      answer.resultCount === undefined &&
      answer.attributes.length + answer.skipped === 0;
    if (shortPage || pastCount || unknownEnd) return 'end';
    if (page >= lastPage) {
      if (Number.isFinite(event.attributeCount)) return 'past-count';
      throw endlessEvent(transport, event);
    }
  }
}

function moreThanCounted(transport: WindowTransport, event: MispEventSummary): MispError {
  const operation = transport.describe('attributes/restSearch');
  return new MispError(
    `MISP returned more attributes for event ${event.id} than its attribute_count (${event.attributeCount}) ` +
      `says, without the event changing (${operation.method} ${operation.url}): reading stopped there, so ` +
      'that MISP is not asked for page after page. Check the event in MISP (its attribute count may need ' +
      'a recount); the next cycle reads it again',
    { kind: 'paging', operation },
  );
}

function endlessEvent(transport: WindowTransport, event: MispEventSummary): MispError {
  const operation = transport.describe('attributes/restSearch');
  return new MispError(
    `MISP still had attributes of event ${event.id} after ${MAX_EVENT_PAGES} pages (${operation.method} ` +
      `${operation.url}): paging stopped to avoid an endless loop. Check that nothing between the trigger ` +
      'and MISP rewrites the request body',
    { kind: 'paging', operation },
  );
}

function keptChanging(transport: WindowTransport, event: MispEventSummary): MispError {
  const operation = transport.describe('attributes/restSearch');
  return new MispError(
    `MISP event ${event.id} changed each of the ${BIG_EVENT_READS} times it was read (${operation.method} ` +
      `${operation.url}): its attributes are read again by the next cycle, once it stops changing`,
    { kind: 'paging', operation },
  );
}
