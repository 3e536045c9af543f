import triggerJson from '../../trigger_misp_ids_to_ioc.json';
import { createAjv } from '../../src/runtime/schema';
import { createTrigger } from '../../src/trigger';
import { createDependencies } from '../../src/trigger/dependencies';
import { deleteEvent } from '../../tools/emulators/misp/event-removal';
import { E2E_COLLECTION, E2E_SECRETS, E2eWorld } from '../helpers/e2e-world';

const DAY_MS = 86_400_000;
const RECONCILIATION = 'MISP IDS reconciliation';

/** The reconciliation sweep (docs/user-guide.md, Reconciliation) against both emulators, through main() as the image runs it. */
describe('the reconciliation sweep (in process, through main)', () => {
  let world: E2eWorld;
  beforeEach(async () => (world = await E2eWorld.start()));
  afterEach(() => world.close());

  const trigger = (fields: Record<string, unknown> = {}) => world.emulatorConfiguration(fields);
  const received = (): number => world.sekoia.collection(E2E_COLLECTION).valuesReceived;
  const sweepEvents = (): Array<Record<string, unknown>> => world.sentEvents(RECONCILIATION);
  const infoLines = (): string[] => world.sekoia.logs().map((log) => String(log.message));

  it('pushes what the cycles could not see (an event synced with an old publish time), and nothing else', async () => {
    await expect(world.run(['--once'], trigger()).exit).resolves.toBe(0);
    const synced = received();
    // Pulled from another MISP server: published 12 hours ago, after the trigger's cursor had passed.
    world.misp.addEvent({
      Event: {
        info: 'E2E: synced late',
        published: true,
        publish_timestamp: String(Math.floor((world.clock.now() - 12 * 3_600_000) / 1000)),
        Attribute: [{ type: 'domain', value: 'synced-late.example.org', to_ids: true }],
      },
    });
    await expect(world.run(['--once'], trigger()).exit).resolves.toBe(0);
    expect(received()).toBe(synced);

    await expect(world.run(['--once', '--reconcile'], trigger()).exit).resolves.toBe(0);
    expect(received()).toBe(synced + 1);
    expect(world.collectionIocs()).toContainEqual({
      format: 'domain-name.value',
      value: 'synced-late.example.org',
    });
    const [event] = sweepEvents();
    expect(event).toMatchObject({ kind: 'reconciliation', missing_pushed: 1, refreshed: 0, revoked: 0 });
    // Its event was published inside a window a complete cycle read: the sweep can tell why.
    expect(event.missing_by_reason).toEqual({ eligible_after_publication: 1, unknown: 0 });
    expect(event.unchanged).toBe(world.expected().iocs.length);
    expect(createAjv().compile(triggerJson.results)(event)).toBe(true);
    expect(infoLines()).toContainEqual(
      expect.stringMatching(
        /^Reconciliation done in .* 1 missing pushed \(1 flagged after their event was published, 0 other\)/,
      ),
    );
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
  });

  it('refreshes by PUT the IOCs MISP still flags that would lapse before the next sweep: their valid_until really moves', async () => {
    await expect(world.run(['--once'], trigger({ ioc_validity_days: 1 })).exit).resolves.toBe(0);
    const synced = received();
    const before = new Map(
      world.sekoia.collection(E2E_COLLECTION).indicators.map((ioc) => [ioc.id, ioc.validUntil]),
    );
    world.clock.advance(6 * 3_600_000);
    await expect(world.run(['--once', '--reconcile'], trigger({ ioc_validity_days: 1 })).exit).resolves.toBe(
      0,
    );
    // Valid one day: each lapses before the next sweep (24 h) plus its margin: all refreshed, by PUT.
    const expected = world.expected().iocs.length;
    expect(received()).toBe(synced);
    const puts = world.sekoia.apiRequests().filter((request) => request.startsWith('PUT '));
    expect(puts).toHaveLength(expected);
    const moved = new Date(world.clock.now() + DAY_MS).toISOString().slice(0, 13);
    for (const ioc of world.sekoia.collection(E2E_COLLECTION).indicators) {
      expect(ioc.validUntil).not.toBe(before.get(ioc.id));
      expect(ioc.validUntil?.slice(0, 13)).toBe(moved);
    }
    expect(sweepEvents()[0]).toMatchObject({
      refreshed: expected,
      missing_pushed: 0,
      unchanged: 0,
      collection_check: { listed: expected, refreshed: expected, absent_pushed: 0, complete: true },
    });
  });

  it('never revokes an IOC whose event aged out of the window, even with revoke_withdrawn', async () => {
    const fields = { ioc_validity_days: 365, revoke_withdrawn: true };
    await expect(world.run(['--once'], trigger(fields)).exit).resolves.toBe(0);
    const requestsBefore = world.sekoia.collection(E2E_COLLECTION).importRequests;
    // 40 days later the sample's events are older than the 30-day window: not read, not withdrawn.
    world.clock.advance(40 * DAY_MS);
    await expect(world.run(['--once', '--reconcile'], trigger(fields)).exit).resolves.toBe(0);
    expect(sweepEvents()[0]).toMatchObject({ withdrawn: 0, revoked: 0, missing_pushed: 0, unchanged: 0 });
    expect(world.sekoia.collection(E2E_COLLECTION).importRequests).toBe(requestsBefore);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
  });

  it("revokes nothing when MISP fails during the sweep's read, and says why; the next sweep revokes", async () => {
    const fields = { revoke_withdrawn: true };
    await expect(world.run(['--once'], trigger(fields)).exit).resolves.toBe(0);
    // One value withdrawn: with a whole read, it would be revoked.
    const row = world.misp.store.values.indexOf('198.51.100.23');
    expect(row).toBeGreaterThanOrEqual(0);
    world.misp.updateAttribute(world.misp.store.ids.get(row), { to_ids: false }, { publish: true });
    // MISP fails from the sweep's first request on (the cycle before it reads normally).
    let reads = 0;
    const definition = createTrigger({
      createDependencies: async (input) => {
        const deps = await createDependencies(input);
        // Each read of a window (the cycle's, then the sweep's), whichever way the client reads it.
        deps.misp = new Proxy(deps.misp, {
          get(target, property) {
            const member: unknown = Reflect.get(target, property);
            if (typeof member !== 'function') return member;
            if (property !== 'searchAttributes' && property !== 'readWindow') return member.bind(target);
            return (...args: unknown[]) => {
              reads += 1;
              if (reads === 2) world.misp.faults.failNext(1000, { kind: 'status', status: 503 });
              return member.apply(target, args);
            };
          },
        });
        return deps;
      },
    });
    await world.run(['--once', '--reconcile'], trigger(fields), definition).exit;
    expect(reads).toBe(2);
    const [event] = sweepEvents();
    expect(event).toMatchObject({ complete: false, revoked: 0, revocation_held: 'misp_read_failed' });
    expect(world.sekoia.collection(E2E_COLLECTION).indicators.map((ioc) => ioc.value)).toContain(
      '198.51.100.23',
    );
    const errors = world.sekoia
      .logs()
      .filter((log) => log.level === 'error')
      .map((log) => String(log.message));
    expect(errors).toContainEqual(
      expect.stringMatching(/^Reconciliation: reading MISP failed after \d+ pages?: .*Nothing was revoked/),
    );

    // MISP back: the next sweep reads the whole window and revokes the withdrawn value.
    world.misp.faults.clear();
    await expect(world.run(['--once', '--reconcile'], trigger(fields)).exit).resolves.toBe(0);
    expect(sweepEvents()[1]).toMatchObject({ complete: true, withdrawn: 1, revoked: 1 });
    const revoked = world.sekoia.collection(E2E_COLLECTION).indicators.filter((ioc) => ioc.revoked);
    expect(revoked.map((ioc) => ioc.value)).toEqual(['198.51.100.23']);
  });

  /** The MISP id of the (first) attribute holding `value` in the emulator. */
  const attributeIdOf = (value: string): number => {
    const row = world.misp.store.values.indexOf(value);
    if (row < 0) throw new Error(`no attribute holds ${value}`);
    return world.misp.store.ids.get(row);
  };

  it('sees every way MISP withdraws an IOC (to_ids cleared, attribute deleted, tag excluded, event unpublished or deleted), and keeps them with revoke_withdrawn off', async () => {
    const fields = { exclude_tags: ['false-positive'] };
    await expect(world.run(['--once'], trigger(fields)).exit).resolves.toBe(0);
    const pushed = world.collectionIocs().length;
    world.misp.updateAttribute(attributeIdOf('198.51.100.23'), { to_ids: false }, { publish: true });
    world.misp.updateAttribute(
      attributeIdOf('d1c330126f287ad465bca77443ea8d56'),
      { deleted: true },
      { publish: true },
    );
    world.misp.updateAttribute(
      attributeIdOf('c99a4f12c5b0f6537e43102c367a831fe80b526a48ca7ef8fadd50632d7c58f8'),
      { tags: ['false-positive'] },
      { publish: true },
    );
    world.misp.unpublishEvent(5);
    deleteEvent(world.misp.store, 3);
    await expect(world.run(['--once', '--reconcile'], trigger(fields)).exit).resolves.toBe(0);
    // 1 + 1 + 1, and of the default types the 4 values of event 5 and the 9 of event 3.
    const [event] = sweepEvents();
    expect(event).toMatchObject({ withdrawn: 16, revoked: 0, revocation_held: 'revoke_withdrawn_off' });
    expect(event.unchanged).toBe(pushed - 16);
    expect(world.collectionIocs()).toHaveLength(pushed);
    expect(world.sekoia.logs().map((log) => String(log.message))).toContainEqual(
      expect.stringMatching(
        /^16 IOCs this trigger pushed are no longer flagged in MISP .*revoke_withdrawn is off/,
      ),
    );
  });

  const revokedValues = (): string[] => world.revokedValues();

  it('revokes what MISP withdrew as seen published, only with revoke_withdrawn; an unpublished event is pending; flagged again, a value waits 24 h, is deleted for good and pushed again', async () => {
    await expect(world.run(['--once'], trigger()).exit).resolves.toBe(0);
    // Cleared, then published again; event 5 left unpublished (an analyst editing it).
    world.misp.updateAttribute(attributeIdOf('198.51.100.23'), { to_ids: false }, { publish: true });
    world.misp.unpublishEvent(5);
    await expect(world.run(['--once', '--reconcile'], trigger()).exit).resolves.toBe(0);
    expect(sweepEvents()[0]).toMatchObject({
      withdrawn: 5,
      revoked: 0,
      revocation_held: 'revoke_withdrawn_off',
    });
    expect(world.sekoia.apiRequests().filter((request) => request.startsWith('DELETE'))).toEqual([]);

    await expect(
      world.run(['--once', '--reconcile'], trigger({ revoke_withdrawn: true })).exit,
    ).resolves.toBe(0);
    // Event 5's 4 values are pending: neither revoked nor refreshed.
    expect(sweepEvents()[1]).toMatchObject({ withdrawn: 5, revoked: 1, pending: 4, complete: true });
    expect(revokedValues()).toEqual(['198.51.100.23']);
    expect(infoLines()).toContainEqual(
      expect.stringMatching(
        /5 IOCs withdrawn from MISP: 1 revoked, e\.g\. "198\.51\.100\.23" \(attribute [0-9a-f-]{36}, event \d+, attribute withdrawn\), 4 pending \(their event is unpublished in MISP: being edited\)/,
      ),
    );

    // Flagged again: a re-import does not revive a revoked indicator; it waits for the 24 hours
    // after which Sekoia.io deletes a revoked indicator for good.
    world.misp.updateAttribute(attributeIdOf('198.51.100.23'), { to_ids: true }, { publish: true });
    world.clock.advance(3_600_000);
    await expect(
      world.run(['--once', '--reconcile'], trigger({ revoke_withdrawn: true })).exit,
    ).resolves.toBe(0);
    expect(sweepEvents()[2]).toMatchObject({ waiting_deletion: 1, revived: 0 });
    expect(revokedValues()).toEqual(['198.51.100.23']);
    world.clock.advance(DAY_MS);
    await expect(
      world.run(['--once', '--reconcile'], trigger({ revoke_withdrawn: true })).exit,
    ).resolves.toBe(0);
    expect(sweepEvents()[3]).toMatchObject({ waiting_deletion: 0, revived: 1 });
    expect(revokedValues()).toEqual([]);
    expect(world.collectionIocs()).toContainEqual({ format: 'ipv4-addr.value', value: '198.51.100.23' });
    expect(world.sekoia.apiRequests().filter((request) => request.startsWith('DELETE'))).toHaveLength(2);
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
  });

  it('does not revoke the IOCs of an event republished while the sweep reads MISP, but still revokes a truly withdrawn one', async () => {
    const fields = { revoke_withdrawn: true };
    await expect(world.run(['--once'], trigger(fields)).exit).resolves.toBe(0);
    // Truly withdrawn before the sweep: event 5 deleted.
    deleteEvent(world.misp.store, 5);
    // Event 3 published again between the sweep's listing of events and its read of their attributes.
    let reads = 0;
    const definition = createTrigger({
      createDependencies: async (input) => {
        const deps = await createDependencies(input);
        const readWindow = deps.misp.readWindow.bind(deps.misp);
        deps.misp.readWindow = (query, options, signal) => {
          reads += 1;
          if (reads === 2) {
            world.misp.setQuirks({
              changeBetweenRequests: { afterRequests: 0, change: 'republish', events: 1, eventIds: [3] },
            });
          }
          return readWindow(query, options, signal);
        };
        return deps;
      },
    });
    await expect(world.run(['--once', '--reconcile'], trigger(fields), definition).exit).resolves.toBe(0);
    expect(reads).toBe(2);
    expect(world.misp.changedEvents()).toEqual([3]);
    const [event] = sweepEvents();
    // The 4 values of event 5 and the 9 of event 3 look withdrawn; only event 5's are revoked.
    expect(event).toMatchObject({ complete: true, withdrawn: 13, revoked: 4 });
    expect(revokedValues()).toEqual(
      [
        '0ab8f85c1c2a0753ffc4f295482a07f9b6f9cae92eb2bdcb98d4e16e45f97c91',
        'http://login-finch.example.com/owa/auth.php',
        'https://198.51.100.61/kit/index.html',
        'login-finch.example.com',
      ].sort(),
    );
    expect(infoLines()).toContainEqual(
      expect.stringMatching(
        /13 IOCs withdrawn from MISP: 4 revoked, .*, 9 left for the next reconciliation \(their event changed in MISP during this one\)/,
      ),
    );

    // The next sweep reads the republished event: its IOCs are flagged, nothing is withdrawn.
    world.misp.setQuirks({});
    world.clock.advance(60_000);
    await expect(world.run(['--once', '--reconcile'], trigger(fields)).exit).resolves.toBe(0);
    expect(sweepEvents()[1]).toMatchObject({ complete: true, withdrawn: 0, revoked: 0 });
    expect(revokedValues()).toHaveLength(4);
  });
});
