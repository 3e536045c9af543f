import { createSekoiaClient, SekoiaHttpClient } from '../../../src/sekoia/client';
import { SekoiaError } from '../../../src/sekoia/errors';
import {
  DEFAULT_COLLECTION_ID,
  startSekoiaEmulator,
  type SekoiaEmulator,
} from '../../../tools/emulators/sekoia';
import { caught, RecordingClock, TEST_POLICY } from '../../unit/misp/support';

const KEY = 'indicators-test-key-0123456789';
let sekoia: SekoiaEmulator;
let client: SekoiaHttpClient;

function makeClient(collectionId = DEFAULT_COLLECTION_ID): SekoiaHttpClient {
  return createSekoiaClient({
    server: sekoia.url,
    collectionId,
    apiKey: KEY,
    env: {},
    clock: new RecordingClock(),
    retryPolicy: TEST_POLICY,
    random: () => 0,
  });
}

beforeEach(async () => {
  sekoia = await startSekoiaEmulator({ apiKeys: { [KEY]: 'write-ioc', 'view-key': 'read-only' } });
  client = makeClient();
});
afterEach(async () => {
  client.close();
  await sekoia.close();
});

describe('the IOC collection client against the emulated API', () => {
  it("accepts the text import's 202 {task_id}: queued, landing a moment later", async () => {
    sekoia.settings.importDelayMs = 60_000;
    const result = await client.push({ format: 'ipv4-addr.value', values: ['198.51.100.1'] }, {});
    expect(result).toEqual({ taskId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(sekoia.collection()).toMatchObject({ pendingTasks: 1, indicators: [] });
    sekoia.landPendingImports();
    expect(sekoia.collection().indicators.map((i) => i.value)).toEqual(['198.51.100.1']);
  });

  it('importIndicators: the JSON import answers each indicator with its id', async () => {
    const created = await client.importIndicators(['198.51.100.7', 'evil.example'], {
      validUntil: '2027-01-01T00:00:00Z',
      description: 'MISP event 12',
    });
    expect(created).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^indicator--/),
        value: '198.51.100.7',
        revoked: false,
      }),
      expect.objectContaining({
        value: 'evil.example',
        validUntil: '2027-01-01T00:00:00Z',
        description: 'MISP event 12',
      }),
    ]);
    await expect(client.importIndicators([], {})).rejects.toThrow(RangeError);
    await expect(client.importIndicators(Array(101).fill('10.0.0.1'), {})).rejects.toThrow(RangeError);
  });

  it('listIndicators keeps exact matches only, over several pages of 100', async () => {
    const values = ['198.51.100.1', ...Array.from({ length: 150 }, (_, i) => `198.51.100.1${i}`)];
    for (let start = 0; start < values.length; start += 100) {
      await client.importIndicators(values.slice(start, start + 100), {});
    }
    const found = await client.listIndicators('198.51.100.1');
    expect(found.map((i) => i.value)).toEqual(['198.51.100.1']);
    expect(await client.listIndicators('198.51.100.2')).toEqual([]);
    expect((await client.listIndicators('198.51.100.149')).map((i) => i.value)).toEqual(['198.51.100.149']);
  });

  it('revokeIndicator and editIndicator change one indicator; an unknown id answers undefined', async () => {
    const [indicator] = await client.importIndicators(['evil.example'], {});
    await expect(client.revokeIndicator(indicator.id)).resolves.toMatchObject({
      id: indicator.id,
      revoked: true,
    });
    await expect(
      client.editIndicator(indicator.id, { validUntil: '2027-03-01T00:00:00Z', description: 'edited' }),
    ).resolves.toMatchObject({ validUntil: '2027-03-01T00:00:00Z', description: 'edited' });
    expect((await client.listIndicators('evil.example'))[0]).toMatchObject({
      revoked: true,
      description: 'edited',
    });
    await expect(
      client.revokeIndicator('indicator--00000000-0000-4000-8000-000000000000'),
    ).resolves.toBeUndefined();
    await expect(
      client.editIndicator('indicator--00000000-0000-4000-8000-000000000000', {}),
    ).resolves.toBeUndefined();
    await expect(client.revokeIndicator('../x')).rejects.toThrow(RangeError);
  });

  it('checkCollection: 404 names the UUID and the region; a read-only key passes the check but cannot push', async () => {
    const unknown = makeClient('ioc-collection--00000000-0000-4000-8000-00000000ffff');
    try {
      const error = (await caught(() => unknown.checkCollection(), [KEY])) as SekoiaError;
      expect(error).toMatchObject({ kind: 'collection_not_found', fatal: true });
      expect(error.message).toContain(
        'ioc-collection--00000000-0000-4000-8000-00000000ffff not found in the Sekoia.io region',
      );
    } finally {
      unknown.close();
    }
    sekoia.settings.apiKeys.set(KEY, 'read-only');
    await expect(client.checkCollection()).resolves.toBeUndefined();
    const error = (await caught(
      () => client.push({ format: 'domain-name.value', values: ['a.example'] }, {}),
      [KEY],
    )) as SekoiaError;
    expect(error).toMatchObject({ kind: 'permission', fatal: true });
    expect(error.message).toContain('"Manage IOC collections" (to push)');
  });
});
