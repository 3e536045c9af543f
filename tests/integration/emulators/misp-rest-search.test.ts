import { startMispEmulator, type MispEmulator } from '../../../tools/emulators/misp';
import { postJson, type PlainResponse } from './http-client';
import { DAY, HOUR, NOW, testEvents } from './misp-data';

interface WireAttribute {
  id: string;
  event_id: string;
  uuid: string;
  object_id: string;
  type: string;
  value: string;
  to_ids: boolean;
  deleted: boolean;
  timestamp: string;
  Event: Record<string, string>;
  Object?: Record<string, string>;
  Tag?: Array<{ name: string; inherited?: number }>;
}

let misp: MispEmulator;

beforeAll(async () => {
  misp = await startMispEmulator({ events: testEvents(), now: () => NOW * 1000 });
});
afterAll(() => misp.close());

function search(body: Record<string, unknown>): Promise<PlainResponse> {
  return postJson(
    `${misp.url}/attributes/restSearch`,
    { returnFormat: 'json', ...body },
    { Authorization: misp.apiKey },
  );
}

async function ids(body: Record<string, unknown>): Promise<number[]> {
  const response = await search(body);
  expect(response.status).toBe(200);
  return response
    .json<{ response: { Attribute: WireAttribute[] } }>()
    .response.Attribute.map((a) => Number(a.id));
}

describe('MISP emulator: restSearch wire format', () => {
  it('answers {"response":{"Attribute":[...]}} with string ids, boolean flags, the short Event and Object', async () => {
    const response = await search({ type: 'domain', to_ids: 1 });
    const attributes = response.json<{ response: { Attribute: WireAttribute[] } }>().response.Attribute;
    expect(attributes.map((a) => a.id)).toEqual(['8', '9']);
    const inObject = attributes[0];
    expect(inObject).toMatchObject({ id: '8', event_id: '2', object_id: '50', to_ids: true, deleted: false });
    expect(inObject.timestamp).toBe(String(NOW - 4 * DAY));
    expect(Object.keys(inObject.Event).sort()).toEqual([
      'distribution',
      'id',
      'info',
      'org_id',
      'orgc_id',
      'uuid',
    ]);
    expect(inObject.Event.uuid).toBe('22222222-2222-4222-8222-222222222222');
    expect(inObject.Object).toEqual({ id: '50', distribution: '5', sharing_group_id: '0' });
    expect(attributes[1].Object).toBeUndefined();
    expect(attributes[1].uuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('attaches the attribute own Tag[], and event tags (inherited) only with includeEventTags', async () => {
    const plain = (await search({ type: 'md5' })).json<{ response: { Attribute: WireAttribute[] } }>();
    expect(plain.response.Attribute[0].Tag?.map((t) => t.name)).toEqual(['tlp:red']);
    const withEvent = (await search({ type: 'md5', includeEventTags: true })).json<{
      response: { Attribute: WireAttribute[] };
    }>();
    expect(withEvent.response.Attribute[0].Tag).toEqual([
      expect.objectContaining({ name: 'tlp:red' }),
      expect.objectContaining({ name: 'tlp:green', inherited: 1 }),
    ]);
    const untagged = (await search({ type: 'ip-src' })).json<{ response: { Attribute: WireAttribute[] } }>();
    expect(untagged.response.Attribute[0].Tag).toBeUndefined();
  });
});

describe('MISP emulator: filters', () => {
  it('applies to_ids and published only when sent', async () => {
    expect(await ids({ order: 'Attribute.id asc', limit: 100 })).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    expect(await ids({ to_ids: 1 })).toEqual([1, 3, 4, 6, 7, 8, 9]);
    expect(await ids({ to_ids: '0' })).toEqual([2]);
    expect(await ids({ to_ids: [0, 1] })).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    expect(await ids({ published: true })).toEqual([1, 2, 3, 4, 6, 7, 8]);
    expect(await ids({ published: 0 })).toEqual([9]);
  });

  it.each([
    ['epoch seconds as a number', NOW - 2 * HOUR, [1, 2, 3, 4]],
    ['epoch seconds as a string', String(NOW - 2 * HOUR), [1, 2, 3, 4]],
    ['days', '1d', [1, 2, 3, 4]],
    ['hours', '2h', [1, 2, 3, 4]],
    ['minutes', '59m', []],
    ['seconds', '4000s', [1, 2, 3, 4]],
    ['an ISO date', new Date((NOW - 5 * DAY) * 1000).toISOString(), [1, 2, 3, 4, 6, 7, 8]],
    ['a [from, to] range', [NOW - 4 * DAY, NOW - 2 * DAY], [6, 7, 8]],
    ['a range of relative times', ['4d', '2d'], [6, 7, 8]],
    ['the Python trigger value "1"', '1', [1, 2, 3, 4, 6, 7, 8]],
    ['an invalid value (matches nothing)', 'yesterday-ish', []],
    ['a range with an invalid end', [NOW - 4 * DAY, 'soon'], []],
  ])('publish_timestamp as %s', async (_label, value, expected) => {
    expect(await ids({ publish_timestamp: value })).toEqual(expected);
  });

  it.each([
    ['epoch seconds', NOW - 3 * HOUR, [1, 2, 3, 4]],
    ['relative', '5m', [3]],
    ['a range', [NOW - 5 * DAY, NOW - 3 * DAY], [6, 7, 8]],
    ['an ISO date', new Date((NOW - 2 * DAY) * 1000).toISOString(), [1, 2, 3, 4, 9]],
    ['an invalid value', 'not-a-time', []],
  ])('timestamp (the attribute own time) as %s', async (_label, value, expected) => {
    expect(await ids({ timestamp: value })).toEqual(expected);
  });

  it.each([
    ['a string', 'domain', [2, 8, 9]],
    ['a list (OR)', ['md5', 'sha256'], [3, 6]],
    ['{OR}', { OR: ['ip-src', 'md5'] }, [3, 7]],
    ['{NOT}', { NOT: ['domain', 'ip-dst'] }, [3, 6, 7]],
    ['{OR, NOT}', { OR: ['domain', 'md5'], NOT: ['md5'] }, [2, 8, 9]],
    ['a "!" shorthand', '!domain', [1, 3, 4, 6, 7]],
    ['an unknown type', 'yara', []],
  ])('type as %s', async (_label, value, expected) => {
    expect(await ids({ type: value })).toEqual(expected);
  });

  it.each([
    ['a string (attribute tag)', 'tlp:red', [3]],
    ['a string (event tag counts)', 'tlp:green', [1, 2, 3, 4]],
    ['a list (OR)', ['tlp:red', 'tlp:amber'], [3, 6, 7, 8]],
    ['{AND} across attribute and event tags', { AND: ['tlp:green', 'tlp:red'] }, [3]],
    ['{NOT}', { NOT: ['tlp:green'] }, [6, 7, 8, 9]],
    ['{NOT} of an attribute tag', { NOT: ['tlp:red'] }, [1, 2, 4, 6, 7, 8, 9]],
    ['{OR, NOT}', { OR: ['tlp:%'], NOT: ['tlp:red'] }, [1, 2, 4, 6, 7, 8]],
    ['a % wildcard', 'misp-galaxy:%', [6, 7, 8]],
    ['a case-insensitive name', 'TLP:AMBER', [6, 7, 8]],
    ['the "a&&!b" shorthand', 'tlp:%&&!tlp:amber', [1, 2, 3, 4]],
    ['an unknown tag', 'tlp:clear', []],
  ])('tags as %s', async (_label, value, expected) => {
    expect(await ids({ tags: value })).toEqual(expected);
  });

  it('deleted: omitted = live only, [0, 1] = both, 1 = deleted only', async () => {
    expect(await ids({ type: 'url' })).toEqual([]);
    expect(await ids({ type: 'url', deleted: [0, 1] })).toEqual([5]);
    expect(await ids({ deleted: 1 })).toEqual([5]);
    expect(await ids({ deleted: 0, type: 'ip-dst' })).toEqual([1, 4]);
  });

  it('enforceWarninglist drops known-benign values and counts them in X-Skipped-Elements-Count', async () => {
    const response = await search({ type: 'ip-dst', enforceWarninglist: true });
    expect(
      response.json<{ response: { Attribute: WireAttribute[] } }>().response.Attribute.map((a) => a.value),
    ).toEqual(['198.51.100.1']);
    expect(response.headers['x-skipped-elements-count']).toBe('1');
    const without = await search({ type: 'ip-dst' });
    // MISP 2.4.196+ sends the header on every attributes/restSearch (measured on 2.5.1).
    expect(without.headers['x-skipped-elements-count']).toBe('0');
    expect(without.json<{ response: { Attribute: WireAttribute[] } }>().response.Attribute).toHaveLength(2);
  });

  it('orders by Attribute.id asc or desc', async () => {
    expect(await ids({ to_ids: 1, order: 'Attribute.id desc' })).toEqual([9, 8, 7, 6, 4, 3, 1]);
    expect(await ids({ to_ids: 1, order: 'Attribute.id asc' })).toEqual([1, 3, 4, 6, 7, 8, 9]);
  });

  it('pages with limit/page (1-based), a short page is kept, past the end an empty list', async () => {
    const query = { to_ids: 1, order: 'Attribute.id asc', limit: 3 };
    expect(await ids({ ...query, page: 1 })).toEqual([1, 3, 4]);
    expect(await ids({ ...query, page: 2 })).toEqual([6, 7, 8]);
    expect(await ids({ ...query, page: 3 })).toEqual([9]);
    expect(await ids({ ...query, page: 4 })).toEqual([]);
    expect(await ids({ ...query, page: '2', limit: '3' })).toEqual([6, 7, 8]);
    expect(await ids({ ...query, order: 'Attribute.id desc', page: 1 })).toEqual([9, 8, 7]);
  });

  it('a page filtered by the warninglist may be short and still not be the last', async () => {
    const page1 = await search({ to_ids: 1, type: 'ip-dst', limit: 1, page: 2, enforceWarninglist: 1 });
    expect(page1.json<{ response: { Attribute: unknown[] } }>().response.Attribute).toEqual([]);
    expect(page1.headers['x-skipped-elements-count']).toBe('1');
  });

  it('ignores unknown keys, as MISP does', async () => {
    expect(await ids({ to_ids: 1, not_tags: ['tlp:red'], whatever: true })).toEqual([1, 3, 4, 6, 7, 8, 9]);
  });

  it('reads filters wrapped in {"request": {...}}', async () => {
    expect(await ids({ request: { type: 'sha256' } })).toEqual([6]);
  });
});
