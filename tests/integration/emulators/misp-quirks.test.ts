import { startMispEmulator, type MispEmulator } from '../../../tools/emulators/misp';
import { postJson } from './http-client';
import { HOUR, NOW, testEvents } from './misp-data';

interface WireAttribute {
  id: string;
  event_id: string;
  type: string;
  value: string;
}
interface WireEvent {
  id: string;
  published: boolean;
  publish_timestamp: string;
  timestamp: string;
  attribute_count: string;
  Attribute?: unknown[];
}

let misp: MispEmulator;
beforeEach(async () => {
  misp = await startMispEmulator({ events: testEvents(), now: () => NOW * 1000 });
});
afterEach(() => misp.close());

const BASE = { returnFormat: 'json', to_ids: 1, published: 1, publish_timestamp: [0, NOW] };

async function attributes(body: Record<string, unknown>) {
  const response = await postJson(`${misp.url}/attributes/restSearch`, body, { Authorization: misp.apiKey });
  expect(response.status).toBe(200);
  return { response, rows: response.json<{ response: { Attribute: WireAttribute[] } }>().response.Attribute };
}

async function events(body: Record<string, unknown>): Promise<WireEvent[]> {
  const response = await postJson(`${misp.url}/events/restSearch`, body, { Authorization: misp.apiKey });
  expect(response.status).toBe(200);
  return response.json<{ response: Array<{ Event: WireEvent }> }>().response.map((entry) => entry.Event);
}

describe('MISP emulator: events/restSearch and eventid', () => {
  it('lists published events with metadata only, attribute_count counting the non-deleted attributes', async () => {
    const listed = await events({
      returnFormat: 'json',
      published: 1,
      publish_timestamp: [NOW - 2 * HOUR, NOW],
      metadata: true,
    });
    expect(listed.map((event) => event.id)).toEqual(['1']);
    expect(listed[0]).toMatchObject({ published: true, publish_timestamp: String(NOW - HOUR) });
    expect(Number(listed[0].attribute_count)).toBeGreaterThan(0);
    expect(listed[0].Attribute).toBeUndefined();
    const full = await events({ returnFormat: 'json', eventid: [1] });
    expect(full[0].Attribute).toHaveLength(Number(listed[0].attribute_count));
  });

  it('pages events by offset and reads attributes of a list of events', async () => {
    const all = await events({ returnFormat: 'json', metadata: true });
    const second = await events({ returnFormat: 'json', metadata: true, limit: 1, page: 2 });
    expect(second.map((event) => event.id)).toEqual([all[1].id]);
    const { rows } = await attributes({ ...BASE, eventid: ['2', 99] });
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(['2']));
  });
});

describe('MISP emulator: quirks', () => {
  it('ignoreOrder: a fixed order that is not id order, whatever `order` says', async () => {
    const ordered = (await attributes({ ...BASE, order: 'Attribute.id asc' })).rows.map((r) => Number(r.id));
    misp.setQuirks({ ignoreOrder: true });
    const first = (await attributes({ ...BASE, order: 'Attribute.id asc' })).rows.map((r) => Number(r.id));
    const again = (await attributes({ ...BASE, order: 'Attribute.id desc' })).rows.map((r) => Number(r.id));
    expect(first).toEqual(again);
    expect(first).not.toEqual(ordered);
    expect([...first].sort((a, b) => a - b)).toEqual(ordered);
  });

  it('allowedlist: rows removed after the query, counted in no header; noCountHeaders drops both counts', async () => {
    const { rows, response } = await attributes({ ...BASE, enforceWarninglist: true, limit: 100 });
    const sqlRows = String(rows.length + Number(response.headers['x-skipped-elements-count']));
    expect(response.headers['x-result-count']).toBe(sqlRows);
    misp.setQuirks({ allowedlist: [rows[0].value] });
    const filtered = await attributes({ ...BASE, enforceWarninglist: true, limit: 100 });
    expect(filtered.rows.map((row) => row.value)).not.toContain(rows[0].value);
    expect(filtered.rows).toHaveLength(rows.length - 1);
    expect(filtered.response.headers['x-result-count']).toBe(sqlRows);
    expect(filtered.response.headers['x-skipped-elements-count']).toBe(
      response.headers['x-skipped-elements-count'],
    );
    misp.setQuirks({ noCountHeaders: true });
    const old = await attributes({ ...BASE, enforceWarninglist: true });
    expect(old.response.headers['x-result-count']).toBeUndefined();
    expect(old.response.headers['x-skipped-elements-count']).toBeUndefined();
  });

  it('adds `email` to the types when email-src or email-dst is asked for (unless told not to)', async () => {
    misp.addAttributes(1, [{ type: 'email', value: 'generic@mailer.example', to_ids: true }], {
      publish: true,
    });
    const asked = { ...BASE, publish_timestamp: [0, NOW + 10], type: ['email-src'] };
    expect((await attributes(asked)).rows.map((row) => row.type)).toContain('email');
    misp.setQuirks({ addEmailType: false });
    expect((await attributes(asked)).rows.map((row) => row.type)).not.toContain('email');
  });

  it.each(['republish', 'unpublish', 'delete', 'clear-to-ids'] as const)(
    'changeBetweenRequests %s: the served events leave the search before the next request',
    async (change) => {
      const before = (await attributes({ ...BASE })).rows;
      misp.setQuirks({ changeBetweenRequests: { afterRequests: 1, change, events: 1 } });
      const first = await attributes({ ...BASE, limit: 1, page: 1 });
      expect(misp.changedEvents()).toEqual([]);
      await attributes({ ...BASE, limit: 1, page: 2 });
      const changed = misp.changedEvents();
      expect(changed).toEqual([Number(first.rows[0].event_id)]);
      const after = (await attributes({ ...BASE })).rows;
      expect(after.map((row) => row.event_id)).not.toContain(String(changed[0]));
      expect(after.length).toBeLessThan(before.length);
    },
  );
});
