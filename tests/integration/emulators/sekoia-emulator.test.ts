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

describe('Sekoia emulator: GET /v1/me', () => {
  it('200 for a known key, 401 for an unknown or missing one, 403 without the IOC permission', async () => {
    const ok = await send(`${sekoia.url}/v1/me`, { headers: { Authorization: `Bearer ${KEY}` } });
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ community_uuid: expect.any(String) });
    expect(
      (await send(`${sekoia.url}/api/v1/me`, { headers: { Authorization: `Bearer ${KEY}` } })).status,
    ).toBe(200);
    expect((await send(`${sekoia.url}/v1/me`, { headers: { Authorization: 'Bearer other' } })).status).toBe(
      401,
    );
    expect((await send(`${sekoia.url}/v1/me`, { headers: { Authorization: KEY } })).status).toBe(401);
    expect((await send(`${sekoia.url}/v1/me`)).status).toBe(401);
    expect(
      (await send(`${sekoia.url}/v1/me`, { headers: { Authorization: 'Bearer read-key' } })).status,
    ).toBe(403);
  });
});

describe('Sekoia emulator: IOC Collection text import', () => {
  it('stores indicators per collection, answers a task_id, ignores and counts duplicates', async () => {
    const first = await push({ indicators: '198.51.100.1\n198.51.100.2\n', format: 'ipv4-addr.value' });
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ task_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
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

  it('keys indicators by format and value', async () => {
    await push({ indicators: 'evil.example', format: 'domain-name.value' });
    await push({ indicators: 'http://evil.example/', format: 'url.value' });
    expect(sekoia.collection().indicators.map((i) => i.format)).toEqual(['domain-name.value', 'url.value']);
  });

  it('reports created/updated/ignored counts behind the reportCounts knob', async () => {
    sekoia.settings.reportCounts = true;
    await push({ indicators: 'a@b.example', format: 'email-addr.value' });
    const second = await push({ indicators: 'a@b.example\nc@d.example', format: 'email-addr.value' });
    expect(second.json()).toMatchObject({ created: 1, updated: 0, ignored: 1 });
  });

  it('401 for a bad key, 403 for a key without the permission, 404 for an unknown collection', async () => {
    const body = { indicators: '198.51.100.1', format: 'ipv4-addr.value' };
    expect((await push(body, 'nope')).status).toBe(401);
    expect((await push(body, 'read-key')).status).toBe(403);
    const missing = await push(body, KEY, importUrl('ioc-collection--00000000-0000-4000-8000-00000000ffff'));
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ message: expect.stringContaining('not found') });
    expect(sekoia.collection().importRequests).toBe(0);
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
    [
      'more than 1,000 lines',
      {
        indicators: Array.from({ length: 1001 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join('\n'),
        format: 'ipv4-addr.value',
      },
      '1001 lines',
    ],
    [
      'an invalid IPv4 line',
      { indicators: '198.51.100.1\n999.1.2.3', format: 'ipv4-addr.value' },
      'invalid indicator "999.1.2.3"',
    ],
    ['an IPv6 value as IPv4', { indicators: '2001:db8::1', format: 'ipv4-addr.value' }, 'invalid indicator'],
    ['a hash of the wrong length', { indicators: 'abc123', format: 'file.hashes' }, 'invalid indicator'],
    ['a bare IP as a URL', { indicators: '107.183.86', format: 'url.value' }, 'invalid indicator'],
  ])('400 with a message for %s', async (_label, body, fragment) => {
    const response = await push(body);
    expect(response.status).toBe(400);
    expect(response.json<{ message: string }>().message).toContain(fragment);
    expect(sekoia.collection().indicators).toEqual([]);
  });

  it('accepts valid kill_chain_phases, a 500-character description and exactly 1,000 lines', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `2001:db8::${i.toString(16)}`).join('\n');
    const response = await push({
      indicators: lines,
      format: 'ipv6-addr.value',
      description: 'd'.repeat(500),
      valid_from: '2025-01-01T00:00:00Z',
      kill_chain_phases: [{ kill_chain_name: 'lockheed-martin-cyber-kill-chain', phase_name: 'delivery' }],
    });
    expect(response.status).toBe(200);
    expect(sekoia.collection().indicators).toHaveLength(1000);
  });

  it('rejects a whole batch holding a value named by the rejectValues knob', async () => {
    sekoia.settings.rejectValues.add('bad.example');
    const response = await push({ indicators: 'good.example\nbad.example', format: 'domain-name.value' });
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({
      message: 'invalid indicator "bad.example" for format domain-name.value',
    });
    sekoia.settings.validateLines = false;
    sekoia.settings.rejectValues.clear();
    expect((await push({ indicators: 'not a domain', format: 'domain-name.value' })).status).toBe(200);
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
