import {
  DEFAULT_COLLECTION_ID,
  startSekoiaEmulator,
  type SekoiaEmulator,
} from '../../../tools/emulators/sekoia';
import { postJson, send } from './http-client';

const KEY = 'write-key';
let sekoia: SekoiaEmulator;

beforeEach(async () => {
  sekoia = await startSekoiaEmulator({
    apiKeys: { [KEY]: 'write-ioc', 'read-key': 'read-only' },
    runtimeToken: 'rt-token',
    secrets: { misp_api_key: 'from-secrets' },
  });
});
afterEach(() => sekoia.close());

const importUrl = (collection = DEFAULT_COLLECTION_ID, prefix = ''): string =>
  `${sekoia.url}${prefix}/v2/inthreat/ioc-collections/${collection}/indicators/text`;
const push = (body: unknown, key = KEY, url = importUrl()) =>
  postJson(url, body, { Authorization: `Bearer ${key}` });

const COLLECTIONS = `/v2/inthreat/ioc-collections`;
const auth = (key = KEY) => ({ Authorization: `Bearer ${key}` });
const collectionUrl = (collection = DEFAULT_COLLECTION_ID) => `${sekoia.url}${COLLECTIONS}/${collection}`;
const jsonImport = (body: unknown, key = KEY, collection = DEFAULT_COLLECTION_ID) =>
  postJson(`${collectionUrl(collection)}/indicators`, body, auth(key));
const list = (query: string, key = KEY) =>
  send(`${collectionUrl()}/indicators?${query}`, { headers: auth(key) });
interface Page {
  items: Array<{ id: string; name: string; pattern: string; revoked: boolean; valid_until?: string }>;
  total: number;
  has_more: boolean;
}

describe('Sekoia emulator: authentication and permissions (OpenAPI wording)', () => {
  it('401 "Authentication failed" for an unknown or missing key, on every route', async () => {
    for (const headers of [auth('other'), { Authorization: KEY }, {}]) {
      const read = await send(collectionUrl(), { headers });
      expect(read.status).toBe(401);
      expect(read.json()).toEqual({ message: 'Authentication failed' });
    }
    expect((await push({ indicators: '198.51.100.1', format: 'ipv4-addr.value' }, 'nope')).status).toBe(401);
  });

  it('403 "Insufficient permissions": writing needs "Manage IOC collections", reading "View IOC collections"', async () => {
    sekoia.settings.apiKeys.set('none-key', 'no-ioc');
    expect((await send(collectionUrl(), { headers: auth('read-key') })).status).toBe(200);
    expect((await list('limit=10', 'read-key')).status).toBe(200);
    const write = await push({ indicators: '198.51.100.1', format: 'ipv4-addr.value' }, 'read-key');
    expect(write.status).toBe(403);
    expect(write.json()).toEqual({ message: 'Insufficient permissions' });
    expect((await jsonImport({ indicators: [{ value: '198.51.100.1' }] }, 'read-key')).status).toBe(403);
    expect((await send(collectionUrl(), { headers: auth('none-key') })).status).toBe(403);
    expect(sekoia.collection().importRequests).toBe(0);
  });

  it('no /v1/me route: the client reads the collection instead', async () => {
    expect((await send(`${sekoia.url}/v1/me`, { headers: auth() })).status).toBe(404);
  });
});

describe('Sekoia emulator: GET an IOC collection', () => {
  it('answers the collection (CollectionSchema), also under /api; 404 "Unknown object" otherwise', async () => {
    const read = await send(collectionUrl(), { headers: auth() });
    expect(read.status).toBe(200);
    expect(read.json()).toMatchObject({
      id: DEFAULT_COLLECTION_ID,
      name: expect.any(String),
      created_by: expect.any(String),
      modified_by: expect.any(String),
      community_uuid: expect.any(String),
    });
    expect(
      (await send(`${sekoia.url}/api${COLLECTIONS}/${DEFAULT_COLLECTION_ID}`, { headers: auth() })).status,
    ).toBe(200);
    const missing = await send(collectionUrl('ioc-collection--00000000-0000-4000-8000-00000000ffff'), {
      headers: auth(),
    });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ message: 'Unknown object' });
  });
});

describe('Sekoia emulator: text import', () => {
  it('answers 202 {task_id}; the import lands a moment later', async () => {
    sekoia.settings.importDelayMs = 60_000;
    const first = await push({ indicators: '198.51.100.1\n198.51.100.2\n', format: 'ipv4-addr.value' });
    expect(first.status).toBe(202);
    expect(first.json()).toEqual({ task_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(sekoia.collection()).toMatchObject({ indicators: [], pendingTasks: 1, textImports: 1 });
    sekoia.landPendingImports();
    expect(sekoia.collection().indicators.map((i) => i.value)).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(sekoia.collection().pendingTasks).toBe(0);
  });

  it('with no delay, lands right after its answer; duplicates counted; /api prefix accepted', async () => {
    await push({ indicators: '198.51.100.1\n198.51.100.2\n', format: 'ipv4-addr.value' });
    await push(
      {
        indicators: '198.51.100.2\r\n198.51.100.3',
        format: 'ipv4-addr.value',
        valid_until: '2026-12-01T00:00:00Z',
      },
      KEY,
      importUrl(DEFAULT_COLLECTION_ID, '/api'),
    );
    const report = sekoia.collection();
    expect(report.indicators.map((i) => i.value)).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3']);
    expect(report).toMatchObject({ importRequests: 2, valuesReceived: 4, duplicates: 1 });
    const overHttp = await send(`${sekoia.url}/_emulator/collections/${DEFAULT_COLLECTION_ID}`);
    expect(overHttp.json()).toMatchObject({
      id: DEFAULT_COLLECTION_ID,
      importRequests: 2,
      valuesReceived: 4,
    });
  });

  it('keys indicators by format and value; an invalid line is left out, not the batch', async () => {
    const response = await push({ indicators: 'evil.example\nnot a domain', format: 'domain-name.value' });
    expect(response.status).toBe(202);
    await push({ indicators: 'http://evil.example/', format: 'url.value' });
    const report = sekoia.collection();
    expect(report.indicators.map((i) => [i.format, i.value])).toEqual([
      ['domain-name.value', 'evil.example'],
      ['url.value', 'http://evil.example/'],
    ]);
    expect(report.invalidLines).toBe(1);
  });

  it("applies Sekoia.io's default validity without valid_until: 30 days for IPs, 6 months for domains", async () => {
    const now = Date.parse('2026-11-30T00:00:00Z');
    await sekoia.close();
    sekoia = await startSekoiaEmulator({ apiKeys: { [KEY]: 'write-ioc' }, now: () => now });
    await push({ indicators: '198.51.100.1', format: 'ipv4-addr.value' });
    await push({ indicators: 'evil.example', format: 'domain-name.value' });
    await push({
      indicators: 'a@evil.example',
      format: 'email-addr.value',
      valid_until: '2027-01-01T00:00:00Z',
    });
    expect(sekoia.collection().indicators.map((i) => i.validUntil)).toEqual([
      '2026-12-30T00:00:00Z',
      '2027-05-30T00:00:00Z',
      '2027-01-01T00:00:00Z',
    ]);
  });

  it('keeps the first description of an indicator pushed again with another', async () => {
    await push({ indicators: 'evil.example', format: 'domain-name.value', description: 'MISP event 1' });
    await push({ indicators: 'evil.example', format: 'domain-name.value', description: 'MISP event 2' });
    expect(sekoia.collection().indicators[0].description).toBe('MISP event 1');
  });

  it.each([
    ['a missing indicators field', { format: 'ipv4-addr.value' }, 'indicators'],
    ['an unknown format', { indicators: '1.2.3.4', format: 'ipv4' }, 'format'],
    [
      'a bad valid_until',
      { indicators: '1.2.3.4', format: 'ipv4-addr.value', valid_until: 'tomorrow' },
      'valid_until',
    ],
    ['a bad valid_from', { indicators: '1.2.3.4', format: 'ipv4-addr.value', valid_from: 12 }, 'valid_from'],
    [
      'bad kill_chain_phases',
      { indicators: '1.2.3.4', format: 'ipv4-addr.value', kill_chain_phases: [{ phase_name: 'x' }] },
      'kill_chain_phases',
    ],
    [
      'a description over 500 characters',
      { indicators: '1.2.3.4', format: 'ipv4-addr.value', description: 'x'.repeat(501) },
      'description',
    ],
  ])('400 with a message for %s', async (_label, body, fragment) => {
    const response = await push(body);
    expect(response.status).toBe(400);
    expect(response.json<{ message: string }>().message).toContain(fragment);
    expect(sekoia.collection().importRequests).toBe(0);
  });

  it('takes 1,000 lines and more (no documented limit), a 500-character description, kill_chain_phases', async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => `2001:db8::${i.toString(16)}`).join('\n');
    const response = await push({
      indicators: lines,
      format: 'ipv6-addr.value',
      description: 'd'.repeat(500),
      valid_from: '2025-01-01T00:00:00Z',
      kill_chain_phases: [{ kill_chain_name: 'lockheed-martin-cyber-kill-chain', phase_name: 'delivery' }],
    });
    expect(response.status).toBe(202);
    expect(sekoia.collection().indicators).toHaveLength(1500);
  });
});

describe('Sekoia emulator: fault knobs for what the OpenAPI description leaves open', () => {
  const body = { indicators: 'good.example\nbad.example', format: 'domain-name.value' };

  it('rejectValues: 400 for a whole batch holding the value (a rejection about content)', async () => {
    sekoia.settings.rejectValues.add('bad.example');
    const response = await push(body);
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({ message: 'invalid indicator "bad.example"' });
    expect((await jsonImport({ indicators: [{ value: 'bad.example' }] })).status).toBe(400);
  });

  it('rejectImports: 400 "Invalid parameters" for every import, whatever it holds', async () => {
    sekoia.settings.rejectImports = true;
    const response = await push({ indicators: 'good.example', format: 'domain-name.value' });
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({ message: 'Invalid parameters' });
    expect(sekoia.collection().importRequests).toBe(0);
  });

  it('maxLines: 400 naming the size; maxBodyBytes: 413', async () => {
    sekoia.settings.maxLines = 1;
    const tooMany = await push(body);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json()).toEqual({ message: 'indicators holds 2 lines; at most 1 per request' });
    sekoia.settings.maxLines = undefined;
    sekoia.settings.maxBodyBytes = 20;
    const large = await push(body);
    expect(large.status).toBe(413);
    expect(sekoia.collection().importRequests).toBe(0);
  });

  it.each([400, 403, 404] as const)(
    'unknownCollectionStatus %d for an import on an unknown collection',
    async (status) => {
      sekoia.settings.unknownCollectionStatus = status;
      const unknown = 'ioc-collection--00000000-0000-4000-8000-00000000ffff';
      expect((await push(body, KEY, importUrl(unknown))).status).toBe(status);
      expect((await jsonImport({ indicators: [{ value: 'a.example' }] }, KEY, unknown)).status).toBe(status);
      expect((await send(collectionUrl(unknown), { headers: auth() })).status).toBe(404);
    },
  );

  it('recordRequests keeps each accepted import as posted, in order', async () => {
    sekoia.settings.recordRequests = true;
    await push(body);
    await jsonImport({ indicators: [{ value: 'a.example' }] });
    expect(sekoia.recordedRequests().map((r) => [r.path, JSON.parse(r.body)])).toEqual([
      [`${COLLECTIONS}/${DEFAULT_COLLECTION_ID}/indicators/text`, body],
      [`${COLLECTIONS}/${DEFAULT_COLLECTION_ID}/indicators`, { indicators: [{ value: 'a.example' }] }],
    ]);
  });
});

describe('Sekoia emulator: JSON import', () => {
  it('creates 1 to 100 indicators at once, inferring their type, and answers each with its id', async () => {
    const response = await jsonImport({
      indicators: [
        { value: '198.51.100.7' },
        { value: 'http://evil.example/a' },
        { value: 'd41d8cd98f00b204e9800998ecf8427e' },
      ],
      default_fields: { description: 'from MISP', valid_until: '2027-01-01T00:00:00Z' },
    });
    expect(response.status).toBe(200);
    const answer = response.json<Page>();
    expect(answer.total).toBe(3);
    expect(answer.items.map((i) => [i.name, i.pattern])).toEqual([
      ['198.51.100.7', "[ipv4-addr:value = '198.51.100.7']"],
      ['http://evil.example/a', "[url:value = 'http://evil.example/a']"],
      ['d41d8cd98f00b204e9800998ecf8427e', "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']"],
    ]);
    expect(answer.items[0]).toMatchObject({
      id: expect.stringMatching(/^indicator--/),
      valid_until: '2027-01-01T00:00:00Z',
      revoked: false,
    });
    expect(sekoia.collection()).toMatchObject({ jsonImports: 1, importRequests: 1, valuesReceived: 3 });
    const again = await jsonImport({ indicators: [{ value: '198.51.100.7' }] });
    expect(again.json<Page>().items[0].id).toBe(answer.items[0].id);
  });

  it('400 for no indicator, more than 100, or an item without a value', async () => {
    expect((await jsonImport({ indicators: [] })).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => ({ value: `10.0.0.${i}` }));
    const tooMany = await jsonImport({ indicators: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json()).toEqual({ message: 'indicators holds 101 items; 1 to 100 per request' });
    expect((await jsonImport({ indicators: [{ val: 'x' }] })).status).toBe(400);
  });
});

describe('Sekoia emulator: list, revoke and edit indicators', () => {
  beforeEach(async () => {
    await push({ indicators: '198.51.100.1\n198.51.100.10\n198.51.100.100', format: 'ipv4-addr.value' });
  });

  it('lists by term (a substring of the pattern) with limit and offset', async () => {
    const page = (await list('term=198.51.100.1&limit=2&offset=0')).json<Page>();
    expect(page).toMatchObject({ total: 3, has_more: true });
    expect(page.items.map((i) => i.name)).toEqual(['198.51.100.1', '198.51.100.10']);
    const next = (await list('term=198.51.100.1&limit=2&offset=2')).json<Page>();
    expect(next).toMatchObject({ total: 3, has_more: false });
    expect((await list('term=198.51.100.10&limit=100')).json<Page>().total).toBe(2);
    expect((await list('limit=101')).status).toBe(400);
    expect((await list('offset=-1')).status).toBe(400);
  });

  it('revokes one (DELETE, 200 with revoked: true) and edits one (PUT); 404 for an unknown id', async () => {
    const [first] = (await list('term=198.51.100.100')).json<Page>().items;
    const url = `${collectionUrl()}/indicators/${first.id}`;
    const revoked = await send(url, { method: 'DELETE', headers: auth() });
    expect(revoked.status).toBe(200);
    expect(revoked.json()).toMatchObject({ id: first.id, revoked: true });
    const edited = await send(url, {
      method: 'PUT',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ valid_until: '2027-02-01T00:00:00Z', description: 'edited' }),
    });
    expect(edited.status).toBe(200);
    expect(edited.json()).toMatchObject({ valid_until: '2027-02-01T00:00:00Z', description: 'edited' });
    const badEdit = await send(url, {
      method: 'PUT',
      headers: auth(),
      body: JSON.stringify({ pattern: 'x' }),
    });
    expect(badEdit.status).toBe(400);
    expect(
      (await send(`${collectionUrl()}/indicators/indicator--nope`, { method: 'DELETE', headers: auth() }))
        .status,
    ).toBe(404);
    expect((await send(url, { method: 'DELETE', headers: auth('read-key') })).status).toBe(403);
  });
});

describe('Sekoia emulator: runtime endpoints', () => {
  const auth = { Authorization: 'Bearer rt-token' };

  it('stores events and logs sent with the runtime token, readable in-process and over HTTP', async () => {
    const event = { name: 'cycle', event: { pushed: 3 }, request_id: 'r1' };
    expect((await postJson(`${sekoia.url}/callback`, event, auth)).status).toBe(200);
    const logs = { logs: [{ date: '2025-01-01T00:00:00Z', level: 'info', message: 'hello' }] };
    expect((await postJson(`${sekoia.url}/logs`, logs, auth)).status).toBe(200);
    expect(sekoia.events()).toEqual([event]);
    expect(sekoia.logs()).toEqual(logs.logs);
    expect((await send(`${sekoia.url}/_emulator/events`)).json()).toEqual([event]);
    expect((await send(`${sekoia.url}/_emulator/logs`)).json()).toEqual(logs.logs);
    sekoia.clearReceived();
    expect(sekoia.events()).toEqual([]);
  });

  it('answers the configured secrets under "value"', async () => {
    const response = await send(`${sekoia.url}/secrets`, { headers: auth });
    expect(response.json()).toEqual({ value: { misp_api_key: 'from-secrets' } });
  });

  it('401 without the right Bearer token, 400 for a malformed body', async () => {
    expect(
      (await postJson(`${sekoia.url}/callback`, { name: 'x', event: {} }, { Authorization: 'Bearer wrong' }))
        .status,
    ).toBe(401);
    expect((await postJson(`${sekoia.url}/logs`, { logs: [] })).status).toBe(401);
    expect((await send(`${sekoia.url}/secrets`, { headers: { Authorization: 'rt-token' } })).status).toBe(
      401,
    );
    expect((await postJson(`${sekoia.url}/callback`, { event: {} }, auth)).status).toBe(400);
    expect((await postJson(`${sekoia.url}/logs`, { logs: 'x' }, auth)).status).toBe(400);
    expect(sekoia.events()).toEqual([]);
  });
});

describe('Sekoia emulator: what Sekoia.io documents about held values, revocation and the quota', () => {
  const DAY_MS = 86_400_000;
  let nowMs = Date.parse('2026-11-30T00:00:00Z');
  const indicatorUrl = (id: string) => `${collectionUrl()}/indicators/${id}`;
  // node:http sends a DELETE body only with its length given (no chunked encoding for DELETE).
  const remove = (id: string, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    return send(indicatorUrl(id), {
      method: 'DELETE',
      headers: {
        ...auth(),
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(text)),
      },
      body: text,
    });
  };
  const count = async () =>
    (await send(`${sekoia.url}${COLLECTIONS}/count-total-iocs`, { headers: auth('read-key') })).json<{
      count: number;
      max: number;
    }>();

  beforeEach(async () => {
    nowMs = Date.parse('2026-11-30T00:00:00Z');
    await sekoia.close();
    sekoia = await startSekoiaEmulator({
      apiKeys: { [KEY]: 'write-ioc', 'read-key': 'read-only' },
      now: () => nowMs,
    });
  });

  it('a re-import of a held value changes nothing: not its validity, its description, nor a revocation', async () => {
    await push({
      indicators: 'evil.example',
      format: 'domain-name.value',
      valid_until: '2026-12-10T00:00:00Z',
      description: 'first',
    });
    const [held] = (await list('limit=100')).json<Page>().items;
    expect((await remove(held.id)).status).toBe(200);
    nowMs += DAY_MS;
    await push({
      indicators: 'evil.example',
      format: 'domain-name.value',
      valid_until: '2027-06-01T00:00:00Z',
      description: 'second',
    });
    await jsonImport({
      indicators: [{ value: 'evil.example' }],
      default_fields: { valid_until: '2028-01-01T00:00:00Z' },
    });
    const [after] = sekoia.collection().indicators;
    expect(after).toMatchObject({
      id: held.id,
      validUntil: '2026-12-10T00:00:00Z',
      description: 'first',
      revoked: true,
      revokedAt: '2026-11-30T00:00:00Z',
    });
    expect(sekoia.collection()).toMatchObject({ duplicates: 2 });
  });

  it('PUT moves valid_until and the description; the 24 hours of a force deletion count from the revocation', async () => {
    await push({ indicators: '198.51.100.1', format: 'ipv4-addr.value' });
    const [held] = (await list('limit=100')).json<Page>().items;
    const edited = await send(indicatorUrl(held.id), {
      method: 'PUT',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ valid_until: '2027-03-01T00:00:00Z', description: 'moved' }),
    });
    expect(edited.json()).toMatchObject({ valid_until: '2027-03-01T00:00:00Z', description: 'moved' });

    const early = await remove(held.id, { force_deletion: true });
    expect(early.status).toBe(400);
    expect(early.json()).toEqual({
      message: 'only an indicator revoked for at least 24 hours can be deleted',
    });
    await remove(held.id);
    nowMs += DAY_MS - 1000;
    // An edit after the revocation does not restart the 24 hours.
    await send(indicatorUrl(held.id), {
      method: 'PUT',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ description: 'still revoked' }),
    });
    expect((await remove(held.id, { force_deletion: true })).status).toBe(400);
    nowMs += 1000;
    expect((await remove(held.id, { force_deletion: true })).status).toBe(200);
    expect(sekoia.collection().indicators).toEqual([]);
    // Deleted for good: the value can be imported again, as a new indicator.
    await push({ indicators: '198.51.100.1', format: 'ipv4-addr.value' });
    const [again] = sekoia.collection().indicators;
    expect(again).toMatchObject({ value: '198.51.100.1', revoked: false });
    expect(again.id).not.toBe(held.id);
  });

  it('count-total-iocs answers {count, max} over all collections, revoked indicators included', async () => {
    const other = 'ioc-collection--00000000-0000-4000-8000-000000000002';
    sekoia.addCollection(other);
    expect(await count()).toEqual({ count: 0, max: 500_000 });
    await push({ indicators: '198.51.100.1\n198.51.100.2', format: 'ipv4-addr.value' });
    await jsonImport({ indicators: [{ value: '198.51.100.3' }] }, KEY, other);
    const [first] = (await list('limit=1')).json<Page>().items;
    await remove(first.id);
    sekoia.settings.otherCommunityIocs = 10;
    expect(await count()).toEqual({ count: 13, max: 500_000 });
    expect(
      (await send(`${sekoia.url}${COLLECTIONS}/count-total-iocs`, { headers: auth('nope') })).status,
    ).toBe(401);
  });

  it('past the quota an import imports only what fits; the task outcome and the JSON answer say so', async () => {
    sekoia.settings.iocQuota = 3;
    await push({ indicators: '198.51.100.1', format: 'ipv4-addr.value' });
    const answer = await push({
      indicators: '198.51.100.1\n198.51.100.2\n198.51.100.3\n198.51.100.4\nnot-an-ip',
      format: 'ipv4-addr.value',
    });
    const taskId = answer.json<{ task_id: string }>().task_id;
    expect(sekoia.tasks()[1]).toEqual({
      task_id: taskId,
      collection: DEFAULT_COLLECTION_ID,
      imported: 3,
      total: 5,
      over_quota: 1,
      invalid: 1,
    });
    expect(sekoia.collection().indicators.map((i) => i.value)).toEqual([
      '198.51.100.1',
      '198.51.100.2',
      '198.51.100.3',
    ]);
    expect(await count()).toEqual({ count: 3, max: 3 });
    const json = await jsonImport({ indicators: [{ value: '198.51.100.3' }, { value: '198.51.100.5' }] });
    expect(json.json<Page>()).toMatchObject({ total: 1, items: [{ name: '198.51.100.3' }] });
    expect(sekoia.collection().overQuota).toBe(2);
    expect((await send(`${sekoia.url}/_emulator/tasks`)).json()).toHaveLength(2);
    // Room made: the next import lands.
    sekoia.settings.iocQuota = 4;
    await push({ indicators: '198.51.100.4', format: 'ipv4-addr.value' });
    expect(sekoia.tasks()[2]).toMatchObject({ imported: 1, total: 1, over_quota: 0 });
  });

  it('lists 100 a page at most, 20 by default, in creation order (newest first with the knob)', async () => {
    const values = Array.from({ length: 130 }, (_, i) => `10.0.${Math.floor(i / 200)}.${i}`);
    await push({ indicators: values.join('\n'), format: 'ipv4-addr.value' });
    expect((await list('')).json<Page>().items).toHaveLength(20);
    const first = (await list('limit=100&offset=0')).json<Page>();
    const second = (await list('limit=100&offset=100')).json<Page>();
    expect(first).toMatchObject({ total: 130, has_more: true });
    expect(second).toMatchObject({ total: 130, has_more: false });
    expect([...first.items, ...second.items].map((i) => i.name)).toEqual(values);
    sekoia.settings.listOrder = 'newest-first';
    const newest = (await list('limit=3&offset=1')).json<Page>();
    expect(newest.items.map((i) => i.name)).toEqual([values[128], values[127], values[126]]);
  });
});
