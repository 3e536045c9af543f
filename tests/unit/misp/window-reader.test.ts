import type { EventsSearchBody, RestSearchBody } from '../../../src/misp/rest-search-body';
import type { MispAttributeQuery, MispEventGroup, MispEventSummary } from '../../../src/misp/types';
import { EVENTS_PER_GROUP } from '../../../src/misp/event-packer';
import {
  listEventsById,
  listWindowEvents,
  readWindowByEvents,
  type WindowTransport,
} from '../../../src/misp/window-reader';

function event(id: number, publishTimestamp: number, attributeCount: number): MispEventSummary {
  return {
    id: String(id),
    uuid: `uuid-${id}`,
    published: true,
    publishTimestamp,
    timestamp: publishTimestamp,
    attributeCount,
  };
}

/** A transport over fixed events, each with `rows[id]` attributes (not necessarily its attributeCount). */
class FakeTransport implements WindowTransport {
  readonly listed: EventsSearchBody[] = [];
  readonly read: RestSearchBody[] = [];
  constructor(
    private readonly events: MispEventSummary[],
    private readonly rows: Record<string, number> = {},
  ) {}

  async listEvents(body: EventsSearchBody): Promise<MispEventSummary[]> {
    this.listed.push(body);
    let found = this.events;
    if (body.eventid) found = found.filter((e) => body.eventid?.includes(e.id));
    const window = body.publish_timestamp;
    if (window)
      found = found.filter((e) => e.publishTimestamp >= window[0] && e.publishTimestamp <= window[1]);
    const limit = body.limit ?? found.length;
    const page = body.page ?? 1;
    return found.slice((page - 1) * limit, page * limit);
  }

  async readAttributes(body: RestSearchBody) {
    this.read.push(body);
    const all = (body.eventid ?? []).flatMap((id) =>
      Array.from({ length: this.rows[id] ?? 0 }, (_, i) => ({ id: `${id}-${i}`, event_id: id })),
    );
    return { attributes: all.slice((body.page - 1) * body.limit, body.page * body.limit), skipped: 0 };
  }

  describe(path: string) {
    return { method: 'POST', url: `https://misp.test/${path}` };
  }
}

const QUERY: MispAttributeQuery = {
  publishFrom: 0,
  publishTo: 1000,
  types: ['ip-dst'],
  enforceWarninglist: true,
  pageSize: 10,
};

async function collect(items: AsyncIterable<MispEventGroup>): Promise<MispEventGroup[]> {
  const out: MispEventGroup[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('listWindowEvents', () => {
  it('cuts the window in halves until each part fits one answer: every event once, no offset page', async () => {
    const events = Array.from({ length: 25 }, (_, i) => event(i + 1, i * 40, 1));
    const transport = new FakeTransport(events);
    const listed = await listWindowEvents(transport, 0, 1000, undefined, 4);
    expect(listed.map((e) => Number(e.id)).sort((a, b) => a - b)).toEqual(events.map((e) => Number(e.id)));
    expect(transport.listed.every((body) => body.page === 1)).toBe(true);
  });

  it('pages by offset only when one second holds more than a whole answer', async () => {
    const events = Array.from({ length: 9 }, (_, i) => event(i + 1, 500, 1));
    const transport = new FakeTransport(events);
    const listed = await listWindowEvents(transport, 500, 500, undefined, 4);
    expect(listed).toHaveLength(9);
    // The window's answer, then the second's offset pages from the first, in a fixed order.
    expect(transport.listed.map((body) => body.page)).toEqual([1, 1, 2, 3]);
  });
});

describe('readWindowByEvents', () => {
  it('asks each group with a limit above its attribute counts added up, and reads a big event by pages', async () => {
    // Page of 10, prior share 0.5: groups of attribute counts below 20; event 4 (25) is big.
    const events = [event(1, 10, 6), event(2, 10, 6), event(3, 10, 6), event(4, 10, 25), event(5, 10, 3)];
    const transport = new FakeTransport(events, { 1: 3, 2: 3, 3: 3, 4: 12, 5: 2 });
    const groups = await collect(readWindowByEvents(transport, QUERY));
    expect(transport.read.map((body) => [body.eventid, body.limit, body.page])).toEqual([
      [['1', '2', '3'], 19, 1],
      [['4'], 10, 1],
      [['4'], 10, 2],
      [['4'], 10, 3], // its attribute_count (25) bounds the pages: no count header here
      [['5'], 4, 1],
    ]);
    expect(groups.reduce((sum, g) => sum + g.attributes.length, 0)).toBe(23);
  });

  it('reads each event alone when a group answer fills the page (attribute_count understated)', async () => {
    // Events 1 and 2 claim 3 attributes each but hold 6 and 15: the group's answer comes back full.
    const transport = new FakeTransport([event(1, 10, 3), event(2, 10, 3)], { 1: 6, 2: 15 });
    const groups = await collect(readWindowByEvents(transport, QUERY));
    const ids = groups.flatMap((g) => g.attributes.map((a) => (a as { id: string }).id));
    expect(new Set(ids).size).toBe(21);
    expect(groups.flatMap((g) => g.events.map((e) => e.id))).toEqual(['1', '2']);
  });

  it('a big event of unknown size, without count headers, ends at its first empty page', async () => {
    const transport = new FakeTransport([event(1, 10, Number.POSITIVE_INFINITY)], { 1: 23 });
    const groups = await collect(readWindowByEvents(transport, QUERY));
    expect(groups.reduce((sum, g) => sum + g.attributes.length, 0)).toBe(23);
    expect(transport.read.map((body) => body.page)).toEqual([1, 2, 3, 4]);
    expect(groups.at(-1)?.events.map((e) => e.id)).toEqual(['1']);
  });
});

describe('listEventsById (events listed again before a revocation)', () => {
  it('lists the given events by id, EVENTS_PER_GROUP a request; a gone event is absent', async () => {
    const ids = Array.from({ length: EVENTS_PER_GROUP + 2 }, (_, i) => String(i + 1));
    const transport = new FakeTransport(ids.slice(1).map((id) => event(Number(id), 100, 1)));
    const found = await listEventsById(transport, ids);
    expect(found.map((e) => e.id)).toEqual(ids.slice(1));
    expect(transport.listed.map((body) => body.eventid?.length)).toEqual([EVENTS_PER_GROUP, 2]);
    expect(transport.listed[0]).toMatchObject({ metadata: true, returnFormat: 'json' });
    expect(transport.listed[0].publish_timestamp).toBeUndefined();
  });
});

describe('bounded reading (no loop may hammer MISP)', () => {
  it('an event holding more rows than its attribute_count, unchanged: stops after floor(count / limit) + 1 pages and says why', async () => {
    const transport = new FakeTransport([event(1, 500, 25)], { '1': 400 });
    await expect(collect(readWindowByEvents(transport, QUERY))).rejects.toThrow(
      /more attributes for event 1 than its attribute_count \(25\) says/,
    );
    // Read alone (25 >= a page of 10): 3 pages, never the 40 it holds.
    expect(transport.read.map((body) => body.page)).toEqual([1, 2, 3]);
  });

  it('one second holding more events than an answer: offset pages in id order, capped; a repeated page is an error', async () => {
    const events = Array.from({ length: 9 }, (_, i) => event(i + 1, 500, 1));
    const transport = new FakeTransport(events);
    await listWindowEvents(transport, 500, 500, undefined, 4);
    expect(transport.listed.slice(1).map((body) => body.order)).toEqual([
      'Event.id asc',
      'Event.id asc',
      'Event.id asc',
    ]);
    const ignoresPage = new FakeTransport(events);
    ignoresPage.listEvents = async (body) => {
      ignoresPage.listed.push(body);
      return events.slice(0, 4);
    };
    await expect(listWindowEvents(ignoresPage, 500, 500, undefined, 4)).rejects.toThrow(
      /events published at 500 .* did not end: page 2 repeats page 1/,
    );
    expect(ignoresPage.listed).toHaveLength(3);
  });
});
