import { waitFor } from '../helpers/e2e-clock';
import { E2E_COLLECTION, E2E_SECRETS, E2E_SEKOIA_KEY, E2eWorld } from '../helpers/e2e-world';

/**
 * The trigger against the IOC Collection API as Sekoia's OpenAPI description has it (the emulator
 * rebuilt from it): the start-up read of the collection, a 202 import landing later, a collection
 * that refuses imports whatever they hold, a 413 for a large body.
 */
const WRONG_COLLECTION = 'ioc-collection--0badc0de-0000-4000-8000-000000000000';

describe('the IOC Collection API, end to end', () => {
  let world: E2eWorld;
  beforeEach(async () => {
    world = await E2eWorld.start();
  });
  afterEach(async () => {
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
    await world.close();
  });

  /** Runs the trigger until its critical line is shipped; returns the console's critical lines. */
  async function criticalAtStartUp(trigger?: Record<string, unknown>): Promise<string[]> {
    const run = world.run([], trigger ? { trigger } : {});
    await waitFor('the critical line to be shipped', () =>
      world.sekoia.logs().some((log) => log.level === 'critical'),
    );
    run.signals.fire('SIGTERM');
    await run.exit;
    return run.console.lines.filter((line) => / CRITICAL /.test(line));
  }

  it('a wrong collection UUID: one critical naming the UUID and the region, and no MISP request', async () => {
    const critical = await criticalAtStartUp({
      ioc_collection_server: world.sekoia.url,
      ioc_collection_uuid: WRONG_COLLECTION,
      publish_timestamp: 1,
      sleep_time: 60,
    });
    expect(critical).toHaveLength(1);
    expect(critical[0]).toContain(`IOC Collection ${WRONG_COLLECTION} not found in the Sekoia.io region`);
    expect(critical[0]).toContain('ioc_collection_server');
    expect(world.misp.requestCounts()).toEqual({});
    expect(world.sekoia.logs().filter((log) => log.level === 'critical')).toHaveLength(1);
  });

  it('a key without the IOC collection permissions: one critical naming the key and the permissions', async () => {
    world.sekoia.settings.apiKeys.set(E2E_SEKOIA_KEY, 'no-ioc');
    const critical = await criticalAtStartUp();
    expect(critical).toHaveLength(1);
    expect(critical[0]).toContain(
      'with 403 (Insufficient permissions): sekoia_api_key lacks the permissions "View IOC collections" ' +
        '(to check the collection) and "Manage IOC collections" (to push)',
    );
    expect(world.misp.requestCounts()).toEqual({});
  });

  it('pushes the sample through 202 answers: the collection holds it once the imports landed', async () => {
    const run = world.run(['--once']);
    await expect(run.exit).resolves.toBe(0);
    const report = world.sekoia.collection(E2E_COLLECTION);
    expect(report.pendingTasks).toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
    const [event] = world.sekoia.events();
    expect(event.event).toMatchObject({ task_ids: expect.arrayContaining([expect.any(String)]) });
    expect(event.event).not.toHaveProperty('iocs_created');
  });

  it('imports refused as a whole: the first batch is split once, then the cycle ends without moving the cursor', async () => {
    world.sekoia.settings.rejectImports = true;
    const run = world.run(['--once']);
    await run.exit;
    const imports = run.console.lines.filter((line) =>
      line.includes('both halves of the batch were refused'),
    );
    expect(imports.length).toBeGreaterThan(0);
    expect(world.sekoia.collection(E2E_COLLECTION).importRequests).toBe(0);
    // The batch, its two halves: nothing else.
    expect(requestsTo('/indicators/text')).toBe(3);
    expect(world.sekoia.apiRequests()[0]).toBe(`GET /v2/inthreat/ioc-collections/${E2E_COLLECTION}`);
  });

  it('a 413 for a large body halves the batches, logged once; the collection ends complete', async () => {
    world.sekoia.settings.maxBodyBytes = 400;
    const run = world.run(['--once']);
    await expect(run.exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
    const halved = run.console.lines.filter((line) => line.includes('refused a batch for its size with 413'));
    expect(halved).toHaveLength(1);
  });

  it('ioc_context: every IOC lands with the MISP event it comes from, and no key', async () => {
    const run = world.run(['--once'], {
      trigger: {
        ioc_collection_server: world.sekoia.url,
        ioc_collection_uuid: E2E_COLLECTION,
        publish_timestamp: 1,
        sleep_time: 60,
        ioc_context: true,
      },
    });
    await expect(run.exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
    const indicators = world.sekoia.collection(E2E_COLLECTION).indicators;
    for (const indicator of indicators) {
      expect(indicator.description).toMatch(
        new RegExp(`^MISP event \\d+ \\(${world.misp.url.replace(/[.]/g, '\\.')}/events/view/\\d+\\)`),
      );
    }
    const events = new Set(
      indicators.map((indicator) => /^MISP event (\d+)/.exec(indicator.description ?? '')?.[1]),
    );
    expect(events.size).toBeGreaterThan(1);
  });

  /** IOC Collection API requests the emulator received whose path ends with `suffix`. */
  function requestsTo(suffix: string): number {
    return world.sekoia.apiRequests().filter((request) => request.endsWith(suffix)).length;
  }
});
