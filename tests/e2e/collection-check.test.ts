import triggerJson from '../../trigger_misp_ids_to_ioc.json';
import { createAjv } from '../../src/runtime/schema';
import { E2E_COLLECTION, E2E_SECRETS, E2eWorld } from '../helpers/e2e-world';

const RECONCILIATION = 'MISP IDS reconciliation';
const HOUR_MS = 3_600_000;

/** The sweep's check of the IOC Collection itself, against both emulators, through main(). */
describe('the collection check (in process, through main)', () => {
  let world: E2eWorld;
  beforeEach(async () => (world = await E2eWorld.start()));
  afterEach(() => world.close());

  const trigger = (fields: Record<string, unknown> = {}) => world.emulatorConfiguration(fields);
  const sweepEvents = (): Array<Record<string, unknown>> => world.sentEvents(RECONCILIATION);
  const infoLines = (): string[] => world.sekoia.logs().map((log) => String(log.message));

  it('an import that imported fewer values than sent is noticed by the next check, and the missing values pushed', async () => {
    const expected = world.expected().iocs;
    // The imports are accepted (202) and land later; meanwhile the community fills up elsewhere.
    world.sekoia.settings.importDelayMs = 3_600_000;
    await expect(world.run(['--once'], trigger()).exit).resolves.toBe(0);
    world.sekoia.settings.otherCommunityIocs = 500_000 - 3;
    world.sekoia.landPendingImports();
    const tasks = world.sekoia.tasks();
    expect(tasks.reduce((sum, task) => sum + task.imported, 0)).toBe(3);
    expect(tasks.reduce((sum, task) => sum + task.total, 0)).toBe(expected.length);
    expect(world.collectionIocs()).toHaveLength(3);

    // Room is made; the next sweep's collection check finds what is missing and pushes it.
    world.sekoia.settings.otherCommunityIocs = 0;
    world.sekoia.settings.importDelayMs = 0;
    world.clock.advance(HOUR_MS);
    await expect(world.run(['--once', '--reconcile'], trigger()).exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(expected);
    const [event] = sweepEvents();
    expect(event).toMatchObject({
      complete: true,
      missing_pushed: 0,
      collection_check: {
        complete: true,
        listed: 3,
        absent_pushed: expected.length - 3,
        looked_up: expected.length - 3,
        refreshed: 0,
      },
    });
    expect(createAjv().compile(triggerJson.results)(event)).toBe(true);
    expect(infoLines()).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `collection checked: 3 indicators listed, 0 given a new expiry \\(PUT\\), ${expected.length - 3} recorded ` +
            'as pushed but absent pushed again, 0 revoked while MISP flags them',
        ),
      ),
    );
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
  });

  it('runs on its own schedule: not in a sweep within collection_check_every_hours of the last check', async () => {
    const fields = { collection_check_every_hours: 48 };
    await expect(world.run(['--once'], trigger(fields)).exit).resolves.toBe(0);
    await expect(world.run(['--once', '--reconcile'], trigger(fields)).exit).resolves.toBe(0);
    expect(sweepEvents()[0].collection_check).toMatchObject({ complete: true });
    const lists = () =>
      world.sekoia
        .apiRequests()
        .filter((request) => request === `GET /v2/inthreat/ioc-collections/${E2E_COLLECTION}/indicators`);
    const afterFirst = lists().length;
    expect(afterFirst).toBeGreaterThan(0);

    // 25 hours later a scheduled sweep runs (reconcile_every_hours 24); the check is not due (48 h).
    world.clock.advance(25 * HOUR_MS);
    const run = world.run([], trigger(fields));
    await world.clock.untilParked(1);
    run.signals.fire('SIGTERM');
    await run.exit;
    expect(sweepEvents()).toHaveLength(2);
    expect(sweepEvents()[1].collection_check).toBeUndefined();
    expect(lists()).toHaveLength(afterFirst);
  });
});
