import { waitFor } from '../helpers/e2e-clock';
import { E2E_COLLECTION, E2E_SECRETS, E2eWorld } from '../helpers/e2e-world';

const SEARCHES = ['/events/restSearch', '/attributes/restSearch'];

describe('incremental cycles, restarts and SIGTERM (in process, through main)', () => {
  let world: E2eWorld;
  beforeEach(async () => (world = await E2eWorld.start()));
  afterEach(() => world.close());

  const received = (): number => world.sekoia.collection(E2E_COLLECTION).valuesReceived;
  /** MISP searches: the window's events listed, and their attributes read. */
  const searches = (): number => {
    const counts = world.misp.requestCounts();
    return SEARCHES.reduce((sum, path) => sum + (counts[path] ?? 0), 0);
  };

  it('pushes only what changed in MISP, keeps quiet cycles to one search, and never re-pushes after a restart', async () => {
    const run = world.run([]);
    await world.clock.untilParked(1);
    const expected = world.expected();
    expect(world.collectionIocs()).toEqual(expected.iocs);
    const afterFirst = received();
    expect(afterFirst).toBe(expected.iocs.length);

    // Cycle 2: attributes added to a published event (republished), and a new published event.
    world.misp.addAttributes(
      2,
      [
        { type: 'ip-dst', value: '198.51.100.201', to_ids: true },
        { type: 'md5', value: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA01', to_ids: true },
        { type: 'ip-dst', value: '198.51.100.202', to_ids: false },
      ],
      { publish: true },
    );
    const nowSeconds = String(Math.floor(world.clock.now() / 1000) + 60);
    world.misp.addEvent({
      Event: {
        info: 'E2E: new event',
        published: true,
        publish_timestamp: nowSeconds,
        Attribute: [{ type: 'domain', value: 'fresh-c2.example.net', to_ids: true }],
      },
    });
    world.clock.release();
    await world.clock.untilParked(2);
    expect(received() - afterFirst).toBe(3);
    expect(world.collectionIocs()).toEqual(
      expect.arrayContaining([
        { format: 'ipv4-addr.value', value: '198.51.100.201' },
        { format: 'file.hashes', value: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01' },
        { format: 'domain-name.value', value: 'fresh-c2.example.net' },
      ]),
    );
    expect(world.collectionIocs().map((ioc) => ioc.value)).not.toContain('198.51.100.202');

    // Cycle 3: an event republished without changes: read again, nothing pushed again.
    world.misp.republishEvent(1, Math.floor(world.clock.now() / 1000) + 30);
    world.clock.release();
    await world.clock.untilParked(3);
    expect(received() - afterFirst).toBe(3);

    // Cycle 4: nothing changed: one search (two at most: the empty page), no push.
    const before = searches();
    world.clock.release();
    await world.clock.untilParked(4);
    expect(searches() - before).toBeGreaterThanOrEqual(1);
    expect(searches() - before).toBeLessThanOrEqual(2);
    expect(received() - afterFirst).toBe(3);

    run.signals.fire('SIGTERM');
    await expect(run.exit).resolves.toBe(0);
    expect(
      world.sekoia.events().map((event) => (event.event as { iocs_pushed: number }).iocs_pushed),
    ).toEqual([expected.iocs.length, 3]);

    // A restart on the same data path pushes nothing again.
    const total = received();
    await expect(world.run(['--once']).exit).resolves.toBe(0);
    expect(received()).toBe(total);
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
  });

  it('stops promptly on SIGTERM in the middle of a slow push, flushes its logs, and a restart completes the collection', async () => {
    world.sekoia.faults.set([{ prefix: '/v2/inthreat', latencyMs: 20_000 }]);
    const run = world.run([]);
    await waitFor('a push held by the latency', () => world.sekoia.faults.counts().delayed >= 1);
    const stoppedAt = Date.now();
    run.signals.fire('SIGTERM');
    await expect(run.exit).resolves.toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(world.sekoia.logs().map((log) => log.message)).toContain('SIGTERM received: stopping.');

    world.sekoia.faults.clear();
    await expect(world.run(['--once']).exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
  });
});
