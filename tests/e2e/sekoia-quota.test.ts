import triggerJson from '../../trigger_misp_ids_to_ioc.json';
import { createAjv } from '../../src/runtime/schema';
import { E2E_COLLECTION, E2E_SECRETS, E2eWorld } from '../helpers/e2e-world';

const CYCLE_EVENT = 'MISP IDS attributes pushed';

/** The community's quota (count-total-iocs) against the Sekoia.io emulator, through main(). */
describe("the community's IOC quota (in process, through main)", () => {
  let world: E2eWorld;
  beforeEach(async () => (world = await E2eWorld.start()));
  afterEach(() => world.close());

  const shipped = (level: string): string[] =>
    world.sekoia
      .logs()
      .filter((log) => log.level === level)
      .map((log) => String(log.message));
  const cycleEvents = (): Array<Record<string, unknown>> =>
    world.sekoia
      .events()
      .filter((event) => event.name === CYCLE_EVENT)
      .map((event) => event.event as Record<string, unknown>);

  it('a full community loses nothing: what did not fit is pushed once room is made, and one error line says so', async () => {
    const expected = world.expected().iocs;
    // Other collections of the community hold all but 5 of the quota.
    world.sekoia.settings.iocQuota = 1000;
    world.sekoia.settings.otherCommunityIocs = 995;

    await world.run(['--once']).exit;
    const landed = world.collectionIocs();
    expect(landed).toHaveLength(5);
    expect(world.sekoia.tasks().every((task) => task.over_quota === 0)).toBe(true);
    const errors = shipped('error').filter((line) => line.includes('quota'));
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(
          "^Pushing to Sekoia\\.io failed: the community's IOC quota is reached \\(1,000 of 1,000 IOCs, " +
            'count-total-iocs\\): what did not fit was not pushed, and is pushed once room is made\\. To make ' +
            `room: .* 2 batches \\(5 IOCs\\) were pushed and recorded; the other ${expected.length - 5} IOCs read ` +
            'so far and the rest of the window will be pushed by the next run\\. Nothing is lost\\.$',
        ),
      ),
    ]);
    expect(shipped('warning')).toContainEqual(expect.stringMatching(/holds 995 of its 1,000 IOCs \(99%/));
    const [event] = cycleEvents();
    expect(event).toMatchObject({ complete: false, iocs_pushed: 5, quota: { count: 1000, max: 1000 } });
    expect(createAjv().compile(triggerJson.results)(event)).toBe(true);

    // Still full: nothing more is sent, nothing is lost.
    await world.run(['--once']).exit;
    expect(world.collectionIocs()).toHaveLength(5);

    // Room made (the other collections emptied): the rest goes, nothing twice.
    world.sekoia.settings.otherCommunityIocs = 0;
    await expect(world.run(['--once']).exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(expected);
    expect(world.sekoia.collection(E2E_COLLECTION).duplicates).toBe(0);
    expect(cycleEvents().at(-1)).toMatchObject({
      complete: true,
      iocs_pushed: expected.length - 5,
      quota: { count: expected.length, max: 1000 },
    });
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
  });

  it('warns at 80% of the quota at start-up, with the figures and what to do', async () => {
    world.sekoia.settings.iocQuota = 1000;
    world.sekoia.settings.otherCommunityIocs = 810;
    await expect(world.run(['--once']).exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
    expect(shipped('warning')).toContainEqual(
      'The Sekoia.io community holds 810 of its 1,000 IOCs (81%, all collections together): at the quota, ' +
        'new IOCs are not imported. To make room: narrow attribute_types or the tag filters (include_tags, ' +
        'exclude_tags), set ioc_validity_days so that old IOCs expire, remove IOCs the community no longer ' +
        'needs, or push into a collection of another community.',
    );
    expect(world.sekoia.apiRequests()).toContain('GET /v2/inthreat/ioc-collections/count-total-iocs');
  });
});
