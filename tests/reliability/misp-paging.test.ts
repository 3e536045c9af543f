import { waitFor } from '../helpers/e2e-clock';
import { scheduleFaults } from '../helpers/reliability-hooks';
import { MISP_SEARCH, ReliabilityWorld } from '../helpers/reliability-world';

/** 3 pages of 2,000 selected attributes (then the empty page that ends the search). */
const ATTRIBUTES = 10_000;

function criticalLines(text: string): string[] {
  return text.split('\n').filter((line) => / CRITICAL /.test(line));
}

describe('MISP failing in the middle of paging', () => {
  let world: ReliabilityWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('a 403 on the 5th attribute search: one critical naming misp_api_key, idle until stopped, nothing pushed is lost; a restart completes', async () => {
    // Groups of about 3,600 selected attributes each: the first 4 fill whole batches (pushed) before the 5th is refused.
    world = await ReliabilityWorld.start({ attributes: 30_000 });
    scheduleFaults(world.misp.faults, MISP_SEARCH, { 5: [{ kind: 'status', status: 403 }] });
    const first = world.run();
    await waitFor('the critical line', () => / CRITICAL /.test(first.console.text));

    // A 403 after a good page is a key revoked while paging: fatal, told once with the fix.
    const critical = criticalLines(first.console.text);
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatch(/MISP refused the API key \(403 .*check misp_api_key in the account form/);
    // Idle: no retry, no further page, until stopped.
    const searches = world.misp.requestCounts()[MISP_SEARCH];
    const pushed = world.collection().indicators.length;
    await new Promise((resolve) => setImmediate(resolve));
    expect(world.misp.requestCounts()[MISP_SEARCH]).toBe(searches);
    expect(world.gatedClock.retryWaits).toEqual([]);
    // The full batches of the first 4 answers went out (and were recorded) before the 5th failed.
    expect(pushed).toBeGreaterThanOrEqual(1000);
    expect(pushed).toBeLessThan(world.expected().length);
    first.signals.fire('SIGTERM');
    await expect(first.exit).resolves.toBe(0);

    // The key is fixed (the fault is gone): a restart on the same data path completes the collection.
    const second = world.run({ flags: ['--once'] });
    await expect(second.exit).resolves.toBe(0);
    expect(second.console.text).not.toMatch(/ERROR|CRITICAL/);
    expect(second.console.text).toMatch(/already pushed/);
    expect(world.expectNothingLostNothingLeaked().repushed).toBe(0);
  });

  it('page 2 never ends (every attempt hangs): read timeouts, retried, the cycle fails, the next cycle completes', async () => {
    world = await ReliabilityWorld.start({ attributes: ATTRIBUTES });
    const hang = { kind: 'hang' } as const;
    scheduleFaults(world.misp.faults, MISP_SEARCH, { 2: [hang, hang, hang, hang, hang, hang] });
    const run = world.run();
    await world.gatedClock.untilParked(1);

    expect(world.misp.faults.counts().hang).toBe(6);
    // 6 attempts, 5 waits between them, then the cycle ends in an error line, not a critical.
    expect(world.gatedClock.retryWaits).toHaveLength(5);
    expect(run.console.text).toMatch(
      /ERROR +Reading MISP failed after 1 page: MISP did not answer in time.*after 6 attempts.*Nothing is lost\./,
    );
    expect(run.console.text).not.toMatch(/CRITICAL/);
    // What page 1 gave was pushed and recorded, the rest waits for the next cycle.
    const afterFailure = world.collection().indicators.length;
    expect(afterFailure).toBeGreaterThan(0);
    expect(afterFailure).toBeLessThan(world.expected().length);

    world.gatedClock.release();
    await world.gatedClock.untilParked(2);
    expect(run.console.text).toMatch(/Cycle done .* \d+ pages/);
    run.signals.fire('SIGTERM');
    await expect(run.exit).resolves.toBe(0);
    expect(world.expectNothingLostNothingLeaked().repushed).toBe(0);
  });
});
