import {
  startMispEmulator,
  sampleEvents,
  SUPPORTED_TYPES,
  type MispEmulator,
} from '../../../tools/emulators/misp';
import { postJson, send } from './http-client';
import { HOUR, NOW, testEvents } from './misp-data';

let misp: MispEmulator;
let clockSeconds = NOW;

beforeEach(async () => {
  clockSeconds = NOW;
  misp = await startMispEmulator({ events: testEvents(), now: () => clockSeconds * 1000, apiKey: 'k-123' });
});
afterEach(() => misp.close());

const url = (): string => `${misp.url}/attributes/restSearch`;
const AUTH_MESSAGE =
  'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.';

async function ids(body: Record<string, unknown>): Promise<number[]> {
  const response = await postJson(url(), { returnFormat: 'json', ...body }, { Authorization: 'k-123' });
  return response
    .json<{ response: { Attribute: Array<{ id: string }> } }>()
    .response.Attribute.map((a) => Number(a.id));
}

describe('MISP emulator: auth and errors, as MISP answers them', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong key', { Authorization: 'nope' }],
    ['a Bearer key (MISP wants the raw key)', { Authorization: 'Bearer k-123' }],
  ])('403 with MISP JSON for %s', async (_label, headers) => {
    const response = await postJson(url(), { returnFormat: 'json' }, headers);
    expect(response.status).toBe(403);
    expect(response.json()).toEqual({
      name: AUTH_MESSAGE,
      message: AUTH_MESSAGE,
      url: '/attributes/restSearch',
    });
  });

  it('getVersion answers the version with the right key, 403 without', async () => {
    const ok = await send(`${misp.url}/servers/getVersion`, { headers: { Authorization: 'k-123' } });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ version: '2.5.1', perm_sync: false });
    expect((await send(`${misp.url}/servers/getVersion`)).status).toBe(403);
  });

  it('400 when the body is not sent as JSON (MISP does not read it)', async () => {
    const response = await send(url(), {
      method: 'POST',
      headers: { Authorization: 'k-123', 'Content-Type': 'text/plain' },
      body: JSON.stringify({ returnFormat: 'json', to_ids: 1 }),
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ url: '/attributes/restSearch' });
  });

  it('400 for an empty body, 405 for invalid JSON, 404 for another returnFormat', async () => {
    const headers = { Authorization: 'k-123', 'Content-Type': 'application/json' };
    expect((await send(url(), { method: 'POST', headers, body: '' })).status).toBe(400);
    expect((await send(url(), { method: 'POST', headers, body: '{"to_ids": 1,' })).status).toBe(405);
    const csv = await postJson(url(), { returnFormat: 'csv' }, { Authorization: 'k-123' });
    expect(csv.status).toBe(404);
    expect(csv.json()).toMatchObject({ message: 'Invalid return format.' });
  });
});

describe('MISP emulator: changes while running', () => {
  const window = (): Record<string, unknown> => ({
    to_ids: 1,
    published: 1,
    publish_timestamp: [clockSeconds - 2 * HOUR, clockSeconds],
  });

  it('adds attributes to an event and republishes it: the whole event moves into the window', async () => {
    expect(await ids(window())).toEqual([1, 3, 4]);
    clockSeconds += 3 * HOUR;
    expect(await ids(window())).toEqual([]);
    const [newId] = misp.addAttributes(2, [{ type: 'ip-dst', value: '198.51.100.200', to_ids: true }], {
      publish: true,
    });
    expect(newId).toBe(10);
    expect(await ids(window())).toEqual([6, 7, 8, 10]);
    const added = await postJson(
      url(),
      { returnFormat: 'json', type: 'ip-dst', timestamp: clockSeconds },
      { Authorization: 'k-123' },
    );
    expect(
      added.json<{ response: { Attribute: Array<{ value: string }> } }>().response.Attribute[0].value,
    ).toBe('198.51.100.200');
  });

  it('adding an attribute unpublishes its event, as MISP does; publishing it again brings it back', async () => {
    expect(await ids({ published: 1, type: 'domain' })).toEqual([2, 8]);
    misp.addAttributes(1, [{ type: 'domain', value: 'late.example', to_ids: true }]);
    expect(await ids({ published: 1, type: 'domain' })).toEqual([8]);
    misp.republishEvent(1);
    expect(await ids({ published: 1, type: 'domain' })).toEqual([2, 8, 10]);
  });

  it('an edit or a soft delete unpublishes the event and moves its timestamp, keeping publish_timestamp; publishing moves publish_timestamp only', async () => {
    const event = misp.store.events[misp.store.eventRowOf(2)];
    const publishedAt = event.publishTimestamp;
    clockSeconds += 100;
    misp.updateAttribute(7, { to_ids: false });
    expect(event).toMatchObject({ published: false, timestamp: clockSeconds, publishTimestamp: publishedAt });
    clockSeconds += 100;
    misp.republishEvent(2);
    expect(event).toMatchObject({
      published: true,
      timestamp: clockSeconds - 100,
      publishTimestamp: clockSeconds,
    });
    clockSeconds += 100;
    misp.deleteAttribute(6);
    expect(event).toMatchObject({
      published: false,
      timestamp: clockSeconds,
      publishTimestamp: clockSeconds - 100,
    });
    expect(await ids({ deleted: [0, 1], eventid: 2 })).toEqual([6, 7, 8]);
    misp.unpublishEvent(2);
    expect(event).toMatchObject({ published: false, timestamp: clockSeconds });
  });

  it('deletes an attribute hard (gone even with deleted: [0, 1]) and an event (gone from eventid look-ups)', async () => {
    misp.deleteAttribute(7, { hard: true });
    expect(await ids({ deleted: [0, 1], eventid: 2 })).toEqual([6, 8]);
    expect(() => misp.updateAttribute(7, { to_ids: true })).toThrow('attribute 7 is not loaded');
    misp.deleteEvent(2);
    expect(await ids({ deleted: [0, 1], eventid: 2 })).toEqual([]);
    expect(await ids({ deleted: [0, 1] })).not.toContain(6);
    expect(() => misp.republishEvent(2)).toThrow('event 2 is not loaded');
  });

  it('republishes an event at a given time and updates an attribute (its timestamp moves)', async () => {
    misp.republishEvent(3, NOW - 60);
    expect(await ids({ published: 1, publish_timestamp: '5m' })).toEqual([9]);
    clockSeconds += 10;
    misp.updateAttribute(7, { to_ids: false, value: '203.0.113.8' });
    expect(await ids({ timestamp: '1m' })).toEqual([7]);
    expect(await ids({ to_ids: 0 })).toEqual([2, 7]);
    misp.updateAttribute(1, { deleted: true }, { publish: true });
    expect(await ids({ type: 'ip-dst' })).toEqual([4]);
  });

  it('adds events and changes data over the /_emulator routes too', async () => {
    const added = await postJson(`${misp.url}/_emulator/events`, {
      info: 'Over HTTP',
      published: true,
      Attribute: [{ type: 'md5', value: 'a'.repeat(32), to_ids: true }],
    });
    expect(added.json()).toEqual({ ids: [4] });
    const more = await postJson(`${misp.url}/_emulator/events/4/attributes`, {
      attributes: [{ type: 'sha1', value: 'b'.repeat(40), to_ids: true }],
      publish: true,
    });
    expect(more.json()).toEqual({ ids: [11] });
    await postJson(`${misp.url}/_emulator/events/4/publish`, { timestamp: NOW - 5 });
    const patched = await send(`${misp.url}/_emulator/attributes/10`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: '{"to_ids": false, "publish": true}',
    });
    expect(patched.status).toBe(200);
    expect(await ids({ published: 1, publish_timestamp: '1m', to_ids: 1 })).toEqual([11]);
    const stats = await send(`${misp.url}/_emulator/stats`);
    expect(stats.json()).toMatchObject({ attributes: 11, events: 4 });
    const bad = await postJson(`${misp.url}/_emulator/events/99/publish`, {});
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ message: 'event 99 is not loaded' });
  });

  it('unpublishes and deletes events over the /_emulator routes (the reconciliation): they leave every search', async () => {
    // Event 1 holds attributes 1 to 5, event 2 attributes 6 to 8 (misp-data.ts).
    expect(await ids({ published: 1 })).toEqual(expect.arrayContaining([1, 6]));
    const unpublished = await postJson(`${misp.url}/_emulator/events/1/unpublish`, {});
    expect(unpublished.json()).toEqual({ unpublished: 1 });
    const published = await ids({ published: 1 });
    expect(published.filter((id) => id <= 5)).toEqual([]);
    expect(published).toEqual(expect.arrayContaining([6, 7, 8]));
    const deleted = await send(`${misp.url}/_emulator/events/2`, { method: 'DELETE' });
    expect(deleted.json()).toEqual({ deleted: 2 });
    expect((await ids({})).filter((id) => id >= 6 && id <= 8)).toEqual([]);
    // MISP deletes the event's rows: not even a search for deleted attributes finds them.
    expect((await ids({ deleted: [0, 1] })).filter((id) => id >= 6 && id <= 8)).toEqual([]);
  });

  it('pages through a cached match list: one scan per distinct filter and data version', async () => {
    const query = { to_ids: 1, order: 'Attribute.id asc', limit: 2 };
    for (let page = 1; page <= 5; page += 1) await ids({ ...query, page });
    expect(misp.searchScans()).toBe(1);
    misp.republishEvent(1);
    await ids({ ...query, page: 1 });
    expect(misp.searchScans()).toBe(2);
  });
});

describe('MISP emulator: the team sample events', () => {
  it('loads, holds every supported type, non-IDS, unpublished, deleted and object attributes', async () => {
    const sample = await startMispEmulator({ events: sampleEvents(NOW), now: () => NOW * 1000 });
    try {
      const response = await postJson(
        `${sample.url}/attributes/restSearch`,
        { returnFormat: 'json', deleted: [0, 1] },
        { Authorization: sample.apiKey },
      );
      const attributes = response.json<{
        response: {
          Attribute: Array<{
            type: string;
            to_ids: boolean;
            deleted: boolean;
            object_id: string;
            value: string;
          }>;
        };
      }>().response.Attribute;
      const types = new Set(attributes.map((a) => a.type));
      for (const type of SUPPORTED_TYPES) {
        expect(types).toContain(type);
      }
      expect(attributes.some((a) => !a.to_ids)).toBe(true);
      expect(attributes.some((a) => a.deleted)).toBe(true);
      expect(attributes.some((a) => a.object_id !== '0')).toBe(true);
      expect(attributes.map((a) => a.value)).toEqual(
        expect.arrayContaining(['107.183.86', '203.0.113.0/24']),
      );
      expect(sample.store.events.filter((e) => !e.published)).toHaveLength(1);
    } finally {
      await sample.close();
    }
  });
});
