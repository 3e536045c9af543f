import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/e2e-clock';
import { builtScript, exitWithin, spawnNode } from '../helpers/e2e-process';
import { COMMAND, E2E_COLLECTION, E2E_SECRETS, E2eWorld } from '../helpers/e2e-world';
import { S3_TEST_ACCESS_KEY, S3_TEST_BUCKET, S3_TEST_SECRET, TestS3Server } from '../../tools/s3/server';

/**
 * The built entrypoint with file_backend S3, as the platform runs it: each process gets an empty
 * local data folder (a new container), so only the bucket carries the state from one to the next.
 */
describe('node dist/main.js with file_backend S3 (spawned, against the emulators and an S3-protocol server)', () => {
  let world: E2eWorld;
  let s3: TestS3Server;
  let mainJs: string;
  const folders: string[] = [];
  beforeAll(() => (mainJs = builtScript('src/main.js')));
  beforeEach(async () => {
    world = await E2eWorld.start();
    s3 = await new TestS3Server().start();
  });
  afterEach(async () => {
    await world.close();
    await s3.dispose();
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
  });

  const received = (): number => world.sekoia.collection(E2E_COLLECTION).valuesReceived;

  /** A new container: an empty local data folder, the bucket's variables (file_backend in lower case). */
  function start(flags: string[] = []) {
    const dataPath = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-s3-local-'));
    folders.push(dataPath);
    const env = world.env({
      extra: {
        SYMPHONY_DATA_PATH: dataPath,
        FILE_BACKEND: 's3',
        AWS_BUCKET_NAME: S3_TEST_BUCKET,
        AWS_ACCESS_KEY_ID: S3_TEST_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: S3_TEST_SECRET,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_S3_ENDPOINT_URL: s3.endpoint,
        TRIGGER_CONFIGURATION_UUID: '5d1f1e0a-0000-4000-8000-00000000e2e5',
      },
    });
    return spawnNode(mainJs, [COMMAND, ...flags], env);
  }

  it('two processes in a row, each with an empty local folder: the second pushes nothing again', async () => {
    const first = start(['--once']);
    await expect(exitWithin(first, 30_000)).resolves.toBe(0);
    const expected = world.expected().iocs;
    expect(world.collectionIocs()).toEqual(expected);
    const afterFirst = received();
    expect(s3.writes.map((write) => path.basename(write.key))).toContain('manifest.json');

    const second = start(['--once']);
    await expect(exitWithin(second, 30_000)).resolves.toBe(0);
    expect(received()).toBe(afterFirst);
    expect(second.output()).toMatch(/Cycle done/);
    expect(second.output()).not.toMatch(/ERROR|CRITICAL/);
    for (const secret of [...E2E_SECRETS, S3_TEST_SECRET]) {
      expect(first.output() + second.output()).not.toContain(secret);
    }
  });

  it('kill -9 between cycles loses nothing: a new container pushes nothing again', async () => {
    const first = start();
    // The event follows the save: once it arrived, the cycle is in the bucket.
    await waitFor('the first cycle event', () => world.sekoia.events().length === 1, 1000);
    first.child.kill('SIGKILL');
    await expect(exitWithin(first, 5000)).resolves.toBeNull();
    const afterFirst = received();
    expect(afterFirst).toBe(world.expected().iocs.length);

    const second = start(['--once']);
    await expect(exitWithin(second, 30_000)).resolves.toBe(0);
    expect(received()).toBe(afterFirst);
    expect(second.output()).not.toMatch(/ERROR|CRITICAL/);
  });

  it('a missing bucket: one critical naming aws_bucket_name, nothing pushed', async () => {
    await s3.dispose();
    s3 = await new TestS3Server().start([]);
    const trigger = start(['--once']);
    await expect(exitWithin(trigger, 30_000)).resolves.toBe(1);
    const critical = world.sekoia.logs().filter((log) => log.level === 'critical');
    expect(critical).toHaveLength(1);
    expect(String(critical[0].message)).toMatch(/correct aws_bucket_name \("symphony-state"\)/);
    expect(received()).toBe(0);
  });
});
