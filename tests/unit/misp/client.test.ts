import nock from 'nock';
import { AbortedError } from '../../../src/errors';
import { RetryNotice } from '../../../src/http/request';
import { createMispClient, MispClientOptions, MispHttpClient } from '../../../src/misp/client';
import { MispError } from '../../../src/misp/errors';
import { MispAttributeQuery, MispEventGroup } from '../../../src/misp/types';
import { caught, expectNoSecret, RecordingClock, TEST_POLICY } from './support';
import { useNockGuards } from '../../helpers/nock-guards';

const MISP = 'https://misp.test';
const KEY = 'MispKey0123456789abcdefghijklmnopqrstuvw';
const PATH = '/attributes/restSearch';
const EVENTS_PATH = '/events/restSearch';

const QUERY: MispAttributeQuery = {
  publishFrom: 1_700_000_000,
  publishTo: 1_700_086_400,
  types: ['ip-dst', 'domain', 'sha256'],
  enforceWarninglist: true,
  pageSize: 3,
};

function attribute(id: string | number, value = `10.0.0.${id}`): Record<string, unknown> {
  return {
    id,
    event_id: '1',
    type: 'ip-dst',
    value,
    to_ids: true,
    uuid: `uuid-${id}`,
    timestamp: '1700000000',
  };
}

function page(...attributes: unknown[]): { response: { Attribute: unknown[] } } {
  return { response: { Attribute: attributes } };
}

let clock: RecordingClock;
let notices: RetryNotice[];
let client: MispHttpClient;

function makeClient(overrides: Partial<MispClientOptions> = {}): MispHttpClient {
  client = createMispClient({
    baseUrl: MISP,
    apiKey: KEY,
    clock,
    retryPolicy: TEST_POLICY,
    random: () => 0,
    env: {},
    onRetry: (notice) => notices.push(notice),
    ...overrides,
  });
  // What MISP answers to the version read before a first window read (optional: not every test reads).
  const subPath = (overrides.baseUrl ?? MISP).replace(/\/+$/, '').slice(MISP.length);
  nock(MISP).get(`${subPath}/servers/getVersion`).optionally().reply(200, { version: '2.5.1' });
  return client;
}

async function collect(groups: AsyncIterable<MispEventGroup>): Promise<MispEventGroup[]> {
  const result: MispEventGroup[] = [];
  for await (const item of groups) result.push(item);
  return result;
}

/** One published event of three attributes, as events/restSearch lists it: its group is one request. */
const LISTING = {
  response: [
    {
      Event: {
        id: '1',
        uuid: 'event-1',
        published: true,
        publish_timestamp: '1700000100',
        timestamp: '1700000100',
        attribute_count: '3',
      },
    },
  ],
};

/**
 * Reads `query`'s window: MISP lists one event (answered here), then its attributes are asked
 * for in one request, answered as the test set it up on PATH.
 */
function readAll(
  query: MispAttributeQuery = QUERY,
  signal?: AbortSignal,
  base = '',
): Promise<MispEventGroup[]> {
  nock(MISP).post(`${base}${EVENTS_PATH}`).reply(200, LISTING);
  return collect(client.readWindow(query, {}, signal));
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

describe('attributes/restSearch: request', () => {
  it("sends the headers and the exact body: the listed event's attributes, one request", async () => {
    const bodies: unknown[] = [];
    const scope = nock(MISP)
      .matchHeader('authorization', KEY)
      .matchHeader('accept', 'application/json')
      .matchHeader('content-type', /^application\/json/)
      .post(PATH, (body) => bodies.push(body) > 0)
      .reply(200, page(attribute('1')));
    makeClient();
    const groups = await readAll({ ...QUERY, includeTags: ['tlp:white'], excludeTags: ['tlp:red'] });
    scope.done();
    expect(groups.map((g) => [g.page, g.attributes.length, g.events.map((e) => e.id)])).toEqual([
      [1, 1, ['1']],
    ]);
    expect(bodies).toEqual([
      {
        returnFormat: 'json',
        to_ids: 1,
        published: 1,
        publish_timestamp: [1_700_000_000, 1_700_086_400],
        type: ['ip-dst', 'domain', 'sha256'],
        enforceWarninglist: true,
        order: 'Attribute.id asc',
        limit: 4, // above the event's attribute_count: one answer holds all it matches
        page: 1,
        tags: { OR: ['tlp:white'], NOT: ['tlp:red'] },
        eventid: ['1'],
      },
    ]);
  });

  it('sends no tags key without tag filters, and only the half that is set', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const scope = nock(MISP)
      .post(PATH, (body) => bodies.push(body) > 0)
      .times(3)
      .reply(200, page());
    await readAll({ ...QUERY, enforceWarninglist: false });
    await readAll({ ...QUERY, includeTags: [], excludeTags: ['tlp:red'] });
    await readAll({ ...QUERY, includeTags: ['a'], excludeTags: [] });
    scope.done();
    expect('tags' in bodies[0]).toBe(false);
    expect(bodies[0].enforceWarninglist).toBe(false);
    expect(bodies[1].tags).toEqual({ NOT: ['tlp:red'] });
    expect(bodies[2].tags).toEqual({ OR: ['a'] });
  });

  it('keeps a sub-path of misp_url and ignores trailing slashes', async () => {
    const scope = nock(MISP)
      .post(`/misp${PATH}`)
      .reply(200, page(attribute('1')));
    makeClient({ baseUrl: `${MISP}/misp//` });
    expect((await readAll(QUERY, undefined, '/misp')).map((g) => g.attributes.length)).toEqual([1]);
    scope.done();
  });

  it('refuses a page size of 0 (unlimited to MISP) and an empty type list', async () => {
    await expect(readAll({ ...QUERY, pageSize: 0 })).rejects.toThrow(/pageSize/);
    await expect(readAll({ ...QUERY, types: [] })).rejects.toThrow(/types/);
  });
});

describe('attributes/restSearch: answers', () => {
  it('accepts string and numeric ids, and reads X-Skipped-Elements-Count', async () => {
    const scope = nock(MISP)
      .post(PATH)
      .reply(200, page(attribute(7), attribute('8')), { 'X-Skipped-Elements-Count': '0' });
    const groups = await readAll();
    scope.done();
    expect(groups.map((g) => g.warninglistSkipped)).toEqual([0]);
    expect(groups[0].attributes).toEqual([attribute(7), attribute('8')]);
    const skipped = nock(MISP)
      .post(PATH)
      .reply(200, page(attribute(9)), { 'X-Skipped-Elements-Count': '1' });
    expect((await readAll()).map((g) => g.warninglistSkipped)).toEqual([1]);
    skipped.done();
  });

  it('reads an answer the warninglists emptied (no attribute, elements skipped)', async () => {
    const scope = nock(MISP).post(PATH).reply(200, page(), { 'X-Skipped-Elements-Count': '1' });
    const groups = await readAll();
    scope.done();
    expect(groups.map((g) => [g.attributes.length, g.warninglistSkipped])).toEqual([[0, 1]]);
  });

  it.each([
    ['{"response": []} (older MISP)', { response: [] }],
    ['{"Attribute": []} (no wrapper)', { Attribute: [] }],
  ])('accepts %s as an empty answer', async (_name, body) => {
    const scope = nock(MISP).post(PATH).reply(200, body);
    expect((await readAll()).map((g) => g.attributes)).toEqual([[]]);
    scope.done();
  });

  it('fails with kind malformed, not retried, when response.Attribute is missing', async () => {
    const scope = nock(MISP)
      .post(PATH)
      .reply(200, { response: { Event: [] }, echo: KEY });
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error).toBeInstanceOf(MispError);
    expect(error.kind).toBe('malformed');
    expect(error.fatal).toBe(false);
    expect(error.message).toContain('JSON without a response.Attribute list: "{"response":{"Event":[]}');
    expect(error.message).toContain(`POST ${MISP}${PATH}`);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails at once on an HTML page answered with 200 (a login page in front of MISP)', async () => {
    const scope = nock(MISP).post(PATH).reply(200, '<html><body>Please log in</body></html>', {
      'Content-Type': 'text/html',
    });
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error.kind).toBe('malformed');
    expect(error.message).toContain('a body that is not JSON: "<html><body>Please log in</body></html>"');
    expect(clock.sleeps).toEqual([]);
  });

  it('retries truncated JSON with the policy, then fails with kind malformed', async () => {
    const scope = nock(MISP).post(PATH).times(3).reply(200, '{"response": {"Attribute": [{"id": "1"', {
      'Content-Type': 'application/json',
    });
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/invalid or truncated JSON .* \(3 attempts\)/);
    expect(clock.sleeps).toEqual([50, 100]);
    expect(notices.map((n) => n.error.code)).toEqual(['MALFORMED_ANSWER', 'MALFORMED_ANSWER']);
  });

  it('recovers when a truncated page is followed by a whole one', async () => {
    const scope = nock(MISP)
      .post(PATH)
      .reply(200, '{"response": {"Attri', { 'Content-Type': 'application/json' })
      .post(PATH)
      .reply(200, page(attribute('1')));
    const groups = await readAll();
    scope.done();
    expect(groups.map((g) => g.attributes.length)).toEqual([1]);
    expect(clock.sleeps).toEqual([50]);
  });
});

describe('attributes/restSearch: failures', () => {
  it('403: fatal auth error with the fix, without the key even when the server echoes it', async () => {
    const scope = nock(MISP)
      .post(PATH)
      .reply(403, {
        name: `Authentication failed. Please make sure you pass the API key ${KEY} of an API enabled user.`,
        message: `Authentication failed. Key ${KEY} refused.`,
        url: PATH,
      });
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error).toBeInstanceOf(MispError);
    expect(error).toMatchObject({ kind: 'auth', fatal: true, status: 403, code: 'MISP_AUTH' });
    expect(error.message).toBe(
      `MISP refused the API key (403 Authentication failed) for POST ${MISP}${PATH}: check misp_api_key in the ` +
        'account form: it must be the Authkey of a MISP user whose role has API access',
    );
    expect(error.apiMessage).toContain('Key *** refused');
    expect(clock.sleeps).toEqual([]);
  });

  it('429 with Retry-After waits as asked, then goes on', async () => {
    const scope = nock(MISP)
      .post(PATH)
      .reply(429, { message: 'Rate limit exceeded.' }, { 'Retry-After': '7' })
      .post(PATH)
      .reply(200, page(attribute('1')));
    expect((await readAll()).map((g) => g.attributes.length)).toEqual([1]);
    scope.done();
    expect(clock.sleeps).toEqual([7000]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ attempt: 1, attempts: 3, delayMs: 7000 });
  });

  it('429 every time: kind rate_limited after the attempts, not fatal', async () => {
    const scope = nock(MISP).post(PATH).times(3).reply(429, { message: 'Rate limit exceeded.' });
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error).toMatchObject({ kind: 'rate_limited', fatal: false, status: 429 });
    expect(error.message).toContain('after 3 attempts');
  });

  it('5xx retried with backoff, then kind server naming the status and where to look', async () => {
    const scope = nock(MISP).post(PATH).reply(500).post(PATH).reply(502).post(PATH).reply(503, 'down');
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error).toMatchObject({ kind: 'server', fatal: false, status: 503 });
    expect(error.message).toMatch(
      /^MISP answered 503 \(down\) for POST .* after 3 attempts: the MISP server is failing\. Check the MISP server/,
    );
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('a 5xx burst then success loses nothing', async () => {
    const scope = nock(MISP)
      .post(PATH)
      .reply(502)
      .post(PATH)
      .reply(503)
      .post(PATH)
      .reply(200, page(attribute('1')));
    const groups = await readAll();
    scope.done();
    expect(groups.map((g) => g.attributes)).toEqual([[attribute('1')]]);
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it('connection resets: retried, then kind unavailable with the cause and the URL', async () => {
    // nock 14 emits nothing for a plain-object error: an Error instance it must be.
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const scope = nock(MISP).post(PATH).times(3).replyWithError(reset);
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error).toMatchObject({ kind: 'unavailable', fatal: false, systemCode: 'ECONNRESET' });
    expect(error.message).toMatch(
      new RegExp(
        `^MISP could not be reached for POST ${MISP}${PATH} \\(ECONNRESET.*\\) after 3 attempts\\. Check that misp_url is right`,
      ),
    );
  });

  it('a page that does not come in time is cut by the read timeout, retried, then unavailable', async () => {
    makeClient({ timeouts: { readMs: 100 } });
    // The answer would take a minute; the deadline runs on the injected clock, moved past it as
    // soon as the request is in: nothing waits on a real timer.
    const scope = nock(MISP)
      .post(PATH)
      .times(3)
      .delay(60_000)
      .reply(() => {
        setImmediate(() => clock.advance(100));
        return [200, page()];
      });
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('did not answer in time');
    expect(error.message).toContain('within 100 ms');
    expect(clock.sleeps).toEqual([50, 100]);
  });

  it.each([
    [404, 'not_found', /check misp_url in the account form/],
    [405, 'rejected', /no API access/],
    [400, 'rejected', /attribute types and tag filters/],
    [301, 'rejected', /often https:\/\/ instead of http:\/\//],
  ])('%i: fatal kind %s with the fix, not retried', async (status, kind, fix) => {
    const scope = nock(MISP).post(PATH).reply(status, { message: 'nope' }, { Location: 'https://elsewhere' });
    const error = (await caught(() => readAll(), [KEY])) as MispError;
    scope.done();
    expect(error).toMatchObject({ kind, fatal: true, status });
    expect(error.message).toMatch(fix);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops with AbortedError when the run is stopped during a retry wait', async () => {
    const controller = new AbortController();
    const scope = nock(MISP).post(PATH).reply(503);
    clock.sleep = async () => {
      controller.abort();
      throw new AbortedError();
    };
    await expect(readAll(QUERY, controller.signal)).rejects.toBeInstanceOf(AbortedError);
    scope.done();
  });
});

describe('getVersion', () => {
  beforeEach(() => nock.cleanAll());

  it('reads the version', async () => {
    const scope = nock(MISP).matchHeader('authorization', KEY).get('/servers/getVersion').reply(200, {
      version: '2.5.1',
      pymisp_recommended_version: '2.5.1',
    });
    await expect(client.getVersion()).resolves.toBe('2.5.1');
    scope.done();
  });

  it('fails with kind malformed without a version, and auth on 403', async () => {
    const scope = nock(MISP)
      .get('/servers/getVersion')
      .reply(200, { nope: 1 })
      .get('/servers/getVersion')
      .reply(403);
    expect(await caught(() => client.getVersion(), [KEY])).toMatchObject({ kind: 'malformed' });
    expect(await caught(() => client.getVersion(), [KEY])).toMatchObject({ kind: 'auth', fatal: true });
    scope.done();
  });
});

describe('configuration', () => {
  it('refuses an empty key and a misp_url that is not a URL, naming the field', () => {
    expect(() => makeClient({ apiKey: ' ' })).toThrow(expect.objectContaining({ fields: ['misp_api_key'] }));
    expect(() => makeClient({ baseUrl: 'misp.example.com' })).toThrow(
      expect.objectContaining({ fields: ['misp_url'] }),
    );
    expect(() => makeClient({ baseUrl: 'ftp://misp.example.com' })).toThrow(/https:\/\/ or http:\/\//);
  });
});
