import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../../src/clock';
import { main } from '../../src/main';
import { startSekoiaEmulator, type SekoiaEmulator } from '../../tools/emulators/sekoia';
import { openMispTarget, type MispTarget } from '../helpers/misp-target';
import { ConsoleCapture, ManualSignals, REPO_ROOT } from '../helpers/runtime-fixtures';

/**
 * The trigger's revocations against a real MISP (npm run test:real-misp, MISP_TEST_URL and
 * MISP_TEST_KEY): what an analyst's edit, a publish again and a delete do, as MISP itself does them
 * (an edit unpublishes the event). The IOC Collection is the Sekoia.io emulator, on the wall clock.
 */
const COLLECTION = 'ioc-collection--4e4e4e4e-1111-4222-8333-444455556666';
const SEKOIA_KEY = 'real-misp-SEKOIA-key-2f6b9d1e';
const TOKEN = 'real-misp-RUNTIME-token-7c3a5e9b';
const COMMAND = 'trigger-misp-ids-to-ioc-collection';

let target: MispTarget;
let sekoia: SekoiaEmulator;
let dataPath: string;
let volumePath: string;

beforeAll(async () => {
  target = await openMispTarget();
  sekoia = await startSekoiaEmulator({
    runtimeToken: TOKEN,
    secrets: { misp_api_key: target.key, sekoia_api_key: SEKOIA_KEY },
    apiKeys: { [SEKOIA_KEY]: 'write-ioc' },
    collections: [COLLECTION],
    now: () => Date.now(),
  });
  dataPath = fs.mkdtempSync(path.join(os.tmpdir(), 'real-misp-data-'));
  volumePath = fs.mkdtempSync(path.join(os.tmpdir(), 'real-misp-volume-'));
});

afterAll(async () => {
  await target.close();
  await sekoia.close();
  fs.rmSync(dataPath, { recursive: true, force: true });
  fs.rmSync(volumePath, { recursive: true, force: true });
});

/** One run of the trigger through main(), as the image runs it, reading the target MISP. */
async function run(flags: string[]): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    SYMPHONY_VOLUME_PATH: volumePath,
    SYMPHONY_DATA_PATH: dataPath,
    MODULE_CONFIGURATION: JSON.stringify({
      misp_url: target.url,
      misp_api_key: 'SECRET_PLACEHOLDER',
      sekoia_api_key: 'SECRET_PLACEHOLDER',
    }),
    TRIGGER_CONFIGURATION: JSON.stringify({
      ioc_collection_server: sekoia.url,
      ioc_collection_uuid: COLLECTION,
      publish_timestamp: 1,
      sleep_time: 60,
      revoke_withdrawn: true,
      attribute_types: ['domain'],
    }),
    TOKEN,
    URL_CALLBACK: `${sekoia.url}/callback`,
    LIVENESS_PORT: '0',
    METRICS_PORT: '0',
    NO_PROXY: '127.0.0.1,localhost',
  };
  const exit = await main([COMMAND, ...flags], {
    env,
    cwd: REPO_ROOT,
    clock: systemClock,
    signals: new ManualSignals(),
    consoleStream: new ConsoleCapture(),
    host: '127.0.0.1',
    random: () => 0.5,
  });
  expect(exit).toBe(0);
}

const ours = (value: string): boolean => value.includes(target.runId);
const revokedValues = (): string[] =>
  sekoia
    .collection(COLLECTION)
    .indicators.filter((indicator) => indicator.revoked && ours(indicator.value))
    .map((indicator) => indicator.value)
    .sort();
const lastSweep = (): Record<string, unknown> => {
  const events = sekoia.events().filter((event) => event.name === 'MISP IDS reconciliation');
  return events[events.length - 1].event as Record<string, unknown>;
};

describe(`revocation against the MISP of MISP_TEST_URL`, () => {
  it('an edit revokes nothing; published again, exactly the cleared value; a deleted event, its values no other event gives', async () => {
    const value = (name: string): string => `${name}.${target.runId}.example`;
    const domain = (name: string) => ({
      type: 'domain',
      value: value(name),
      to_ids: true,
      category: 'Network activity',
    });
    const edited = await target.rest.addEvent({
      info: `${target.runId} edited`,
      published: true,
      Attribute: [domain('cleared'), domain('kept-1'), domain('kept-2'), domain('shared')],
    });
    await target.rest.addEvent({
      info: `${target.runId} other`,
      published: true,
      Attribute: [domain('shared'), domain('other')],
    });
    await run(['--once']);
    const pushed = sekoia.collection(COLLECTION).indicators.filter((indicator) => ours(indicator.value));
    expect(pushed.map((indicator) => indicator.value).sort()).toEqual(
      ['cleared', 'kept-1', 'kept-2', 'other', 'shared'].map(value).sort(),
    );

    // An analyst clears to_ids on one attribute: MISP unpublishes the event. Nothing is revoked.
    await target.nextSecond();
    await target.rest.editAttribute(edited.attributeIds[0], { to_ids: false });
    expect((await target.rest.event(edited.id))?.published).toBe(false);
    await run(['--once', '--reconcile']);
    expect(revokedValues()).toEqual([]);
    expect(lastSweep()).toMatchObject({ revoked: 0, complete: true });
    expect(lastSweep().pending).toBeGreaterThanOrEqual(3);

    // Published again: the cleared value, and only it, is revoked.
    await target.nextSecond();
    await target.rest.publish(edited.id);
    await run(['--once', '--reconcile']);
    expect(revokedValues()).toEqual([value('cleared')]);
    expect(lastSweep()).toMatchObject({ revoked: 1, pending: 0 });

    // The event deleted: its values are revoked, but the one another event still gives.
    await target.nextSecond();
    await target.rest.deleteEvent(edited.id);
    await run(['--once', '--reconcile']);
    expect(revokedValues()).toEqual(['cleared', 'kept-1', 'kept-2'].map(value).sort());
    expect(lastSweep()).toMatchObject({ revoked: 2 });
  });
});
