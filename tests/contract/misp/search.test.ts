import {
  buildEventAttributesBody,
  buildEventsByIdBody,
  buildWindowEventsBody,
} from '../../../src/misp/rest-search-body';
import { parseEventsAnswer } from '../../../src/misp/events-answer';
import { parseRestSearchAnswer } from '../../../src/misp/rest-search-answer';
import type { MispAttributeQuery } from '../../../src/misp/types';
import { openMispTarget, type MispTarget } from '../../helpers/misp-target';

/**
 * The trigger's own restSearch bodies against both targets, and what MISP answers: tag OR / NOT on
 * attributes (an event's tags count) and on events, eventid lists, Tag[] on attributes, the
 * answers' shapes as the client parses them. Tag names are this run's own.
 */
let target: MispTarget;
let redEvent: { id: number; attributeIds: number[] };
let plainEvent: { id: number; attributeIds: number[] };
let draftEvent: { id: number; attributeIds: number[] };
let red: string;
let green: string;
let windowFrom: number;

beforeAll(async () => {
  target = await openMispTarget();
  red = `${target.runId}:red`;
  green = `${target.runId}:green`;
  windowFrom = target.nowSeconds() - 60;
  const host = (name: string): string => `${name}.${target.runId}.example`;
  // The red event: tagged red itself; one attribute untagged, one tagged green.
  redEvent = await target.rest.addEvent({
    info: `${target.runId} search red`,
    published: true,
    Tag: [{ name: red }],
    Attribute: [
      { type: 'ip-dst', value: '198.51.100.71', to_ids: true },
      { type: 'domain', value: host('red-green'), to_ids: true, Tag: [{ name: green }] },
    ],
  });
  // The plain event: one attribute tagged red, one untagged, one not IDS.
  plainEvent = await target.rest.addEvent({
    info: `${target.runId} search plain`,
    published: true,
    Attribute: [
      { type: 'ip-dst', value: '198.51.100.72', to_ids: true, Tag: [{ name: red }] },
      { type: 'domain', value: host('plain'), to_ids: true },
      { type: 'md5', value: 'a'.repeat(32), to_ids: false },
    ],
  });
  draftEvent = await target.rest.addEvent({
    info: `${target.runId} search draft`,
    Attribute: [{ type: 'ip-dst', value: '198.51.100.73', to_ids: true }],
  });
});

afterAll(async () => {
  await target.close();
});

function query(extra: Partial<MispAttributeQuery> = {}): MispAttributeQuery {
  return {
    publishFrom: windowFrom,
    publishTo: target.nowSeconds() + 60,
    types: ['ip-dst', 'domain', 'md5'],
    enforceWarninglist: true,
    pageSize: 100,
    ...extra,
  };
}

const allEvents = (): string[] => [redEvent.id, plainEvent.id, draftEvent.id].map(String);

async function attributeIds(body: object): Promise<number[]> {
  const answer = await target.rest.call('POST', '/attributes/restSearch', body);
  expect(answer.status).toBe(200);
  const parsed = parseRestSearchAnswer(answer.body);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.attributes.map((attribute) => Number((attribute as { id: string }).id)).sort((a, b) => a - b);
}

describe('MISP contract: the trigger’s searches', () => {
  it('its body reads the IDS attributes of published events in the window only', async () => {
    const ids = await attributeIds(buildEventAttributesBody(query(), allEvents()));
    expect(ids).toEqual([...redEvent.attributeIds, ...plainEvent.attributeIds.slice(0, 2)]);
  });

  it('tags NOT leaves out attributes tagged so and every attribute of an event tagged so', async () => {
    const ids = await attributeIds(buildEventAttributesBody(query({ excludeTags: [red] }), allEvents()));
    expect(ids).toEqual([plainEvent.attributeIds[1]]);
  });

  it('tags OR keeps attributes tagged so, or whose event is', async () => {
    expect(await attributeIds(buildEventAttributesBody(query({ includeTags: [red] }), allEvents()))).toEqual([
      ...redEvent.attributeIds,
      plainEvent.attributeIds[0],
    ]);
    expect(
      await attributeIds(buildEventAttributesBody(query({ includeTags: [green] }), allEvents())),
    ).toEqual([redEvent.attributeIds[1]]);
    const both = query({ includeTags: [green], excludeTags: [red] });
    expect(await attributeIds(buildEventAttributesBody(both, allEvents()))).toEqual([]);
  });

  it('eventid: a list of ids (strings or numbers); an unknown id matches nothing', async () => {
    const body = { returnFormat: 'json', eventid: [String(plainEvent.id), draftEvent.id], published: [0, 1] };
    expect(await attributeIds(body)).toEqual([...plainEvent.attributeIds, ...draftEvent.attributeIds]);
    expect(await attributeIds({ returnFormat: 'json', eventid: [2_000_000_000] })).toEqual([]);
  });

  it('Tag[] on an attribute only with its own tags, or the event’s too (inherited) with includeEventTags', async () => {
    const read = async (includeEventTags: boolean) => {
      const answer = await target.rest.attributes({
        eventid: redEvent.id,
        includeEventTags,
        order: 'Attribute.id asc',
      });
      return answer.body.response.Attribute.map((attribute) =>
        (attribute.Tag ?? []).map((tag) => `${tag.name}${tag.inherited ? ' (inherited)' : ''}`).sort(),
      );
    };
    expect(await read(false)).toEqual([[], [green]]);
    expect(await read(true)).toEqual([[`${red} (inherited)`], [green, `${red} (inherited)`]]);
  });

  it('events/restSearch: the window lists published events only, with the fields the client reads; tags NOT and OR on events', async () => {
    const window = buildWindowEventsBody(windowFrom, target.nowSeconds() + 60, 10_000);
    const answer = await target.rest.call('POST', '/events/restSearch', { ...window, eventid: allEvents() });
    const parsed = parseEventsAnswer(answer.body);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.events.map((event) => Number(event.id)).sort((a, b) => a - b)).toEqual([
      redEvent.id,
      plainEvent.id,
    ]);
    const [first] = parsed.events;
    expect(first).toMatchObject({ published: true, uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(first.attributeCount).toBe(first.id === String(redEvent.id) ? 2 : 3);
    const tagged = async (tags: object) => {
      const found = await target.rest.events({ eventid: allEvents(), metadata: true, tags });
      return found.body.response.map((event) => Number(event.Event.id)).sort((a, b) => a - b);
    };
    // NOT looks at the event's own tags; OR at its attributes' tags too (measured on MISP 2.5.1).
    expect(await tagged({ NOT: [red] })).toEqual([plainEvent.id, draftEvent.id]);
    expect(await tagged({ OR: [red] })).toEqual([redEvent.id, plainEvent.id]);
    expect(await tagged({ OR: [green] })).toEqual([redEvent.id]);
  });

  it('events listed by id: published or not, a deleted one absent', async () => {
    const gone = await target.rest.addEvent({
      info: `${target.runId} search gone`,
      published: true,
      Attribute: [{ type: 'ip-dst', value: '198.51.100.74', to_ids: true }],
    });
    await target.rest.deleteEvent(gone.id);
    const answer = await target.rest.call(
      'POST',
      '/events/restSearch',
      buildEventsByIdBody([...allEvents(), String(gone.id)]),
    );
    const parsed = parseEventsAnswer(answer.body);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(
      parsed.events
        .map((event) => [Number(event.id), event.published])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    ).toEqual([
      [redEvent.id, true],
      [plainEvent.id, true],
      [draftEvent.id, false],
    ]);
  });
});
