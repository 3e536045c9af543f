import { buildRestSearchBody } from '../../src/misp/rest-search-body';
import {
  DEFAULT_TYPE_MIX,
  DEFAULT_WARNINGLIST,
  generateEvents,
  type AttributeStore,
  type EventChangeKind,
  type MispQuirks,
} from '../../tools/emulators/misp';
import { FLAG_DELETED, FLAG_TO_IDS } from '../../tools/emulators/misp/store';
import { Warninglist } from '../../tools/emulators/misp/warninglist';
import { DEFAULT_TYPES, expectedOf, sortIocs, type ExpectedIoc } from '../helpers/e2e-expected';
import { E2E_COLLECTION, E2E_MISP_KEY, E2eWorld } from '../helpers/e2e-world';

/**
 * MISP's behaviours that hurt a reader (docs/apis.md#misp), each switched on in the emulator:
 * whatever happens in MISP during a cycle, the collection ends with every IOC MISP still flags
 * after at most two cycles.
 */

/**
 * About 10,000 attributes in ~30 events of 100 to 500, published over the last 20 hours; a few of
 * type `email` when `withEmail`.
 */
function generated(nowSeconds: number, withEmail = false) {
  return [
    ...generateEvents({
      typeMix: withEmail ? { ...DEFAULT_TYPE_MIX, email: 2 } : DEFAULT_TYPE_MIX,
      attributes: 10_000,
      seed: 7,
      now: nowSeconds - 60,
      windowSeconds: 20 * 3600,
      junkShare: 0,
      unpublishedShare: 0,
    }),
  ];
}

const EMAIL_TYPES = [...DEFAULT_TYPES, 'email-src', 'email-dst'];

/** What the collection must hold: every IDS attribute MISP flags now, as a reader sees them. */
function expectedNow(
  store: AttributeStore,
  types: readonly string[],
  dropped: readonly string[],
): ExpectedIoc[] {
  const droppedList = new Warninglist(dropped);
  const wanted = new Set(types.some((type) => type.startsWith('email-')) ? [...types, 'email'] : types);
  const byKey = new Map<string, ExpectedIoc>();
  for (let row = 0; row < store.size; row += 1) {
    const flags = store.flags.get(row);
    const event = store.events[store.eventRows.get(row)];
    const type = store.types.names[store.typeCodes.get(row)];
    if (!event.published || (flags & FLAG_TO_IDS) === 0 || (flags & FLAG_DELETED) !== 0) continue;
    if (!wanted.has(type) || droppedList.matches(store.values[row])) continue;
    for (const ioc of expectedOf(type, store.values[row])) byKey.set(`${ioc.format} ${ioc.value}`, ioc);
  }
  return sortIocs([...byKey.values()]);
}

/** Values of page `page` of the trigger's first search (2,000 a page), as MISP pages it today. */
async function valuesOfFirstSearchPage(world: E2eWorld, page: number): Promise<string[]> {
  const nowSeconds = Math.floor(world.clock.now() / 1000);
  const body = buildRestSearchBody(
    {
      publishFrom: nowSeconds - 86_400,
      publishTo: nowSeconds,
      types: DEFAULT_TYPES,
      enforceWarninglist: true,
      pageSize: 2000,
    },
    page,
  );
  const response = await fetch(`${world.misp.url}/attributes/restSearch`, {
    method: 'POST',
    headers: { Authorization: E2E_MISP_KEY, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { response: { Attribute: Array<{ value: string }> } };
  return json.response.Attribute.map((attribute) => attribute.value);
}

interface Scenario {
  quirks?: MispQuirks;
  withEmail?: boolean;
  types?: readonly string[];
  /**
   * Values MISP drops after the query: an Allowedlist, or a warninglist (replacing the default
   * one). Page values are read with an empty warninglist, so that a page can be emptied whole.
   */
  dropped?: (world: E2eWorld) => Promise<{ allowedlist?: string[]; warninglist: string[] }>;
}

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Runs two cycles of the real trigger; returns the IOCs expected and those missing. */
async function twoCycles(scenario: Scenario) {
  world = await E2eWorld.start({
    events: (now) => generated(now, scenario.withEmail),
    mispQuirks: scenario.quirks,
  });
  const types = scenario.types ?? DEFAULT_TYPES;
  let dropped: { allowedlist?: string[]; warninglist: readonly string[] } = {
    warninglist: DEFAULT_WARNINGLIST,
  };
  if (scenario.dropped) {
    world.misp.setWarninglist([]);
    dropped = await scenario.dropped(world);
    world.misp.setWarninglist(dropped.warninglist);
    world.misp.setQuirks({ ...scenario.quirks, allowedlist: dropped.allowedlist });
  }
  const trigger = types === DEFAULT_TYPES ? undefined : { trigger: triggerWithTypes(world, types) };
  const run = world.run([], trigger);
  await world.clock.untilParked(1);
  world.clock.release();
  await world.clock.untilParked(2);
  run.signals.fire('SIGTERM');
  await expect(run.exit).resolves.toBe(0);
  const expected = expectedNow(world.misp.store, types, [
    ...dropped.warninglist,
    ...(dropped.allowedlist ?? []),
  ]);
  const held = new Set(world.collectionIocs().map((ioc) => `${ioc.format} ${ioc.value}`));
  const missing = expected.filter((ioc) => !held.has(`${ioc.format} ${ioc.value}`));
  return { expected, missing, world };
}

function triggerWithTypes(w: E2eWorld, types: readonly string[]): Record<string, unknown> {
  return {
    ioc_collection_server: w.sekoia.url,
    ioc_collection_uuid: E2E_COLLECTION,
    publish_timestamp: 1,
    sleep_time: 60,
    attribute_types: types,
  };
}

describe('MISP changing during a cycle, and MISP versions that page differently', () => {
  it.each(['republish', 'unpublish', 'delete', 'clear-to-ids'] as EventChangeKind[])(
    'three events %s while the second request is read: every IOC MISP still flags ends in the collection',
    async (change) => {
      const {
        expected,
        missing,
        world: w,
      } = await twoCycles({
        quirks: { changeBetweenRequests: { afterRequests: 1, change, events: 3 } },
      });
      expect(w.misp.changedEvents()).toHaveLength(3);
      expect(expected.length).toBeGreaterThan(3000);
      expect({ missing: missing.length, of: expected.length }).toEqual({ missing: 0, of: expected.length });
    },
  );

  it('three events not read yet are republished during the cycle: the second cycle reads them', async () => {
    const {
      missing,
      expected,
      world: w,
    } = await twoCycles({
      quirks: {
        changeBetweenRequests: { afterRequests: 1, change: 'republish', events: 3, target: 'unserved' },
      },
    });
    expect(w.misp.changedEvents()).toHaveLength(3);
    expect({ missing: missing.length, of: expected.length }).toEqual({ missing: 0, of: expected.length });
  });

  it('MISP 2.4.178 and older ignore `order`: nothing depends on it', async () => {
    const { missing, expected } = await twoCycles({ quirks: { ignoreOrder: true } });
    expect({ missing: missing.length, of: expected.length }).toEqual({ missing: 0, of: expected.length });
  });

  it('the Allowedlist empties a whole page after the query, counted in no header: the read goes on', async () => {
    const { missing, expected } = await twoCycles({
      dropped: async (w) => ({ allowedlist: await valuesOfFirstSearchPage(w, 2), warninglist: [] }),
    });
    expect({ missing: missing.length, of: expected.length }).toEqual({ missing: 0, of: expected.length });
  });

  it('a MISP without X-Skipped-Elements-Count whose warninglists empty a whole page: the read goes on', async () => {
    const { missing, expected } = await twoCycles({
      quirks: { noCountHeaders: true },
      dropped: async (w) => ({ warninglist: await valuesOfFirstSearchPage(w, 2) }),
    });
    expect({ missing: missing.length, of: expected.length }).toEqual({ missing: 0, of: expected.length });
  });

  it('asking for email-src / email-dst brings `email` attributes: pushed as email addresses, never "unsupported"', async () => {
    const { missing, expected, world: w } = await twoCycles({ types: EMAIL_TYPES, withEmail: true });
    expect(w.misp.store.types.find('email')).toBeDefined();
    expect({ missing: missing.length, of: expected.length }).toEqual({ missing: 0, of: expected.length });
    const logs = w.sekoia.logs().map((log) => log.message);
    expect(logs.join('\n')).not.toMatch(/unsupported type/i);
  });
});
