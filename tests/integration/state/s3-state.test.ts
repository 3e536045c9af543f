import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StateError, StateOutageError } from '../../../src/state/errors';
import { MAX_DELTAS } from '../../../src/state/s3/manifest';
import { openS3TriggerState, S3StateOptions, S3TriggerState } from '../../../src/state/s3';
import { S3_TEST_BUCKET, TestS3Server } from '../../../tools/s3/server';
import {
  KeyAndCertificate,
  makeCertificateAuthority,
  makeServerCertificate,
} from '../../helpers/tls-certificates';
import { FakeClock, NAMESPACE } from '../../unit/state/helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TTL = 30 * DAY;

function keys(count: number, prefix = 'ipv4-addr.value|10.'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
}

describe('S3TriggerState against an S3-protocol server on loopback', () => {
  let server: TestS3Server;
  let clock: FakeClock;
  const folders: string[] = [];
  const opened: S3TriggerState[] = [];

  /** Opens the state with an empty local folder each time, as a new container would. */
  async function open(fields: Partial<S3StateOptions> = {}): Promise<S3TriggerState> {
    const localPath = mkdtempSync(path.join(os.tmpdir(), 's3-local-'));
    folders.push(localPath);
    const state = await openS3TriggerState({
      storage: server.storage(),
      localPath,
      namespace: NAMESPACE,
      clock,
      tuning: { maxAttempts: 1, connectTimeoutMs: 2000 },
      ...fields,
    });
    opened.push(state);
    return state;
  }

  async function openFails(fields: Partial<S3StateOptions>): Promise<StateError> {
    const error = await open(fields).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StateError);
    return error as StateError;
  }

  beforeEach(async () => {
    server = await new TestS3Server().start();
    clock = new FakeClock();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((state) => state.close().catch(() => undefined)));
    await server.dispose();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('a second process with an empty local folder finds what the first pushed, and its cursor', async () => {
    const first = await open();
    expect(await first.getCursor()).toBeUndefined();
    await first.markPushed(keys(1500), TTL);
    await first.setCursor(clock.now());
    await first.save();
    await first.close();

    const second = await open();
    expect(await second.getCursor()).toBe(clock.now());
    expect(await second.filterUnpushed([...keys(1502)].reverse().slice(0, 3))).toEqual([
      keys(1502)[1501],
      keys(1502)[1500],
    ]);
    expect(await second.filterUnpushed(keys(1500))).toEqual([]);
  });

  it("keeps the reconciliation's marks in the manifest: a new container does not sweep again at once", async () => {
    const first = await open();
    await first.setSweepMarks({ lastSweepAtMs: clock.now(), lastAttemptAtMs: clock.now(), originMs: 5 });
    const uploadsBefore = first.totals.uploads;
    await first.save();
    expect(first.totals.uploads).toBe(uploadsBefore + 1);
    await first.save();
    expect(first.totals.uploads).toBe(uploadsBefore + 1);
    await first.close();
    const second = await open();
    expect(await second.getSweepMarks()).toEqual({
      lastSweepAtMs: clock.now(),
      lastAttemptAtMs: clock.now(),
      originMs: 5,
    });
  });

  it('keeps the revocations in the manifest: after a restore, a revoked value flagged again still waits for its deletion', async () => {
    const first = await open();
    await first.setRevocations(new Map([['ipv4-addr.value|198.51.100.23', clock.now()]]));
    await first.save();
    await first.close();
    const second = await open();
    expect(await second.getRevocations()).toEqual(new Map([['ipv4-addr.value|198.51.100.23', clock.now()]]));
    await second.setRevocations(new Map());
    await second.close();
    const third = await open();
    expect(await third.getRevocations()).toEqual(new Map());
    await third.close();
  });

  /** Every reconciliation read of `state`: the lapse times of `asked`, every record listed, the revocations. */
  async function reconciliationReads(state: S3TriggerState, asked: string[]) {
    const records = [];
    for (let after = ''; ;) {
      const page = await state.listPushedRecords(after, 7);
      records.push(...page);
      if (page.length < 7) break;
      after = page[page.length - 1].key;
    }
    return {
      lapses: await state.readLapseTimes(asked),
      records,
      revocations: await state.getRevocations(),
      unpushed: await state.filterUnpushed(asked),
    };
  }

  /** A few batches as the trigger records them: validity, sources (some with their publish time), a revocation. */
  async function pushWithRecords(state: S3TriggerState, prefix: string): Promise<string[]> {
    const batch = keys(20, prefix);
    await state.markPushed(batch.slice(0, 10), TTL, {
      validUntilMs: clock.now() + 90 * DAY,
      publishedAfterMs: clock.now() - DAY,
      sources: batch.slice(0, 10).map((_, i) =>
        i % 3 === 0
          ? undefined
          : {
              attributeUuid: `uuid-${prefix}${i}`,
              eventId: String(i),
              publishedAtMs: clock.now() - i * HOUR,
            },
      ),
    });
    clock.advance(60_000);
    await state.markPushed(batch.slice(10), HOUR, {
      validUntilMs: clock.now() + 2 * HOUR,
      publishedAfterMs: clock.now() - 2 * DAY,
      sources: batch.slice(10).map((_, i) => ({ attributeUuid: `uuid-${prefix}1${i}`, eventId: '42' })),
    });
    // Pushed again later, without a source: the source known before stays, validity moves.
    await state.markPushed([batch[1]], TTL, {
      validUntilMs: clock.now() + 120 * DAY,
      publishedAfterMs: clock.now(),
    });
    await state.forgetPushed([batch[4], batch[15]]);
    await state.setRevocations(new Map([[batch[4], clock.now()]]));
    return batch;
  }

  it.each([
    ['deltas', false],
    ['a base copy', true],
  ])(
    'a restore from %s into a fresh local folder answers every reconciliation read as before the restart',
    async (_, compact) => {
      const first = await open();
      const batch = await pushWithRecords(first, 'ipv4-addr.value|192.');
      const legacy = keys(3, 'ipv4-addr.value|172.');
      await first.markPushed(legacy, TTL);
      await first.save();
      // Past the dedupe expiry of the second batch, before its lapse in Sekoia.io: still read by the sweep.
      clock.advance(HOUR + 60_000);
      if (compact) {
        // The first save wrote one delta: MAX_DELTAS more make the base copy.
        for (let i = 0; i < MAX_DELTAS; i++) {
          await first.markPushed([`url.value|http://example.com/${i}`], TTL);
          await first.save();
        }
        expect(first.savedManifest.deltas).toEqual([]);
      }
      const asked = [...batch, ...legacy, 'ipv4-addr.value|203.0.113.1'];
      const before = await reconciliationReads(first, asked);
      expect(before.records.find((record) => record.key === batch[2])).toEqual({
        key: batch[2],
        lapsesAtMs: expect.any(Number),
        publishedAfterMs: expect.any(Number),
        attributeUuid: 'uuid-ipv4-addr.value|192.2',
        eventId: '2',
      });
      expect(before.lapses.has(batch[12])).toBe(true);
      expect(before.lapses.has(batch[4])).toBe(false);
      await first.close();

      const second = await open();
      expect(await reconciliationReads(second, asked)).toEqual(before);
    },
  );

  it('a state saved by 1.1 (keys and expiries only) restores as it did: records of unknown source and validity', async () => {
    const first = await open();
    await first.markPushed(['ipv4-addr.value|198.51.100.7'], TTL);
    await first.save();
    await first.close();
    const second = await open();
    expect(await second.listPushedRecords('', 10)).toEqual([
      { key: 'ipv4-addr.value|198.51.100.7', lapsesAtMs: clock.now() + TTL, publishedAfterMs: 0 },
    ]);
  });

  it('a quiet cycle uploads nothing; a cycle of 300 IOCs uploads a few kB, whatever the state holds', async () => {
    const state = await open();
    await state.markPushed(keys(200_000), TTL);
    await state.setCursor(clock.now());
    await state.save();
    const stored = (state.savedManifest.base?.bytes ?? 0) + state.savedManifest.deltaBytes;

    let from = server.writes.length;
    clock.advance(300_000);
    await state.setCursor(clock.now());
    await state.save();
    expect(server.writes.slice(from)).toEqual([]);

    from = server.writes.length;
    // With their records, as the trigger marks them: random attribute uuids, a few events.
    await state.markPushed(keys(300, 'domain-name.value|new-'), TTL, {
      validUntilMs: clock.now() + TTL,
      publishedAfterMs: clock.now() - DAY,
      sources: keys(300).map((_, i) => ({
        attributeUuid: randomUUID(),
        eventId: String(1000 + (i >> 6)),
        publishedAtMs: clock.now() - (i >> 6) * HOUR,
      })),
    });
    await state.setCursor(clock.now());
    await state.save();
    const written = server.bytesWrittenSince(from);
    expect(server.writes.slice(from).map((write) => path.basename(write.key))).toEqual([
      expect.stringMatching(/^delta-/),
      'manifest.json',
    ]);
    expect(written).toBeLessThan(10 * 1024);
    expect(stored).toBeGreaterThan(50 * written);
  });

  it('saves a moved cursor alone at most once an hour', async () => {
    const state = await open();
    await state.markPushed(keys(10), TTL);
    await state.save();
    const from = server.writes.length;
    clock.advance(HOUR - 1);
    await state.setCursor(clock.now());
    await state.save();
    expect(server.writes.length).toBe(from);
    clock.advance(1);
    await state.save();
    expect(server.writes.slice(from).map((write) => path.basename(write.key))).toEqual(['manifest.json']);
    await state.close();
    expect(await (await open()).getCursor()).toBe(clock.now() - 1);
  });

  it('compacts the deltas into a new base copy and deletes the old objects; a restore reads it right', async () => {
    const state = await open();
    for (let i = 0; i < MAX_DELTAS + 1; i++) {
      await state.markPushed([`url.value|http://example.com/${i}`], TTL);
      await state.save();
    }
    expect(state.savedManifest.deltas).toEqual([]);
    expect(state.savedManifest.base?.keys).toBe(MAX_DELTAS + 1);
    expect(server.deletes.length).toBeGreaterThanOrEqual(MAX_DELTAS - 1);
    await state.close();
    const again = await open();
    const all = Array.from({ length: MAX_DELTAS + 1 }, (_, i) => `url.value|http://example.com/${i}`);
    expect(await again.filterUnpushed([...all, 'url.value|http://example.com/never'])).toEqual([
      'url.value|http://example.com/never',
    ]);
  });

  it('keeps expiries: a record expired by the time of the restore is not restored', async () => {
    const state = await open();
    await state.markPushed(['ipv4-addr.value|1.1.1.1'], HOUR);
    await state.markPushed(['ipv4-addr.value|2.2.2.2'], 3 * HOUR);
    await state.close();
    clock.advance(2 * HOUR);
    const again = await open();
    expect(await again.filterUnpushed(['ipv4-addr.value|1.1.1.1', 'ipv4-addr.value|2.2.2.2'])).toEqual([
      'ipv4-addr.value|1.1.1.1',
    ]);
  });

  it('marks not saved yet are lost by a crash, and only they: the saved manifest names whole objects', async () => {
    const state = await open();
    await state.markPushed(['ipv4-addr.value|1.1.1.1'], TTL);
    await state.save();
    await state.markPushed(['ipv4-addr.value|2.2.2.2'], TTL);
    // No save, no close: the process dies here.
    opened.splice(opened.indexOf(state), 1);
    const again = await open();
    expect(await again.filterUnpushed(['ipv4-addr.value|1.1.1.1', 'ipv4-addr.value|2.2.2.2'])).toEqual([
      'ipv4-addr.value|2.2.2.2',
    ]);
  });

  it('a save while S3 is down fails with a non-fatal error; the next save sends the same changes', async () => {
    const state = await open();
    await state.markPushed(['ipv4-addr.value|1.1.1.1'], TTL);
    await server.stop();
    const error = await state.save().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StateError);
    expect((error as StateError).fatal).toBe(false);
    expect((error as StateError).message).toMatch(/next cycle saves it again/);
    await server.start();
    await state.save();
    await state.close();
    expect(await (await open()).filterUnpushed(['ipv4-addr.value|1.1.1.1'])).toEqual([]);
  });

  it('a missing bucket is one fatal error naming aws_bucket_name', async () => {
    const error = await openFails({ storage: server.storage({ bucket: 'no-such-bucket' }) });
    expect(error.fatal).toBe(true);
    expect(error.message).toMatch(/aws_bucket_name \("no-such-bucket"\)/);
  });

  it('refused credentials are one fatal error naming aws_access_key_id and aws_secret_access_key', async () => {
    const error = await openFails({ storage: server.storage({ accessKeyId: 'WRONG-KEY-ID' }) });
    expect(error.fatal).toBe(true);
    expect(error.message).toMatch(/aws_access_key_id and aws_secret_access_key/);
  });

  it('an endpoint down at start-up is an outage, not fatal: the trigger tries again (and the message names aws_s3_endpoint_url)', async () => {
    await server.stop();
    const error = await openFails({});
    expect(error).toBeInstanceOf(StateOutageError);
    expect(error.fatal).toBe(false);
    expect(error.message).toMatch(/could not be reached: check aws_s3_endpoint_url.* it tries again in 60 s/);
  });

  it('a manifest it did not write is fatal and says which folder to delete', async () => {
    const state = await open();
    await state.markPushed(['ipv4-addr.value|1.1.1.1'], TTL);
    await state.close();
    const manifest = server.writes.find((write) => write.key.endsWith('manifest.json'))?.key as string;
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await client.send(new PutObjectCommand({ Bucket: S3_TEST_BUCKET, Key: manifest, Body: 'not json' }));
    client.destroy();
    const error = await openFails({});
    expect(error.fatal).toBe(true);
    expect(error.message).toMatch(/Delete the folder s3:\/\/symphony-state\/misp-ids-to-ioc.state\//);
  });

  it('keeps each namespace and sub_folder apart', async () => {
    const state = await open({ storage: server.storage({ prefix: 'sub/folder' }) });
    await state.markPushed(['ipv4-addr.value|1.1.1.1'], TTL);
    await state.close();
    expect(server.writes.map((write) => write.key)).toContainEqual(
      `sub/folder/misp-ids-to-ioc.state/${NAMESPACE}/manifest.json`,
    );
    expect(await (await open()).filterUnpushed(['ipv4-addr.value|1.1.1.1'])).toEqual([
      'ipv4-addr.value|1.1.1.1',
    ]);
  });
});

describe('S3TriggerState over TLS with a private CA (ca_cert)', () => {
  let server: TestS3Server;
  let ca: KeyAndCertificate;
  const folder = mkdtempSync(path.join(os.tmpdir(), 's3-local-tls-'));

  beforeAll(async () => {
    ca = await makeCertificateAuthority('S3 test CA');
    server = await new TestS3Server(await makeServerCertificate(ca)).start();
  });

  afterAll(async () => {
    await server.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  function open(caCert: string | undefined): Promise<S3TriggerState> {
    return openS3TriggerState({
      storage: server.storage({ caCert }),
      localPath: folder,
      namespace: NAMESPACE,
      clock: new FakeClock(),
      tuning: { maxAttempts: 1 },
    });
  }

  it('trusts the endpoint signed by ca_cert', async () => {
    const state = await open(ca.cert);
    await state.markPushed(['ipv4-addr.value|1.1.1.1'], TTL);
    await state.close();
    expect(server.writes.map((write) => path.basename(write.key))).toContain('manifest.json');
  });

  it('without ca_cert, one fatal error naming ca_cert', async () => {
    const error = await open(undefined).then(
      () => undefined,
      (failure: unknown) => failure as StateError,
    );
    expect(error).toBeInstanceOf(StateError);
    expect(error?.fatal).toBe(true);
    expect(error?.message).toMatch(/check ca_cert/);
  });
});
