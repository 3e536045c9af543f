import { createMispClient, MispHttpClient } from '../../../src/misp/client';
import { MispError } from '../../../src/misp/errors';
import { createSekoiaClient } from '../../../src/sekoia/client';
import { SekoiaError } from '../../../src/sekoia/errors';
import {
  KeyAndCertificate,
  makeCertificateAuthority,
  makeServerCertificate,
} from '../../helpers/tls-certificates';
import { LoopbackHttpsServer, startHttpsServer } from '../../helpers/tls-server';
import { caught, RecordingClock, TEST_POLICY } from '../../unit/misp/support';
import { apiHandler, COLLECTION, MISP_KEY, SeenRequest, SEKOIA_KEY } from './loopback-apis';

const SECRETS = [MISP_KEY, SEKOIA_KEY];
const QUERY = { publishFrom: 1, publishTo: 2, types: ['ip-dst'], enforceWarninglist: true, pageSize: 10 };

let ca: KeyAndCertificate;
let otherCa: KeyAndCertificate;
let selfSigned: KeyAndCertificate;
let caSigned: LoopbackHttpsServer;
let selfSignedServer: LoopbackHttpsServer;
const seen: SeenRequest[] = [];
const clients: Array<{ close(): void }> = [];

function misp(baseUrl: string, caPem?: string): MispHttpClient {
  const client = createMispClient({
    baseUrl,
    apiKey: MISP_KEY,
    caPem,
    env: {},
    clock: new RecordingClock(),
    retryPolicy: TEST_POLICY,
    timeouts: { connectMs: 5000, readMs: 5000 },
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([
    makeCertificateAuthority('Test MISP CA'),
    makeCertificateAuthority('Other CA'),
  ]);
  selfSigned = await makeServerCertificate();
  caSigned = await startHttpsServer(await makeServerCertificate(ca), apiHandler(seen));
  selfSignedServer = await startHttpsServer(selfSigned, apiHandler(seen));
});
afterEach(() => clients.splice(0).forEach((client) => client.close()));
afterAll(async () => {
  await Promise.all([caSigned.close(), selfSignedServer.close()]);
});

describe('MISP over HTTPS with a private CA', () => {
  it('without misp_ca_certificate: a fatal tls error telling to set it, and no request reached MISP', async () => {
    const before = seen.length;
    const error = (await caught(() => misp(caSigned.url).getVersion(), SECRETS)) as MispError;
    expect(error).toBeInstanceOf(MispError);
    expect(error).toMatchObject({ kind: 'tls', fatal: true, code: 'MISP_TLS' });
    expect(error.message).toContain('set misp_ca_certificate in the account form to the PEM of the CA');
    expect(error.message).toContain(`GET ${caSigned.url}/servers/getVersion`);
    expect(error.systemCode).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
    expect(seen.length).toBe(before);
  });

  it('with the CA as misp_ca_certificate: version and pages come through', async () => {
    const client = misp(caSigned.url, ca.cert);
    await expect(client.getVersion()).resolves.toBe('2.5.1');
    const pages = [];
    for await (const page of client.readWindow(QUERY)) pages.push(page);
    expect(pages.map((page) => page.attributes.length)).toEqual([1]);
  });

  it('with another CA: the same clear tls error', async () => {
    const error = (await caught(() => misp(caSigned.url, otherCa.cert).getVersion(), SECRETS)) as MispError;
    expect(error).toMatchObject({ kind: 'tls', fatal: true });
    expect(error.message).toContain('set misp_ca_certificate');
  });

  it('a self-signed server certificate: refused without it, trusted when pasted as misp_ca_certificate', async () => {
    const refused = (await caught(() => misp(selfSignedServer.url).getVersion(), SECRETS)) as MispError;
    expect(refused).toMatchObject({ kind: 'tls', systemCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    await expect(misp(selfSignedServer.url, selfSigned.cert).getVersion()).resolves.toBe('2.5.1');
  });

  it('a certificate for another host name: tls error saying the name does not match', async () => {
    const identity = await makeServerCertificate(ca, { dns: ['misp.internal'], ips: [] });
    const server = await startHttpsServer(identity, apiHandler(seen));
    try {
      const error = (await caught(() => misp(server.url, ca.cert).getVersion(), SECRETS)) as MispError;
      expect(error).toMatchObject({ kind: 'tls', systemCode: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(error.message).toContain('the certificate does not name');
    } finally {
      await server.close();
    }
  });
});

describe('Sekoia.io over HTTPS', () => {
  it('an untrusted certificate is a fatal tls error, never a silent pass', async () => {
    const sekoia = createSekoiaClient({
      server: caSigned.url,
      collectionId: COLLECTION,
      apiKey: SEKOIA_KEY,
      env: {},
      clock: new RecordingClock(),
      retryPolicy: TEST_POLICY,
    });
    clients.push(sekoia);
    const error = (await caught(() => sekoia.checkCollection(), SECRETS)) as SekoiaError;
    expect(error).toBeInstanceOf(SekoiaError);
    expect(error).toMatchObject({ kind: 'tls', fatal: true });
  });
});
