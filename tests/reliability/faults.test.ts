import { loseAnswerOf, scheduleFaults } from '../helpers/reliability-hooks';
import { MISP_SEARCH, ReliabilityWorld, SEKOIA_IMPORT } from '../helpers/reliability-world';

/**
 * Storms of faults in one cycle, on a data set of several pages and batches. tests/e2e/faults.test.ts
 * shows each knob alone; here they come mixed, and each case also counts what was pushed twice and
 * scans every output (console, shipped logs, events, client errors printed in full) for secrets.
 */
const ATTRIBUTES = 10_000; // 3 pages of 2,000 selected attributes, 8 batches

describe('fault storms: the collection ends complete, nothing twice, no secret anywhere', () => {
  let world: ReliabilityWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('Sekoia: 429 (Retry-After seconds), 429 (HTTP date), a mixed burst of 500/502/503, a read timeout, a reset', async () => {
    world = await ReliabilityWorld.start({ attributes: ATTRIBUTES });
    const requests = scheduleFaults(world.sekoia.faults, SEKOIA_IMPORT, {
      2: [{ kind: 'rate-limit', retryAfterSeconds: 2 }],
      4: [{ kind: 'rate-limit', retryAfterSeconds: 3, retryAfterForm: 'http-date' }],
      6: [
        { kind: 'status', status: 500 },
        { kind: 'status', status: 502 },
        { kind: 'status', status: 503 },
        { kind: 'status', status: 500 },
      ],
      11: [{ kind: 'hang' }],
      13: [{ kind: 'drop' }, { kind: 'drop' }],
    });
    const run = world.run({ flags: ['--once'] });
    await expect(run.exit).resolves.toBe(0);

    expect(world.sekoia.faults.counts()).toMatchObject({ 'rate-limit': 2, status: 4, hang: 1, drop: 2 });
    // 8 batches, 9 failed attempts: every batch went through on a retry, none was dropped.
    expect(requests()).toBe(17);
    expect(world.collection().importRequests).toBe(8);
    const waits = world.gatedClock.retryWaits;
    expect(waits).toContain(2000); // Retry-After: 2
    expect(waits.some((ms) => ms > 2000 && ms <= 3000)).toBe(true); // the HTTP date, 3 s ahead
    expect(run.console.text).not.toMatch(/ERROR|CRITICAL/);
    expect(world.expectNothingLostNothingLeaked().repushed).toBe(0);
  });

  it('Sekoia: a batch stored but whose answer is lost is pushed again once, and only that batch', async () => {
    world = await ReliabilityWorld.start({ attributes: ATTRIBUTES });
    loseAnswerOf(world.sekoia.faults, SEKOIA_IMPORT, 3);
    const run = world.run({ flags: ['--once'] });
    await expect(run.exit).resolves.toBe(0);

    const collection = world.collection();
    expect(collection.importRequests).toBe(9); // the lost one was stored, then sent again
    const { repushed } = world.expectNothingLostNothingLeaked();
    expect(repushed).toBeGreaterThan(0); // the re-post happened: the accounting can see it
    expect(repushed).toBe(collection.valuesReceived - collection.indicators.length);
  });

  it('MISP: 500, 502, 503 on page 1; 429 then a malformed body on page 2; a reset then a read timeout on page 3', async () => {
    world = await ReliabilityWorld.start({ attributes: ATTRIBUTES });
    const requests = scheduleFaults(world.misp.faults, MISP_SEARCH, {
      1: [
        { kind: 'status', status: 500 },
        { kind: 'status', status: 502 },
        { kind: 'status', status: 503 },
      ],
      5: [{ kind: 'rate-limit', retryAfterSeconds: 1 }, { kind: 'malformed' }],
      8: [{ kind: 'drop' }, { kind: 'hang' }],
    });
    const run = world.run({ flags: ['--once'] });
    await expect(run.exit).resolves.toBe(0);

    expect(world.misp.faults.counts()).toMatchObject({
      status: 3,
      'rate-limit': 1,
      malformed: 1,
      drop: 1,
      hang: 1,
    });
    // One answer per group of events read, plus the 7 failed attempts.
    const pages = Number(/Cycle done .* (\d+) pages/.exec(run.console.text)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(requests()).toBe(pages + 7);
    expect(run.console.text).not.toMatch(/ERROR|CRITICAL/);
    expect(world.expectNothingLostNothingLeaked().repushed).toBe(0);
  });
});
