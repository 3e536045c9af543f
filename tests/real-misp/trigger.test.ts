import { E2E_COLLECTION, E2eWorld, PLACEHOLDER } from '../helpers/e2e-world';
import { MispRest } from '../helpers/misp-rest';
import { REAL_MISP } from '../helpers/misp-target';

/**
 * The trigger's main paths against a real MISP (MISP_TEST_URL, MISP_TEST_KEY; npm run
 * test:real-misp), the Sekoia.io emulator on the other side: a full sync, an incremental cycle
 * after an analyst's edit, and the reconciliation sweep revoking what MISP withdrew. Its events
 * carry a tag of this run's own and the trigger reads only that tag (include_tags), so other data
 * in that MISP does not count; they are deleted at the end.
 */
if (!REAL_MISP)
  throw new Error('tests/real-misp needs MISP_TEST_URL and MISP_TEST_KEY (npm run test:real-misp)');
const misp = REAL_MISP;

const runTag = `real-misp-e2e:${Date.now().toString(36)}`;
let world: E2eWorld;
let rest: MispRest;
let events: Array<{ id: number; attributeIds: number[] }> = [];

const host = (name: string): string => `${name}.${runTag.replace(/[^a-z0-9]/g, '')}.example`;

beforeAll(async () => {
  world = await E2eWorld.start({ events: () => [], mispKey: misp.key });
  rest = new MispRest(misp.url, misp.key);
  events = [
    await rest.addEvent({
      info: `${runTag} one`,
      published: true,
      Tag: [{ name: runTag }],
      Attribute: [
        { type: 'ip-dst', value: '203.0.113.81', to_ids: true },
        { type: 'domain', value: host('c2'), to_ids: true },
        { type: 'url', value: `http://${host('kit')}/gate.php`, to_ids: true },
        { type: 'domain', value: host('not-ids'), to_ids: false },
        { type: 'ip-dst', value: '8.8.8.8', to_ids: true },
      ],
    }),
    await rest.addEvent({
      info: `${runTag} two`,
      published: true,
      Tag: [{ name: runTag }],
      Attribute: [
        { type: 'md5', value: 'b'.repeat(32), to_ids: true },
        { type: 'sha256', value: 'c'.repeat(64), to_ids: true },
      ],
    }),
  ];
});

afterAll(async () => {
  await rest?.cleanUp();
  await world?.close();
});

function config(extra: Record<string, unknown> = {}) {
  return {
    module: { misp_url: misp.url, misp_api_key: PLACEHOLDER, sekoia_api_key: PLACEHOLDER },
    trigger: {
      ioc_collection_server: world.sekoia.url,
      ioc_collection_uuid: E2E_COLLECTION,
      publish_timestamp: 1,
      sleep_time: 60,
      include_tags: [runTag],
      ...extra,
    },
  };
}

const values = (): string[] =>
  world
    .collectionIocs()
    .map((ioc) => ioc.value)
    .sort();
const revoked = (): string[] => world.revokedValues();

describe('the trigger against a real MISP', () => {
  const first = [
    '203.0.113.81',
    host('c2'),
    `http://${host('kit')}/gate.php`,
    'b'.repeat(32),
    'c'.repeat(64),
  ].sort();

  it('full sync: every IDS value of its published events, none not IDS, none warninglisted', async () => {
    await expect(world.run(['--once'], config()).exit).resolves.toBe(0);
    expect(values()).toEqual(first);
  });

  it('incremental: an attribute added and the event published again: only the new value is pushed', async () => {
    const imports = world.sekoia.collection(E2E_COLLECTION).importRequests;
    await rest.addAttribute(events[1].id, { type: 'domain', value: host('late'), to_ids: true });
    await rest.publish(events[1].id);
    await expect(world.run(['--once'], config()).exit).resolves.toBe(0);
    expect(values()).toEqual([...first, host('late')].sort());
    expect(world.sekoia.collection(E2E_COLLECTION).importRequests).toBe(imports + 1);
  });

  it('reconciliation: to_ids cleared and the event published again: the sweep revokes that value only', async () => {
    await rest.editAttribute(events[0].attributeIds[1], { to_ids: false });
    await rest.publish(events[0].id);
    await expect(world.run(['--once', '--reconcile'], config({ revoke_withdrawn: true })).exit).resolves.toBe(
      0,
    );
    expect(revoked()).toEqual([host('c2')]);
  });
});
