import { openTriggerState, DEFAULT_NAMESPACE } from '../../src/state';
import { StateError } from '../../src/state/errors';
import type { TriggerState } from '../../src/state/types';
import { createTrigger } from '../../src/trigger';
import { createDependencies } from '../../src/trigger/dependencies';
import type { TriggerDependencies } from '../../src/trigger/dependencies';
import { deleteEvent } from '../../tools/emulators/misp/event-removal';
import { E2E_COLLECTION, E2E_SEKOIA_KEY, E2eWorld } from '../helpers/e2e-world';

const DAY_MS = 86_400_000;
const RECONCILIATION = 'MISP IDS reconciliation';
/** The 9 values of the default types in the sample's event 3. */
const EVENT_3_VALUES = 9;

/**
 * What the sweep may revoke (docs/user-guide.md, Reconciliation): only what MISP withdrew as seen
 * in a published event, after a whole read, and only indicators this trigger created. Against
 * both emulators, through main() as the image runs it.
 */
describe('revocation (in process, against the emulators)', () => {
  let world: E2eWorld;
  beforeEach(async () => (world = await E2eWorld.start()));
  afterEach(() => world.close());

  const trigger = (fields: Record<string, unknown> = {}) =>
    world.emulatorConfiguration({ revoke_withdrawn: true, ...fields });
  const sweepEvents = (): Array<Record<string, unknown>> => world.sentEvents(RECONCILIATION);
  const lastSweep = (): Record<string, unknown> => sweepEvents()[sweepEvents().length - 1];
  const revokedValues = (): string[] => world.revokedValues();
  const attributeIdOf = (value: string): number => {
    const row = world.misp.store.values.indexOf(value);
    if (row < 0) throw new Error(`no attribute holds ${value}`);
    return world.misp.store.ids.get(row);
  };
  const eventOf = (value: string): number => {
    const row = world.misp.store.values.indexOf(value);
    return world.misp.store.events[world.misp.store.eventRows.get(row)].id;
  };
  /** A call of the IOC Collection API as an analyst makes it (their own key). */
  const api = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${world.sekoia.url}/v2/inthreat/ioc-collections/${E2E_COLLECTION}${path}`, {
      method,
      headers: { Authorization: `Bearer ${E2E_SEKOIA_KEY}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };
  const indicatorIdOf = async (value: string): Promise<string> => {
    const list = await api('GET', `/indicators?term=${encodeURIComponent(value)}&limit=100`);
    const found = (list.items as Array<{ id: string; name: string }>).find((item) => item.name === value);
    if (!found) throw new Error(`the collection holds no ${value}`);
    return found.id;
  };
  const sweepMarks = async () => {
    const state = await openTriggerState({
      dataPath: world.dataPath,
      namespace: DEFAULT_NAMESPACE,
      clock: world.clock,
    });
    try {
      return await state.getSweepMarks();
    } finally {
      await state.close();
    }
  };

  it('an edit is not a withdrawal: clearing to_ids on one attribute (MISP unpublishes the event) revokes nothing; published again, exactly the cleared value', async () => {
    await expect(world.run(['--once'], trigger()).exit).resolves.toBe(0);
    const event = eventOf('198.51.100.23');
    world.misp.updateAttribute(attributeIdOf('198.51.100.23'), { to_ids: false });
    await expect(world.run(['--once', '--reconcile'], trigger()).exit).resolves.toBe(0);
    expect(lastSweep()).toMatchObject({ complete: true, revoked: 0 });
    expect(lastSweep().pending).toBeGreaterThan(1);
    expect(revokedValues()).toEqual([]);

    world.clock.advance(60_000);
    world.misp.republishEvent(event);
    await expect(world.run(['--once', '--reconcile'], trigger()).exit).resolves.toBe(0);
    expect(lastSweep()).toMatchObject({ complete: true, revoked: 1, pending: 0 });
    expect(revokedValues()).toEqual(['198.51.100.23']);
  });

  /** Calls `onSweep` when the sweep begins its read (a run's second read of the window; the cycle's is the first). */
  const atSweep = (onSweep: () => void, wrapState?: (state: TriggerState) => TriggerState) =>
    createTrigger({
      createDependencies: async (input) => {
        const deps: TriggerDependencies = await createDependencies(input);
        let reads = 0;
        const readWindow = deps.misp.readWindow.bind(deps.misp);
        deps.misp.readWindow = (query, options, signal) => {
          reads += 1;
          if (reads === 2) onSweep();
          return readWindow(query, options, signal);
        };
        if (wrapState) deps.state = wrapState(deps.state);
        return deps;
      },
    });

  /** The state, failing to record pushes (as a full disk would) once `failing()` is true. */
  const failingState = (failing: () => boolean) => (state: TriggerState) =>
    new Proxy(state, {
      get(target, property) {
        const member: unknown = Reflect.get(target, property);
        if (typeof member !== 'function') return member;
        if (property !== 'markPushed') return member.bind(target);
        return (...args: unknown[]) => {
          if (failing()) throw new StateError('Could not record the pushed IOCs: disk full', 'state.sqlite');
          return (member as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });

  type Stop = 'a Sekoia.io push failure' | 'the rejection budget' | 'a state failure' | 'an abort';
  const stopping = (stop: Stop, running: () => ReturnType<E2eWorld['run']> | undefined) => {
    switch (stop) {
      case 'a Sekoia.io push failure':
        return atSweep(() =>
          world.sekoia.faults.failNext(
            1000,
            { kind: 'status', status: 503 },
            `/v2/inthreat/ioc-collections/${E2E_COLLECTION}/indicators/text`,
          ),
        );
      case 'the rejection budget':
        // Every import refused with 400, whatever it holds: the pusher's split budget ends the sweep.
        return atSweep(() => (world.sekoia.settings.rejectImports = true));
      case 'a state failure': {
        let sweeping = false;
        return atSweep(
          () => (sweeping = true),
          failingState(() => sweeping),
        );
      }
      case 'an abort':
        return atSweep(() => running()?.signals.fire('SIGTERM'));
    }
  };

  it.each<Stop>(['a Sekoia.io push failure', 'the rejection budget', 'a state failure', 'an abort'])(
    'only a whole read revokes: stopped by %s, the sweep revokes nothing and is not recorded complete',
    async (stop) => {
      const fields = {};
      await expect(world.run(['--once'], trigger(fields)).exit).resolves.toBe(0);
      const before = await sweepMarks();
      // Synced from another MISP, published 12 hours ago (before the cursor): only the sweep reads it
      // and pushes its values, so its pushes can fail. (A refresh is a PUT, never a push again.)
      world.misp.addEvent({
        Event: {
          info: 'E2E: synced late',
          published: true,
          publish_timestamp: String(Math.floor((world.clock.now() - 12 * 3_600_000) / 1000)),
          Attribute: ['a', 'b', 'c'].map((name) => ({
            type: 'domain',
            value: `${name}.synced-late.example.org`,
            to_ids: true,
          })),
        },
      });
      // Event 3 deleted: a whole read would revoke its values.
      deleteEvent(world.misp.store, 3);
      const running: ReturnType<E2eWorld['run']> = world.run(
        ['--once', '--reconcile'],
        trigger(fields),
        stopping(stop, () => running),
      );
      await running.exit;
      expect(world.sekoia.apiRequests().filter((request) => request.startsWith('DELETE'))).toEqual([]);
      expect(revokedValues()).toEqual([]);
      if (stop !== 'an abort') expect(lastSweep()).toMatchObject({ complete: false, revoked: 0 });
      expect((await sweepMarks()).lastSweepAtMs).toBe(before.lastSweepAtMs);

      // Back to normal: the next sweep reads the whole window and revokes event 3's values.
      world.sekoia.faults.clear();
      world.sekoia.settings.rejectImports = false;
      world.clock.advance(60_000);
      await expect(world.run(['--once', '--reconcile'], trigger(fields)).exit).resolves.toBe(0);
      expect(lastSweep()).toMatchObject({ complete: true, revoked: EVENT_3_VALUES });
      expect((await sweepMarks()).lastSweepAtMs).toBeGreaterThan(before.lastSweepAtMs ?? 0);
    },
  );

  it("names itself on every import (MISP host, trigger configuration), beside ioc_context's description; never revokes what another source created, and counts it", async () => {
    // An analyst imported one of the values first, with their own description.
    await api('POST', '/indicators/text', {
      indicators: '198.51.100.23',
      format: 'ipv4-addr.value',
      description: 'Blocked by the SOC after incident 42',
    });
    world.sekoia.landPendingImports();
    await expect(world.run(['--once'], trigger({ ioc_context: true })).exit).resolves.toBe(0);
    const host = new URL(world.misp.url).host;
    for (const indicator of world.sekoia.collection(E2E_COLLECTION).indicators) {
      if (indicator.value === '198.51.100.23') {
        expect(indicator.description).toBe('Blocked by the SOC after incident 42');
        continue;
      }
      expect(indicator.description).toMatch(/^MISP event \d+ /);
      expect(indicator.description).toContain(
        `\nPushed by the MISP IDS trigger from MISP ${host} (trigger configuration ${DEFAULT_NAMESPACE})`,
      );
    }
    world.misp.updateAttribute(attributeIdOf('198.51.100.23'), { to_ids: false }, { publish: true });
    await expect(world.run(['--once', '--reconcile'], trigger()).exit).resolves.toBe(0);
    expect(lastSweep()).toMatchObject({ withdrawn: 1, revoked: 0, not_ours: 1, complete: true });
    expect(revokedValues()).toEqual([]);
    expect(world.sekoia.logs().map((log) => String(log.message))).toContainEqual(
      expect.stringContaining('1 held by another source or pushed before 1.2.0 (never revoked)'),
    );
  });

  it('counts a withdrawn value with no indicator in the collection as not found, keeps it and tries again at the next sweep', async () => {
    await expect(world.run(['--once'], trigger({ ioc_validity_days: 30 })).exit).resolves.toBe(0);
    // An analyst revoked the indicator, then deleted it for good a day later.
    const id = await indicatorIdOf('198.51.100.23');
    await api('DELETE', `/indicators/${id}`, {});
    world.clock.advance(DAY_MS + 60_000);
    await api('DELETE', `/indicators/${id}`, { force_deletion: true });
    world.misp.updateAttribute(attributeIdOf('198.51.100.23'), { to_ids: false }, { publish: true });
    await expect(world.run(['--once', '--reconcile'], trigger({ ioc_validity_days: 30 })).exit).resolves.toBe(
      0,
    );
    expect(lastSweep()).toMatchObject({ withdrawn: 1, revoked: 0, not_found: 1 });
    expect(world.sekoia.logs().map((log) => String(log.message))).toContainEqual(
      expect.stringContaining('1 not found in the IOC Collection (tried again at the next reconciliation)'),
    );
    world.clock.advance(60_000);
    await expect(world.run(['--once', '--reconcile'], trigger({ ioc_validity_days: 30 })).exit).resolves.toBe(
      0,
    );
    expect(lastSweep()).toMatchObject({ withdrawn: 1, revoked: 0, not_found: 1 });
  });
});
