import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retry';
import type { RetryNotice } from '../../../src/http/request';
import { createMispClient } from '../../../src/misp/client';
import { createSekoiaClient } from '../../../src/sekoia/client';
import { SLOWEST_REQUEST_SECONDS } from '../../../src/trigger/index';
import { FakeClock } from '../../helpers/fakes';
import { COLLECTION, LoopbackHttpServer, MISP_KEY, SEKOIA_KEY, startHttpServer } from './loopback-apis';

const ATTEMPTS = DEFAULT_RETRY_POLICY.attempts;

/**
 * Answers every request with `answer(n)` (n counts from 1) and counts them. The version read that
 * precedes a MISP client's first window read is answered (2.5.1) and not counted, unless
 * `versionToo`: then it is answered and counted as any request.
 */
async function countingServer(
  answer: (n: number, response: ServerResponse) => void,
  versionToo = false,
): Promise<LoopbackHttpServer & { requests: () => number }> {
  let count = 0;
  const server = await startHttpServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      if (!versionToo && request.url?.endsWith('/servers/getVersion')) {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"version": "2.5.1"}');
        return;
      }
      answer(++count, response);
    });
  });
  return { ...server, requests: () => count };
}

function unavailable(response: ServerResponse, retryAfter?: string): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (retryAfter) headers['Retry-After'] = retryAfter;
  response.writeHead(503, headers).end('{"message": "down"}');
}

/** 503 five times, then a 200 whose JSON is cut short (a dropped connection), again and again. */
function unavailableThenTruncated(n: number, response: ServerResponse): void {
  if (n % ATTEMPTS !== 0) return unavailable(response);
  response
    .writeHead(200, { 'Content-Type': 'application/json' })
    .end('{"response": {"Attribute": [{"id": "1"');
}

function mispClient(url: string, clock: FakeClock, notices: RetryNotice[]) {
  return createMispClient({
    baseUrl: url,
    apiKey: MISP_KEY,
    clock,
    env: {},
    random: () => 0,
    onRetry: (notice) => notices.push(notice),
  });
}

function sekoiaClient(url: string, clock: FakeClock, notices: RetryNotice[]) {
  return createSekoiaClient({
    server: url,
    collectionId: COLLECTION,
    apiKey: SEKOIA_KEY,
    clock,
    env: {},
    random: () => 0,
    onRetry: (notice) => notices.push(notice),
  });
}

const QUERY = { publishFrom: 1, publishTo: 2, types: ['ip-dst'], enforceWarninglist: true, pageSize: 10 };

async function firstPage(client: ReturnType<typeof mispClient>): Promise<void> {
  for await (const page of client.readWindow(QUERY)) void page;
}

let server: Awaited<ReturnType<typeof countingServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('one retry loop per request, its attempts counted right', () => {
  it(`MISP: a server always answering 503 gets ${ATTEMPTS} requests, and the message says ${ATTEMPTS} attempts`, async () => {
    server = await countingServer((_, response) => unavailable(response));
    const notices: RetryNotice[] = [];
    const client = mispClient(server.url, new FakeClock(), notices);
    await expect(firstPage(client)).rejects.toThrow(`after ${ATTEMPTS} attempts`);
    client.close();
    expect(server.requests()).toBe(ATTEMPTS);
    expect(notices.map((n) => `${n.attempt}/${n.attempts}`)).toEqual(['1/6', '2/6', '3/6', '4/6', '5/6']);
  });

  it('MISP down before its version was read: the version read is the one loop, the window read is not tried', async () => {
    server = await countingServer((_, response) => unavailable(response), true);
    const client = mispClient(server.url, new FakeClock(), []);
    await expect(firstPage(client)).rejects.toMatchObject({ kind: 'server' });
    client.close();
    expect(server.requests()).toBe(ATTEMPTS);
  });

  it('MISP: 503s ending in a body cut short are one loop too, not a loop of loops', async () => {
    server = await countingServer(unavailableThenTruncated);
    const notices: RetryNotice[] = [];
    const client = mispClient(server.url, new FakeClock(), notices);
    await expect(firstPage(client)).rejects.toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining(`(${ATTEMPTS} attempts)`),
    });
    client.close();
    expect(server.requests()).toBe(ATTEMPTS);
  });

  it(`Sekoia.io: a server always answering 503 gets ${ATTEMPTS} requests per batch`, async () => {
    server = await countingServer((_, response) => unavailable(response));
    const client = sekoiaClient(server.url, new FakeClock(), []);
    const batch = { format: 'ipv4-addr.value' as const, values: ['192.0.2.1'] };
    await expect(client.push(batch, {})).rejects.toThrow(`after ${ATTEMPTS} attempts`);
    client.close();
    expect(server.requests()).toBe(ATTEMPTS);
  });

  it('Sekoia.io: 503s ending in a proxy page are one loop too', async () => {
    server = await countingServer((n, response) =>
      n % ATTEMPTS === 0 ? response.writeHead(200).end('<html>proxy</html>') : unavailable(response),
    );
    const client = sekoiaClient(server.url, new FakeClock(), []);
    const batch = { format: 'ipv4-addr.value' as const, values: ['192.0.2.1'] };
    await expect(client.push(batch, {})).rejects.toThrow(`after ${ATTEMPTS} attempts`);
    client.close();
    expect(server.requests()).toBe(ATTEMPTS);
  });

  it('the heartbeat threshold covers the longest waits of one request (Retry-After at its cap)', async () => {
    server = await countingServer((_, response) => unavailable(response, '3600'));
    const clock = new FakeClock();
    const client = mispClient(server.url, clock, []);
    await expect(firstPage(client)).rejects.toThrow();
    client.close();
    const waitedSeconds = clock.sleeps.reduce((sum, ms) => sum + ms, 0) / 1000;
    // 5 waits of 120 s; the attempts themselves may take up to 6 x (15 s connect + 120 s read).
    expect(waitedSeconds).toBe(600);
    expect(waitedSeconds + ATTEMPTS * (15 + 120)).toBeLessThanOrEqual(SLOWEST_REQUEST_SECONDS);
  });
});
