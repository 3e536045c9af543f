import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendRawJson } from '../http';
import { readSearchFilters, type RestSearchContext } from './rest-search';
import { parseEventIds, parseSearchRequest, type TermFilter } from './search-filter';
import { serializeAttribute } from './serialize';
import { type AttributeStore, type EventRecord, FLAG_DELETED } from './store';

/**
 * POST /events/restSearch, after the key was checked (app/Model/Event.php): the event-level
 * filters (published, publish_timestamp, timestamp of the event, eventid), paged by offset with
 * limit/page like attributes. `metadata: true` leaves out the attributes. Events come in id order
 * ("Event.id desc" reverses it), or in a fixed other order when the ignoreOrder quirk is on.
 */
export async function handleEventsSearch(
  req: IncomingMessage,
  res: ServerResponse,
  context: RestSearchContext,
): Promise<void> {
  const filters = await readSearchFilters(req, res);
  if (!filters) return;
  context.recordSearch?.('/events/restSearch', filters);
  const { store, quirks } = context;
  const search = parseSearchRequest(filters, store.nowSeconds());
  const wanted = parseEventIds(filters.eventid);
  const wantedSet = wanted ? new Set(wanted) : undefined;
  const { published, publishTimestamp, timestamp } = search.filter;
  let rows: number[] = [];
  store.events.forEach((event, row) => {
    if (event.removed || (wantedSet && !wantedSet.has(event.id))) return;
    if (published && !published.includes(event.published)) return;
    if (
      publishTimestamp &&
      (event.publishTimestamp < publishTimestamp.from || event.publishTimestamp > publishTimestamp.to)
    )
      return;
    if (timestamp && (event.timestamp < timestamp.from || event.timestamp > timestamp.to)) return;
    if (search.filter.tags && !eventTagsMatch(store, row, search.filter.tags)) return;
    rows.push(row);
  });
  if (quirks.current.ignoreOrder)
    rows.sort((a, b) => (Math.imul(a + 1, 2654435761) >>> 0) - (Math.imul(b + 1, 2654435761) >>> 0));
  else if (search.descending || /^event\.id\s+desc$/i.test(String(filters.order ?? '').trim()))
    rows.reverse();
  // MISP counts every matching event, whatever the page (EventsController::restSearch).
  const total = rows.length;
  if (search.limit > 0) rows = rows.slice((search.page - 1) * search.limit, search.page * search.limit);
  const metadata = filters.metadata === true || filters.metadata === 1 || filters.metadata === '1';
  const events = rows.map((row) => `{"Event":${eventJson(store, row, metadata)}}`);
  const headers: Record<string, string> = {};
  if (!quirks.current.noCountHeaders) headers['X-Result-Count'] = String(total);
  sendRawJson(res, 200, `{"response":[${events.join(',')}]}`, headers);
}

/**
 * `tags` on events/restSearch (measured on MISP 2.5.1): NOT leaves out events carrying the tag
 * themselves; OR keeps events carrying it, or holding an attribute that does.
 */
function eventTagsMatch(store: AttributeStore, row: number, tags: TermFilter): boolean {
  const indexes = (terms: string[]): Set<number> =>
    new Set(terms.flatMap((term) => [...store.tags.matching(term)]));
  const own = store.events[row].tags;
  const not = indexes(tags.not);
  if (own.some((tag) => not.has(tag))) return false;
  if (tags.or.length === 0) return true;
  const or = indexes(tags.or);
  if (own.some((tag) => or.has(tag))) return true;
  return store.rowsOfEvent[row].some((attributeRow) =>
    (store.attributeTags.get(attributeRow) ?? []).some((tag) => or.has(tag)),
  );
}

/** An event as MISP's JSON writes it (events/restSearch, events/add); `metadata`: no Attribute[]. */
export function eventJson(store: AttributeStore, row: number, metadata: boolean): string {
  const event: EventRecord = store.events[row];
  const tags = event.tags.map((tag) => store.tags.records[tag].json);
  const fields = [
    `"id":"${event.id}"`,
    `"orgc_id":"${event.orgcId}"`,
    `"org_id":"${event.orgId}"`,
    `"date":"${new Date(event.timestamp * 1000).toISOString().slice(0, 10)}"`,
    '"threat_level_id":"2"',
    `"info":${JSON.stringify(event.info)}`,
    `"published":${event.published}`,
    `"uuid":${JSON.stringify(event.uuid)}`,
    `"attribute_count":"${store.attributeCountOf(row)}"`,
    '"analysis":"2"',
    `"timestamp":"${event.timestamp}"`,
    `"distribution":"${event.distribution}"`,
    '"proposal_email_lock":false',
    '"locked":false',
    `"publish_timestamp":"${event.publishTimestamp}"`,
    '"sharing_group_id":"0"',
    '"disable_correlation":false',
    '"extends_uuid":""',
    '"protected":null',
    `"Org":{"id":"${event.orgId}","name":"ORG${event.orgId}","uuid":"00000000-0000-4000-8000-${String(event.orgId).padStart(12, '0')}","local":true}`,
    `"Orgc":{"id":"${event.orgcId}","name":"ORG${event.orgcId}","uuid":"00000000-0000-4000-8000-${String(event.orgcId).padStart(12, '0')}","local":true}`,
    `"Tag":[${tags.join(',')}]`,
  ];
  if (!metadata) {
    const attributes = store.rowsOfEvent[row]
      .filter((attributeRow) => (store.flags.get(attributeRow) & FLAG_DELETED) === 0)
      .map((attributeRow) => serializeAttribute(store, attributeRow, false));
    fields.push(`"Attribute":[${attributes.join(',')}]`, '"Object":[]');
  }
  return `{${fields.join(',')}}`;
}
