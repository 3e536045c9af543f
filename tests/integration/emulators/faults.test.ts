import { request } from 'node:http';
import { startMispEmulator, type MispEmulator } from '../../../tools/emulators/misp';
import {
  DEFAULT_COLLECTION_ID,
  startSekoiaEmulator,
  type SekoiaEmulator,
} from '../../../tools/emulators/sekoia';
import { postJson, send } from './http-client';
import { NOW, testEvents } from './misp-data';

let misp: MispEmulator;
let sekoia: SekoiaEmulator;

beforeEach(async () => {
  misp = await startMispEmulator({ events: testEvents(), now: () => NOW * 1000, seed: 42 });
  sekoia = await startSekoiaEmulator({ seed: 42, now: () => NOW * 1000 });
});
afterEach(async () => {
  await misp.close();
  await sekoia.close();
});

const version = () => send(`${misp.url}/servers/getVersion`, { headers: { Authorization: misp.apiKey } });
const search = () =>
  postJson(
    `${misp.url}/attributes/restSearch`,
    { returnFormat: 'json', to_ids: 1 },
    { Authorization: misp.apiKey },
  );
const readCollection = () =>
  send(`${sekoia.url}/v2/inthreat/ioc-collections/${DEFAULT_COLLECTION_ID}`, {
    headers: { Authorization: 'Bearer sekoia-emulator-api-key' },
  });

/** Resolves with the headers and first body bytes, or the transport error; `ended` says whether the body ended. */
function observe(
  url: string,
): Promise<{ status?: number; firstChunk?: string; error?: string; ended: Promise<string> }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { Authorization: misp.apiKey } }, (res) => {
      const ended = new Promise<string>((done) => {
        res.on('end', () => done('end'));
        res.on('aborted', () => done('aborted'));
        res.on('error', () => done('error'));
      });
      res.once('data', (chunk: Buffer) =>
        resolve({ status: res.statusCode, firstChunk: chunk.toString(), ended }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, ended: Promise.resolve('error') }),
    );
    req.end();
  });
}

describe('fault knobs (both emulators)', () => {
  it('fails the next N requests with a status, then answers normally, and counts them', async () => {
    misp.faults.failNext(2, { kind: 'status', status: 502 });
    expect((await version()).status).toBe(502);
    expect((await search()).status).toBe(502);
    expect((await version()).status).toBe(200);
    expect(misp.faults.counts()).toMatchObject({ status: 2, requests: 3 });
  });

  it('applies a rule to its route prefix only', async () => {
    sekoia.faults.set([
      {
        prefix: `/v2/inthreat/ioc-collections/${DEFAULT_COLLECTION_ID}/indicators`,
        failNext: { count: 5, fault: { kind: 'status', status: 500 } },
      },
    ]);
    expect((await readCollection()).status).toBe(200);
    const push = await postJson(
      `${sekoia.url}/v2/inthreat/ioc-collections/ioc-collection--00000000-0000-4000-8000-000000000001/indicators/text`,
      { indicators: '198.51.100.1', format: 'ipv4-addr.value' },
      { Authorization: 'Bearer sekoia-emulator-api-key' },
    );
    expect(push.status).toBe(500);
  });

  it('answers 429 with Retry-After in seconds or as an HTTP date', async () => {
    sekoia.faults.failNext(1, { kind: 'rate-limit', retryAfterSeconds: 7 });
    const seconds = await readCollection();
    expect(seconds.status).toBe(429);
    expect(seconds.headers['retry-after']).toBe('7');
    sekoia.faults.failNext(1, { kind: 'rate-limit', retryAfterSeconds: 30, retryAfterForm: 'http-date' });
    const date = await readCollection();
    expect(date.status).toBe(429);
    expect(date.headers['retry-after']).toBe(new Date((NOW + 30) * 1000).toUTCString());
    expect(sekoia.faults.counts()['rate-limit']).toBe(2);
  });

  it('drops the connection before answering', async () => {
    misp.faults.failNext(1, { kind: 'drop' });
    const seen = await observe(`${misp.url}/servers/getVersion`);
    expect(seen.error).toBe('ECONNRESET');
    expect(misp.faults.counts().drop).toBe(1);
  });

  it('sends a truncated JSON body', async () => {
    sekoia.faults.failNext(1, { kind: 'malformed' });
    const response = await readCollection();
    expect(response.status).toBe(200);
    expect(() => JSON.parse(response.text)).toThrow(SyntaxError);
    misp.faults.failNext(1, { kind: 'malformed' });
    const truncated = await search();
    expect(truncated.text.startsWith('{"response":{"Attribute":[')).toBe(true);
    expect(() => truncated.json()).toThrow(SyntaxError);
    expect((await search()).json()).toHaveProperty('response.Attribute');
    expect(misp.faults.counts().malformed).toBe(1);
  });

  it('hangs: headers and the start of a body, then nothing until the server closes', async () => {
    misp.faults.failNext(1, { kind: 'hang' });
    const seen = await observe(`${misp.url}/servers/getVersion`);
    expect(seen.status).toBe(200);
    expect(seen.firstChunk).toContain('{"response"');
    let settled = '';
    void seen.ended.then((how) => (settled = how));
    expect(await version()).toMatchObject({ status: 200 });
    expect(settled).toBe('');
    await misp.close();
    expect(await seen.ended).toBe('aborted');
    misp = await startMispEmulator({});
  });

  it('delays answers by a fixed latency or one drawn from a range', async () => {
    misp.faults.set([{ latencyMs: 60 }]);
    const started = Date.now();
    await version();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    misp.faults.set([{ latencyMs: [1, 5] }]);
    await version();
    expect(misp.faults.counts().delayed).toBe(2);
  });

  it('gives a share of requests a 5xx, the same ones for the same seed', async () => {
    const statuses = async (emulator: MispEmulator): Promise<number[]> => {
      emulator.faults.set([{ random: [{ rate: 0.5, fault: { kind: 'status', status: 503 } }] }], 7);
      const out: number[] = [];
      for (let i = 0; i < 30; i += 1)
        out.push(
          (await send(`${emulator.url}/servers/getVersion`, { headers: { Authorization: emulator.apiKey } }))
            .status,
        );
      return out;
    };
    const first = await statuses(misp);
    const other = await startMispEmulator({});
    try {
      expect(await statuses(other)).toEqual(first);
    } finally {
      await other.close();
    }
    const failures = first.filter((status) => status === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(25);
    expect(first.filter((status) => status !== 503).every((status) => status === 200)).toBe(true);
  });

  it('is set, read and cleared over HTTP; a bad rule is refused with the field named', async () => {
    const set = await postJson(`${sekoia.url}/_emulator/faults`, {
      rules: [{ prefix: '/v2', failNext: { count: 1, fault: { kind: 'status', status: 503 } } }],
    });
    expect(set.status).toBe(200);
    expect((await readCollection()).status).toBe(503);
    const read = await send(`${sekoia.url}/_emulator/faults`);
    expect(read.json()).toMatchObject({
      rules: [{ prefix: '/v2', failNext: { count: 0 } }],
      counts: { status: 1 },
    });
    const bad = await postJson(`${sekoia.url}/_emulator/faults`, {
      rules: [{ random: [{ rate: 2, fault: { kind: 'drop' } }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ message: 'rules[0].random[0].rate must be a share from 0 to 1' });
    expect((await send(`${sekoia.url}/_emulator/faults`, { method: 'DELETE' })).json()).toMatchObject({
      rules: [],
    });
    expect((await readCollection()).status).toBe(200);
  });
});
