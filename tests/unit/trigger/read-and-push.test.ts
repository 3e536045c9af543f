import { MispError } from '../../../src/misp/errors';
import { mapPage } from '../../../src/trigger/page-iocs';
import { emptyReadReport, readAndPush, startPushes } from '../../../src/trigger/read-and-push';
import type { MispEventGroup } from '../../../src/misp/types';
import { cycleHarness, ipAttributes } from './support';

/** A read of `pages` through the shared path, each group's values queued as they come. */
function readOf(pages: unknown[][]) {
  const h = cycleHarness(pages);
  const report = emptyReadReport(false);
  const { queue } = startPushes(h.deps, h.state, h.sink, h.clock.now(), h.clock.now() - 3_600_000);
  const taken: MispEventGroup[] = [];
  const read = () =>
    readAndPush({
      deps: h.deps,
      window: { startMs: h.clock.now() - 3_600_000, endMs: h.clock.now() },
      queue,
      report,
      take: async (group) => {
        taken.push(group);
        const { fresh } = await mapPage(group, h.deps.settings.attributeTypes, report.tally, queue);
        await queue.enqueue([...fresh]);
        return undefined;
      },
      finish: () => queue.finish(),
    });
  return { ...h, report, taken, read };
}

describe('reading a window and pushing it (the cycle and the sweep alike)', () => {
  it('is whole when it read to the end and every push went through', async () => {
    const r = readOf([ipAttributes(1500), ipAttributes(10, 2000)]);
    await expect(r.read()).resolves.toBe(true);
    expect(r.report).toMatchObject({ pages: 2, attributesRead: 1510, failures: [] });
  });

  it('is not whole when a failed push stopped the read before the end of the window', async () => {
    // 1,500 values: the first group fills a batch of 1,000, refused: the second group is never read.
    const r = readOf([ipAttributes(1500), ipAttributes(10, 2000), ipAttributes(10, 3000)]);
    r.sink.unavailableCalls = 1;
    await expect(r.read()).resolves.toBe(false);
    expect(r.taken.length).toBeLessThan(3);
    expect(r.report.failures.map((failure) => failure.service)).toEqual(['sekoia']);
  });

  it('is not whole when MISP fails, even though what was read is pushed', async () => {
    const r = readOf([ipAttributes(5), ipAttributes(5, 100)]);
    r.misp.options.failOnPage = 2;
    r.misp.options.error = new MispError('MISP was unavailable after 6 attempts (503)', {
      kind: 'server',
      status: 503,
      operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
    });
    await expect(r.read()).resolves.toBe(false);
    expect(r.report.failures.map((failure) => failure.service)).toEqual(['misp']);
    expect(r.sink.acceptedValues()).toHaveLength(5);
  });
});
