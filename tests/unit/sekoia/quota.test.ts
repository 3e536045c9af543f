import { SekoiaError } from '../../../src/sekoia/errors';
import {
  assumedCount,
  QUOTA_REREAD_EVERY,
  QUOTA_SETTLE_MS,
  QuotaFullError,
  quotaLevel,
  QuotaWatch,
  quotaWarningLine,
  type QuotaCount,
} from '../../../src/sekoia/quota';

/** A watch over a community whose count the test sets; readings and warnings recorded. */
function watchOf(start: QuotaCount) {
  const community = { ...start };
  let now = Date.parse('2026-12-01T00:00:00Z');
  const warnings: string[] = [];
  let readings = 0;
  const watch = new QuotaWatch(
    async () => {
      readings += 1;
      return { ...community };
    },
    () => now,
    (line) => warnings.push(line),
  );
  return {
    watch,
    community,
    warnings,
    readings: () => readings,
    advance: (ms: number) => (now += ms),
  };
}

describe('the quota, as plain functions', () => {
  it('levels at 80% and 95% of max', () => {
    expect(quotaLevel({ count: 399_999, max: 500_000 })).toBe(0);
    expect(quotaLevel({ count: 400_000, max: 500_000 })).toBe(0.8);
    expect(quotaLevel({ count: 475_000, max: 500_000 })).toBe(0.95);
    expect(quotaLevel({ count: 500_000, max: 500_000 })).toBe(0.95);
  });

  it('the warning gives the figures and what to do', () => {
    expect(quotaWarningLine({ count: 412_345, max: 500_000 })).toBe(
      'The Sekoia.io community holds 412,345 of its 500,000 IOCs (82%, all collections together): at the ' +
        'quota, new IOCs are not imported. To make room: narrow attribute_types or the tag filters ' +
        '(include_tags, exclude_tags), set ioc_validity_days so that old IOCs expire, remove IOCs the ' +
        'community no longer needs, or push into a collection of another community.',
    );
  });

  it('assumes imports not landed yet are new until they settle, and never counts a landed one twice', () => {
    expect(assumedCount(100, 90, 20, true)).toBe(110);
    expect(assumedCount(115, 90, 20, true)).toBe(115);
    expect(assumedCount(95, 90, 20, false)).toBe(95);
  });

  it('QuotaFullError is not fatal and says what happens to what did not fit, and what to do', () => {
    const error = new QuotaFullError({ count: 500_000, max: 500_000 });
    expect(error).toBeInstanceOf(SekoiaError);
    expect(error.fatal).toBe(false);
    expect(error.message).toMatch(
      /^the community's IOC quota is reached \(500,000 of 500,000 IOCs, count-total-iocs\): what did not fit was not pushed, and is pushed once room is made\. To make room/,
    );
  });
});

describe('QuotaWatch', () => {
  it('admits all of a batch that fits, and reads again only every QUOTA_REREAD_EVERY values', async () => {
    const { watch, readings } = watchOf({ count: 0, max: 500_000 });
    for (let pushed = 0; pushed < 3 * QUOTA_REREAD_EVERY; pushed += 1000) {
      expect(await watch.admit(1000)).toBe(1000);
      watch.accepted(1000);
    }
    expect(readings()).toBe(3);
  });

  it('cuts the batch that would pass max, reading first; values accepted since count until they settle', async () => {
    const { watch, community, advance, readings } = watchOf({ count: 480_000, max: 500_000 });
    await watch.refresh();
    expect(await watch.admit(1000)).toBe(1000);
    watch.accepted(1000);
    // The import has not landed: the reading still says 480,000, the watch assumes 481,000.
    community.count = 480_000;
    for (let batch = 0; batch < 18; batch += 1) watch.accepted(1000);
    expect(await watch.admit(1000)).toBe(1000);
    expect(readings()).toBe(2);
    watch.accepted(1000);
    expect(await watch.admit(1000)).toBe(0);
    // Once settled, the reading is believed: 19,000 of them were values the community held.
    advance(QUOTA_SETTLE_MS);
    community.count = 481_000;
    expect(await watch.admit(1000)).toBe(1000);
    expect(watch.current).toEqual({ count: 481_000, max: 500_000 });
    watch.accepted(1000);
    expect(watch.current).toEqual({ count: 482_000, max: 500_000 });
  });

  it('warns once at 80% and once at 95%, again after the count went down and up', async () => {
    const { watch, community, warnings } = watchOf({ count: 100, max: 1000 });
    await watch.refresh();
    community.count = 800;
    await watch.refresh();
    await watch.refresh();
    community.count = 960;
    await watch.refresh();
    expect(warnings).toEqual([
      expect.stringMatching(/holds 800 of its 1,000 IOCs \(80%/),
      expect.stringMatching(/960 of its 1,000 IOCs \(96%/),
    ]);
    community.count = 500;
    await watch.refresh();
    community.count = 850;
    await watch.refresh();
    expect(warnings).toHaveLength(3);
  });

  it('an API without count-total-iocs: one warning, and pushes go on unwatched', async () => {
    const warnings: string[] = [];
    const rejected = new SekoiaError('Sekoia.io answered 404', {
      kind: 'rejected',
      status: 404,
      operation: { method: 'GET', url: '/v2/inthreat/ioc-collections/count-total-iocs' },
    });
    let readings = 0;
    const watch = new QuotaWatch(
      async () => {
        readings += 1;
        throw rejected;
      },
      () => 0,
      (line) => warnings.push(line),
    );
    expect(await watch.admit(1000)).toBe(1000);
    expect(await watch.admit(1000)).toBe(1000);
    expect(readings).toBe(1);
    expect(warnings).toEqual([
      expect.stringMatching(/^The community's IOC count could not be read \(count-total-iocs: /),
    ]);
  });

  it('a Sekoia.io outage while reading is thrown: the push would fail the same way', async () => {
    const outage = new SekoiaError('Sekoia.io is unavailable', {
      kind: 'unavailable',
      operation: { method: 'GET', url: '/v2/inthreat/ioc-collections/count-total-iocs' },
    });
    const watch = new QuotaWatch(
      () => Promise.reject(outage),
      () => 0,
      () => undefined,
    );
    await expect(watch.admit(10)).rejects.toBe(outage);
  });
});
