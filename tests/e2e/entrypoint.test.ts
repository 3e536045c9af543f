import { waitFor } from '../helpers/e2e-clock';
import { builtScript, exitWithin, freePort, spawnNode } from '../helpers/e2e-process';
import { COMMAND, E2E_COLLECTION, E2E_SECRETS, E2eWorld, PLACEHOLDER } from '../helpers/e2e-world';

const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'];

/** The built entrypoint as the container runs it: `node dist/main.js <command>`, configured by variables. */
describe('node dist/main.js trigger-misp-ids-to-ioc-collection (spawned, against the emulators)', () => {
  let world: E2eWorld;
  let mainJs: string;
  beforeAll(() => (mainJs = builtScript('src/main.js')));
  beforeEach(async () => (world = await E2eWorld.start()));
  afterEach(() => world.close());

  const health = async (port: number): Promise<number | undefined> => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/health`)).status;
    } catch {
      return undefined;
    }
  };

  it('fetches its secrets, pushes, ships well-formed logs, answers /health and exits 0 within 5 s of SIGTERM', async () => {
    const livenessPort = await freePort();
    const moduleConfiguration = {
      misp_url: world.misp.url,
      misp_api_key: PLACEHOLDER,
      sekoia_api_key: PLACEHOLDER,
    };
    const env = world.env({
      extra: {
        // Base64 of the JSON, as a shell-safe variable.
        MODULE_CONFIGURATION: Buffer.from(JSON.stringify(moduleConfiguration)).toString('base64'),
        LIVENESS_PORT: String(livenessPort),
      },
    });
    const trigger = spawnNode(mainJs, [COMMAND], env);
    // The keys exist only behind /secrets: a full collection proves they were fetched and used.
    const expected = world.expected().iocs;
    await waitFor('the collection to fill', () => world.collectionIocs().length === expected.length, 1000);
    await waitFor('/health to answer 200', async () => (await health(livenessPort)) === 200, 500);
    // The event follows the last push: a SIGTERM before it lands would cancel its sending.
    await waitFor('the cycle event', () => world.sekoia.events().length === 1, 1000);
    expect(world.collectionIocs()).toEqual(expected);

    trigger.child.kill('SIGTERM');
    await expect(exitWithin(trigger, 5000)).resolves.toBe(0);
    const logs = world.sekoia.logs();
    for (const log of logs) {
      expect(Object.keys(log).sort()).toEqual(['date', 'level', 'message']);
      expect(new Date(String(log.date)).toISOString()).toBe(log.date);
      expect(LEVELS).toContain(log.level);
      expect(typeof log.message).toBe('string');
    }
    const messages = logs.map((log) => String(log.message));
    expect(messages.some((message) => message.startsWith('Cycle done in'))).toBe(true);
    expect(messages).toContain('SIGTERM received: stopping.');
    expect(world.sekoia.events()).toHaveLength(1);
    for (const secret of E2E_SECRETS) {
      expect(trigger.output()).not.toContain(secret);
      expect(world.everythingCaptured()).not.toContain(secret);
    }
  });

  it('reports an invalid trigger configuration in exactly one critical log naming the field, and stays up until SIGTERM', async () => {
    const livenessPort = await freePort();
    const env = world.env({
      trigger: {
        ioc_collection_server: world.sekoia.url,
        ioc_collection_uuid: E2E_COLLECTION,
        sleep_time: 5,
      },
      extra: { LIVENESS_PORT: String(livenessPort) },
    });
    const trigger = spawnNode(mainJs, [COMMAND], env);
    const criticals = () => world.sekoia.logs().filter((log) => log.level === 'critical');
    await waitFor('the critical log', () => criticals().length > 0, 1000);
    // Still running: /health answers (whatever it says) and the process has not exited.
    await waitFor('/health to answer', async () => (await health(livenessPort)) !== undefined, 500);
    expect(trigger.child.exitCode).toBeNull();

    trigger.child.kill('SIGTERM');
    await expect(exitWithin(trigger, 5000)).resolves.toBe(0);
    expect(criticals()).toHaveLength(1);
    expect(String(criticals()[0].message)).toContain('sleep_time');
    expect(world.sekoia.collection(E2E_COLLECTION).valuesReceived).toBe(0);
    expect(world.misp.requestCounts()['/attributes/restSearch']).toBeUndefined();
  });
});
