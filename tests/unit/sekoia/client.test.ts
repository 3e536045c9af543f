import nock from 'nock';
import { RetryNotice } from '../../../src/http/request';
import { createSekoiaClient, SekoiaClientOptions, SekoiaHttpClient } from '../../../src/sekoia/client';
import { SekoiaError } from '../../../src/sekoia/errors';
import { IndicatorBatch, MAX_BATCH_LINES } from '../../../src/sekoia/types';
import { caught, expectNoSecret, RecordingClock, TEST_POLICY } from '../misp/support';
import { useNockGuards } from '../../helpers/nock-guards';

const SEKOIA = 'https://api.sekoia.test';
const KEY = 'SekoiaKey-0123456789-abcdefghijklmnopqrstuvw';
const COLLECTION = 'ioc-collection--6ba2a8c2-7c35-4b5b-9d8e-6a1c7d6e8f01';
const PUSH = `/v2/inthreat/ioc-collections/${COLLECTION}/indicators/text`;
const BATCH: IndicatorBatch = { format: 'ipv4-addr.value', values: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] };

let clock: RecordingClock;
let notices: RetryNotice[];
let client: SekoiaHttpClient;

function makeClient(overrides: Partial<SekoiaClientOptions> = {}): SekoiaHttpClient {
  client?.close();
  client = createSekoiaClient({
    server: SEKOIA,
    collectionId: COLLECTION,
    apiKey: KEY,
    clock,
    retryPolicy: TEST_POLICY,
    random: () => 0,
    env: {},
    onRetry: (notice) => notices.push(notice),
    ...overrides,
  });
  return client;
}

useNockGuards();
beforeEach(() => {
  clock = new RecordingClock();
  notices = [];
  makeClient();
});
afterEach(() => {
  client.close();
  for (const notice of notices) expectNoSecret(notice.error, [KEY]);
});

const COLLECTION_PATH = `/v2/inthreat/ioc-collections/${COLLECTION}`;

describe('checkCollection', () => {
  it('reads the collection (GET .../ioc-collections/{uuid}) with the Bearer key', async () => {
    const scope = nock(SEKOIA)
      .matchHeader('authorization', `Bearer ${KEY}`)
      .get(COLLECTION_PATH)
      .reply(200, { id: COLLECTION, name: 'MISP', created_by: 'u', modified_by: 'u' });
    await client.checkCollection();
    scope.done();
  });

  it('joins the /api prefix of app.* hosts', async () => {
    const scope = nock('https://app.fra2.sekoia.io').get(`/api${COLLECTION_PATH}`).reply(200, {});
    makeClient({ server: 'https://app.fra2.sekoia.io' });
    await client.checkCollection();
    scope.done();
  });

  it('401: fatal kind auth naming the key, the permissions and how to make one', async () => {
    const scope = nock(SEKOIA)
      .get(COLLECTION_PATH)
      .reply(401, { message: `Authentication failed ${KEY}` });
    const error = (await caught(() => client.checkCollection(), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toBeInstanceOf(SekoiaError);
    expect(error).toMatchObject({ kind: 'auth', fatal: true, status: 401, code: 'SEKOIA_AUTH' });
    expect(error.message).toBe(
      `Sekoia.io refused sekoia_api_key (401) for GET ${SEKOIA}${COLLECTION_PATH}: the key is missing, expired or ` +
        'invalid. Create a key in Settings > Workspace > API Keys of the community that holds the collection, ' +
        'with the permissions "View IOC collections" (to check the collection) and "Manage IOC collections" ' +
        '(to push), and paste it in sekoia_api_key of the account form',
    );
  });

  it('403: fatal kind permission naming the key and both permissions', async () => {
    const scope = nock(SEKOIA).get(COLLECTION_PATH).reply(403, { message: 'Insufficient permissions' });
    const error = (await caught(() => client.checkCollection(), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toMatchObject({ kind: 'permission', fatal: true });
    expect(error.message).toContain(
      `Sekoia.io refused GET ${SEKOIA}${COLLECTION_PATH} with 403 (Insufficient permissions): sekoia_api_key lacks ` +
        'the permissions "View IOC collections" (to check the collection) and "Manage IOC collections" (to push)',
    );
  });

  it('404: fatal kind collection_not_found naming the UUID and the region', async () => {
    const scope = nock('https://app.fra2.sekoia.io')
      .get(`/api${COLLECTION_PATH}`)
      .reply(404, { message: 'Unknown object' });
    makeClient({ server: 'https://app.fra2.sekoia.io' });
    const error = (await caught(() => client.checkCollection(), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toMatchObject({ kind: 'collection_not_found', fatal: true, status: 404 });
    expect(error.message).toMatch(
      new RegExp(
        `^IOC Collection ${COLLECTION} not found in the Sekoia.io region FRA2 \\(https://app.fra2.sekoia.io/api\\)`,
      ),
    );
  });
});

describe('push', () => {
  it('posts one value per line with the format, valid_until and description; returns the task id', async () => {
    let body: unknown;
    const scope = nock(SEKOIA)
      .matchHeader('authorization', `Bearer ${KEY}`)
      .matchHeader('content-type', /^application\/json/)
      .post(PUSH, (received) => {
        body = received;
        return true;
      })
      .reply(202, { task_id: 'task-1' });
    const result = await client.push(BATCH, {
      validUntil: '2026-12-01T00:00:00Z',
      description: 'd'.repeat(600),
    });
    scope.done();
    expect(result).toEqual({ taskId: 'task-1' });
    expect(body).toEqual({
      indicators: '10.0.0.1\n10.0.0.2\n10.0.0.3',
      format: 'ipv4-addr.value',
      valid_until: '2026-12-01T00:00:00Z',
      description: 'd'.repeat(500),
    });
  });

  it('sends neither valid_until nor description when not set; accepts 202 {task_id} and reads no counts', async () => {
    let body: Record<string, unknown> = {};
    const scope = nock(SEKOIA)
      .post(PUSH, (received) => {
        body = received;
        return true;
      })
      .reply(202, { task_id: 'task-2', created: 2, updated: 0, ignored: 1 });
    const result = await client.push({ format: 'file.hashes', values: ['a'.repeat(64)] }, {});
    scope.done();
    expect(Object.keys(body).sort()).toEqual(['format', 'indicators']);
    expect(result).toEqual({ taskId: 'task-2' });
  });

  it('counts a 2xx with no body, or a JSON object, as accepted', async () => {
    const scope = nock(SEKOIA).post(PUSH).reply(204).post(PUSH).reply(202, { status: 'queued' });
    await expect(client.push(BATCH, {})).resolves.toEqual({});
    await expect(client.push(BATCH, {})).resolves.toEqual({});
    scope.done();
  });

  it('does not count as accepted a 2xx whose body is not JSON (a proxy page, a body cut short): sends again', async () => {
    const scope = nock(SEKOIA)
      .post(PUSH)
      .reply(200, '<html>Proxy login</html>', { 'Content-Type': 'text/html' })
      .post(PUSH)
      .reply(200, '{"task_id": "tru')
      .post(PUSH)
      .reply(200, { task_id: 'task-3' });
    await expect(client.push(BATCH, {})).resolves.toEqual({ taskId: 'task-3' });
    expect(clock.sleeps).toHaveLength(2);
    scope.done();
  });

  it('after every attempt answered with something else than JSON: unavailable, not fatal, naming what came', async () => {
    const scope = nock(SEKOIA).post(PUSH).times(3).reply(200, '<html>Proxy login</html>');
    const error = (await caught(() => client.push(BATCH, {}), [KEY])) as SekoiaError;
    expect(error).toMatchObject({ kind: 'unavailable', fatal: false, status: 200 });
    expect(error.message).toContain('not with its JSON (got "<html>Proxy login</html>") after 3 attempts');
    expect(error.message).toContain('the batch is not counted as pushed');
    scope.done();
  });

  it('refuses, as a programming error, a batch over MAX_BATCH_LINES, empty, or with a line break', async () => {
    const many = Array.from({ length: MAX_BATCH_LINES + 1 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    await expect(client.push({ format: 'ipv4-addr.value', values: many }, {})).rejects.toThrow(RangeError);
    await expect(client.push({ format: 'ipv4-addr.value', values: [] }, {})).rejects.toThrow(RangeError);
    await expect(client.push({ format: 'url.value', values: ['http://a\nhttp://b'] }, {})).rejects.toThrow(
      /line break/,
    );
    for (const value of ['http://a\rhttp://b', '  ', '']) {
      await expect(client.push({ format: 'url.value', values: ['http://c', value] }, {})).rejects.toThrow(
        /empty or holds a line break/,
      );
    }
  });

  it('takes exactly MAX_BATCH_LINES values', async () => {
    const scope = nock(SEKOIA).post(PUSH).reply(200, { task_id: 't' });
    const values = Array.from({ length: MAX_BATCH_LINES }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    await expect(client.push({ format: 'ipv4-addr.value', values }, {})).resolves.toEqual({ taskId: 't' });
    scope.done();
  });

  it('401 and 403: fatal, not retried', async () => {
    const scope = nock(SEKOIA).post(PUSH).reply(401).post(PUSH).reply(403);
    expect(await caught(() => client.push(BATCH, {}), [KEY])).toMatchObject({ kind: 'auth', fatal: true });
    expect(await caught(() => client.push(BATCH, {}), [KEY])).toMatchObject({
      kind: 'permission',
      fatal: true,
    });
    scope.done();
    expect(clock.sleeps).toEqual([]);
  });

  it('404: fatal kind collection_not_found naming the UUID, the server and what to check', async () => {
    const scope = nock(SEKOIA).post(PUSH).reply(404, { message: 'Not found' });
    const error = (await caught(() => client.push(BATCH, {}), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toMatchObject({ kind: 'collection_not_found', fatal: true, status: 404 });
    expect(error.message).toBe(
      `IOC Collection ${COLLECTION} not found in the Sekoia.io region api.sekoia.test (${SEKOIA}): check ` +
        'ioc_collection_uuid in the trigger configuration, and sekoia_region (or ioc_collection_server when set): ' +
        'it must be the region where the collection was created (FRA1 is https://api.sekoia.io, FRA2 ' +
        "https://app.fra2.sekoia.io/api); the API key must belong to the collection's community",
    );
  });

  it("400: kind rejected (not fatal) with the API's message, key redacted", async () => {
    const scope = nock(SEKOIA)
      .post(PUSH)
      .reply(400, { message: `Invalid format for key ${KEY}: expected ipv4-addr.value` });
    const error = (await caught(() => client.push(BATCH, {}), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toMatchObject({ kind: 'rejected', fatal: false, status: 400 });
    expect(error.apiMessage).toBe('Invalid format for key ***: expected ipv4-addr.value');
    expect(error.message).toBe(
      `Sekoia.io rejected POST ${SEKOIA}${PUSH} with 400 (Invalid format for key ***: expected ipv4-addr.value)`,
    );
    expect(clock.sleeps).toEqual([]);
  });

  it('429 with Retry-After in seconds waits that long, then succeeds', async () => {
    const scope = nock(SEKOIA)
      .post(PUSH)
      .reply(429, {}, { 'Retry-After': '12' })
      .post(PUSH)
      .reply(200, { task_id: 't' });
    await expect(client.push(BATCH, {})).resolves.toEqual({ taskId: 't' });
    scope.done();
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('429 with Retry-After as an HTTP date waits until then, capped', async () => {
    const in30s = new Date(clock.now() + 30_000).toUTCString();
    const nextYear = new Date(clock.now() + 365 * 86_400_000).toUTCString();
    const scope = nock(SEKOIA)
      .post(PUSH)
      .reply(429, {}, { 'Retry-After': in30s })
      .post(PUSH)
      .reply(429, {}, { 'Retry-After': nextYear })
      .post(PUSH)
      .reply(200, { task_id: 't' });
    await expect(client.push(BATCH, {})).resolves.toEqual({ taskId: 't' });
    scope.done();
    expect(clock.sleeps).toEqual([30_000, TEST_POLICY.retryAfterCapMs]);
  });

  it('a 5xx burst then success', async () => {
    const scope = nock(SEKOIA)
      .post(PUSH)
      .reply(500)
      .post(PUSH)
      .reply(502)
      .post(PUSH)
      .reply(200, { task_id: 't' });
    await expect(client.push(BATCH, {})).resolves.toEqual({ taskId: 't' });
    scope.done();
    expect(clock.sleeps).toEqual([50, 100]);
    expect(notices.map((n) => [n.attempt, n.delayMs])).toEqual([
      [1, 50],
      [2, 100],
    ]);
  });

  it('5xx every time: kind unavailable (not fatal) after the attempts', async () => {
    const scope = nock(SEKOIA).post(PUSH).times(3).reply(503, { message: 'maintenance' });
    const error = (await caught(() => client.push(BATCH, {}), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toMatchObject({ kind: 'unavailable', fatal: false, status: 503 });
    expect(error.message).toMatch(/answered 503 \(maintenance\) for POST .* after 3 attempts$/);
  });

  it('connection resets are retried', async () => {
    // nock 14 emits nothing for a plain-object error: an Error instance it must be.
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const scope = nock(SEKOIA).post(PUSH).replyWithError(reset).post(PUSH).reply(200, { task_id: 't' });
    await expect(client.push(BATCH, {})).resolves.toEqual({ taskId: 't' });
    scope.done();
    expect(notices[0].error).toMatchObject({ systemCode: 'ECONNRESET' });
  });

  it('connection resets every time: kind unavailable with the system code', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const scope = nock(SEKOIA).post(PUSH).times(3).replyWithError(reset);
    const error = (await caught(() => client.push(BATCH, {}), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toMatchObject({ kind: 'unavailable', systemCode: 'ECONNRESET' });
    expect(error.message).toContain('could not be reached');
  });

  it('read timeouts are retried, then kind unavailable', async () => {
    makeClient({ timeouts: { readMs: 100 } });
    // A minute-long answer, cut by the deadline on the injected clock: no real timer waited on.
    const scope = nock(SEKOIA)
      .post(PUSH)
      .times(3)
      .delay(60_000)
      .reply(() => {
        setImmediate(() => clock.advance(100));
        return [200, { task_id: 't' }];
      });
    const error = (await caught(() => client.push(BATCH, {}), [KEY])) as SekoiaError;
    scope.done();
    expect(error).toMatchObject({ kind: 'unavailable', fatal: false });
    expect(error.message).toContain('did not answer in time');
    expect(clock.sleeps).toEqual([50, 100]);
  });
});

describe('configuration', () => {
  it('refuses an empty key and a collection id that cannot be one, naming the field', () => {
    expect(() => makeClient({ apiKey: '' })).toThrow(expect.objectContaining({ fields: ['sekoia_api_key'] }));
    expect(() => makeClient({ collectionId: '../../v1/me' })).toThrow(
      expect.objectContaining({ fields: ['ioc_collection_uuid'] }),
    );
  });
});
