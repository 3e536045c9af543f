import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net, { AddressInfo, Socket } from 'node:net';
import { createMispClient, MispClientOptions, MispHttpClient } from '../../../src/misp/client';
import { MispError } from '../../../src/misp/errors';
import { createSekoiaClient, SekoiaClientOptions, SekoiaHttpClient } from '../../../src/sekoia/client';
import { normaliseConfiguration } from '../../../src/trigger/config';
import { realDependencies } from '../../../src/trigger/dependencies';
import { LoopbackProxy, startForwardProxy } from '../../helpers/proxy-server';
import {
  KeyAndCertificate,
  makeCertificateAuthority,
  makeServerCertificate,
} from '../../helpers/tls-certificates';
import { LoopbackHttpsServer, startHttpsServer } from '../../helpers/tls-server';
import { caught, RecordingClock, TEST_POLICY } from '../../unit/misp/support';
import {
  apiHandler,
  COLLECTION,
  LoopbackHttpServer,
  MISP_KEY,
  SeenRequest,
  SEKOIA_KEY,
  startHttpServer,
} from './loopback-apis';

const SECRETS = [MISP_KEY, SEKOIA_KEY];
const BATCH = { format: 'ipv4-addr.value' as const, values: ['198.51.100.7'] };

let api: LoopbackHttpServer;
let apiTls: LoopbackHttpsServer;
let ca: KeyAndCertificate;
let proxyA: LoopbackProxy;
let proxyB: LoopbackProxy;
const seen: SeenRequest[] = [];
const clients: Array<{ close(): void }> = [];

function misp(options: Partial<MispClientOptions>): MispHttpClient {
  const client = createMispClient({
    baseUrl: api.url,
    apiKey: MISP_KEY,
    env: {},
    clock: new RecordingClock(),
    retryPolicy: TEST_POLICY,
    random: () => 0,
    ...options,
  });
  clients.push(client);
  return client;
}

function sekoia(options: Partial<SekoiaClientOptions>): SekoiaHttpClient {
  const client = createSekoiaClient({
    server: api.url,
    collectionId: COLLECTION,
    apiKey: SEKOIA_KEY,
    env: {},
    clock: new RecordingClock(),
    retryPolicy: TEST_POLICY,
    random: () => 0,
    ...options,
  });
  clients.push(client);
  return client;
}

const localhostUrl = (url: string): string => url.replace('127.0.0.1', 'localhost');

let stateDir: string;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'proxy-test-'));
  ca = await makeCertificateAuthority('Proxy test CA');
  [api, apiTls, proxyA, proxyB] = await Promise.all([
    startHttpServer(apiHandler(seen)),
    makeServerCertificate(ca).then((identity) => startHttpsServer(identity, apiHandler(seen))),
    startForwardProxy(),
    startForwardProxy(),
  ]);
});
beforeEach(() => {
  proxyA.requests.length = 0;
  proxyB.requests.length = 0;
  seen.length = 0;
});
afterEach(() => clients.splice(0).forEach((client) => client.close()));
afterAll(async () => {
  rmSync(stateDir, { recursive: true, force: true });
  await Promise.all([api.close(), apiTls.close(), proxyA.close(), proxyB.close()]);
});

describe('plain HTTP through a forward proxy', () => {
  it("routes MISP through the account's http_proxy and sends Sekoia.io calls direct", async () => {
    const deps = await realDependencies()({
      settings: normaliseConfiguration(
        { misp_url: api.url, misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY, http_proxy: proxyA.url },
        {
          sekoia_region: 'FRA1 (app.sekoia.io)',
          reconcile_every_hours: 0,
          collection_check_every_hours: 24,
          revoke_withdrawn: false,
          ioc_collection_server: api.url,
          ioc_collection_uuid: COLLECTION,
          publish_timestamp: 1,
          sleep_time: 300,
          attribute_types: ['ip-dst'],
          enforce_warninglist: true,
        },
        { dryRun: false },
      ),
      clock: new RecordingClock(),
      dataPath: stateDir,
      storage: { backend: 'local' },
      namespace: 'default',
      env: {},
      onMispRetry: () => undefined,
      onSekoiaRetry: () => undefined,
    });
    try {
      await expect(deps.misp.getVersion()).resolves.toBe('2.5.1');
      await deps.sink.checkCollection();
      await expect(deps.sink.push(BATCH, {})).resolves.toEqual({ taskId: 'task-1' });
    } finally {
      await deps.close();
    }
    expect(proxyA.requests.map((r) => `${r.method} ${r.target}`)).toEqual([
      `GET ${api.url}/servers/getVersion`,
    ]);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /servers/getVersion',
      `GET /v2/inthreat/ioc-collections/${COLLECTION}`,
      `POST /v2/inthreat/ioc-collections/${COLLECTION}/indicators/text`,
    ]);
    expect(seen.every((request) => request.authorised)).toBe(true);
  });

  it('uses HTTP_PROXY from the environment when the account has none', async () => {
    await misp({ env: { HTTP_PROXY: proxyB.url } }).getVersion();
    await sekoia({ env: { http_proxy: proxyB.url } }).checkCollection();
    expect(proxyB.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it("the account's proxy wins over the environment's for MISP", async () => {
    await misp({ httpProxy: proxyA.url, env: { HTTP_PROXY: proxyB.url } }).getVersion();
    expect(proxyA.requests).toHaveLength(1);
    expect(proxyB.requests).toHaveLength(0);
  });

  it('NO_PROXY=127.0.0.1 bypasses the proxy for 127.0.0.1, not for localhost', async () => {
    const env = { HTTP_PROXY: proxyA.url, NO_PROXY: '127.0.0.1' };
    const direct = misp({ env });
    expect(direct.proxyUsed).toBeUndefined();
    await direct.getVersion();
    expect(proxyA.requests).toHaveLength(0);
    expect(seen).toHaveLength(1);

    await misp({ env, baseUrl: localhostUrl(api.url) }).getVersion();
    await sekoia({ env, server: localhostUrl(api.url) }).checkCollection();
    expect(proxyA.requests.map((r) => r.target)).toEqual([
      `${localhostUrl(api.url)}/servers/getVersion`,
      `${localhostUrl(api.url)}/v2/inthreat/ioc-collections/${COLLECTION}`,
    ]);
  });

  it('sends the proxy credentials, and never shows the password', async () => {
    const withUser = proxyA.url.replace('http://', 'http://squid:Pr0xyPassw0rd@');
    const client = misp({ httpProxy: withUser });
    await client.getVersion();
    expect(proxyA.requests[0].proxyAuthorization).toBe(
      `Basic ${Buffer.from('squid:Pr0xyPassw0rd').toString('base64')}`,
    );
    expect(client.proxyUsed).not.toContain('Pr0xyPassw0rd');
  });

  it('a proxy that is down: kind unavailable naming the proxy, not fatal', async () => {
    const closed = await startForwardProxy();
    await closed.close();
    const error = (await caught(() => misp({ httpProxy: closed.url }).getVersion(), SECRETS)) as MispError;
    expect(error).toMatchObject({ kind: 'unavailable', fatal: false, systemCode: 'ECONNREFUSED' });
    expect(error.message).toContain(`through the proxy ${closed.url}/`);
  });
});

describe('HTTPS through a CONNECT tunnel', () => {
  it("reaches an HTTPS MISP with the account's CA through https_proxy", async () => {
    const client = misp({ baseUrl: apiTls.url, caPem: ca.cert, httpsProxy: proxyA.url });
    await expect(client.getVersion()).resolves.toBe('2.5.1');
    const pages = [];
    for await (const page of client.readWindow({
      publishFrom: 1,
      publishTo: 2,
      types: ['ip-dst'],
      enforceWarninglist: true,
      pageSize: 10,
    })) {
      pages.push(page);
    }
    expect(pages).toHaveLength(1);
    // One tunnel, kept alive for the three requests.
    expect(proxyA.requests.map((r) => `${r.method} ${r.target}`)).toEqual([
      `CONNECT 127.0.0.1:${apiTls.port}`,
    ]);
    expect(seen.map((r) => r.path)).toEqual([
      '/servers/getVersion',
      '/events/restSearch',
      '/attributes/restSearch',
    ]);
  });

  it('uses HTTPS_PROXY from the environment, and still verifies the certificate end to end', async () => {
    const error = (await caught(
      () => misp({ baseUrl: apiTls.url, env: { HTTPS_PROXY: proxyB.url } }).getVersion(),
      SECRETS,
    )) as MispError;
    expect(proxyB.requests.map((r) => r.method)).toEqual(['CONNECT']);
    expect(error).toMatchObject({ kind: 'tls', fatal: true });
  });

  it('an HTTP proxy setting does not apply to HTTPS targets', async () => {
    await misp({ baseUrl: apiTls.url, caPem: ca.cert, httpProxy: proxyA.url }).getVersion();
    expect(proxyA.requests).toHaveLength(0);
  });

  it('a proxy that accepts the connection but never opens the tunnel: cut by the connect timeout', async () => {
    const silent = net.createServer((socket: Socket) => socket.on('error', () => undefined));
    const sockets: Socket[] = [];
    silent.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const client = misp({
        baseUrl: apiTls.url,
        caPem: ca.cert,
        httpsProxy: `http://127.0.0.1:${port}`,
        timeouts: { connectMs: 100, readMs: 10_000 },
      });
      const error = (await caught(() => client.getVersion(), SECRETS)) as MispError;
      expect(error).toMatchObject({ kind: 'unavailable', systemCode: 'ERR_SOCKET_CONNECTION_TIMEOUT' });
      expect(error.message).toContain('not established within 100 ms');
      expect(error.message).toContain('after 3 attempts');
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
