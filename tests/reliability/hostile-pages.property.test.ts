import fc from 'fast-check';
import { iocKey } from '../../src/pipeline/keys';
import { mapAttribute } from '../../src/pipeline/mapping';
import { runCycle } from '../../src/trigger/cycle';
import { attribute, cycleHarness } from '../unit/trigger/support';

/**
 * tests/property/mapping.property.test.ts feeds hostile attributes to mapAttribute alone. Here whole
 * pages of them go through a cycle (mapping, validation, dedupe, batching, push, state): the cycle
 * never throws, completes, and every attribute read is accounted for: pushed, already taken, or
 * counted as skipped. Nothing vanishes.
 */
const TYPES = [
  'ip-dst',
  'ip-dst|port',
  'domain',
  'domain|ip',
  'url',
  'md5',
  'sha1',
  'sha256',
  'filename|md5',
];

const hostileText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('|', ' | ', '||', '\u0000', '\u2028', '\ufeff', '😀', 'x'.repeat(100_000), '1.2.3.4|'),
  fc
    .tuple(fc.oneof(fc.ipV4(), fc.domain()), fc.constantFrom('|', ' |', '\n', '|\u0000'))
    .map((p) => p.join('')),
);
const value = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.webUrl(),
  fc.stringMatching(/^[0-9a-f]{32}$|^[0-9a-f]{40}$|^[0-9a-f]{64}$/),
  fc.tuple(fc.domain(), fc.ipV4()).map(([d, ip]) => `${d}|${ip}`),
  hostileText,
  fc.anything(),
);
/** A MISP attribute in wire format whose type and value may be anything, or not an object at all. */
const hostileAttribute = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.oneof(fc.constantFrom(...TYPES), fc.string(), fc.anything()), value)
      .map(([type, v]) => ({ ...attribute('ip-dst', ''), type, value: v })),
  },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom(...TYPES) }) },
);

describe('hostile MISP pages through a whole cycle', () => {
  it('never throws, completes, and accounts for every attribute', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(hostileAttribute, { maxLength: 40 }), { maxLength: 4 }),
        async (pages) => {
          const harness = cycleHarness(pages, { settings: { attribute_types: TYPES } });
          const report = await runCycle(harness.deps);

          const enabled = new Set(TYPES);
          const mapped = pages.flat().map((raw) => mapAttribute(raw, enabled));
          const iocKeys = mapped.flatMap((result) => result.iocs.map(iocKey));
          expect(report.failures).toEqual([]);
          expect(report.cursorMoved).toBe(true);
          expect(report.attributesRead).toBe(pages.flat().length);
          // Each attribute: mapped to IOCs, or skipped and counted (domain|ip may do both).
          const skipped = Object.values(report.tally.counts()).reduce((sum, n) => sum + n, 0);
          expect(skipped).toBe(mapped.filter((result) => result.skipped).length);
          // Each IOC: pushed once, or already taken in this cycle.
          expect(report.iocsPushed + report.alreadyPushed).toBe(iocKeys.length);
          expect(report.iocsPushed).toBe(new Set(iocKeys).size);
          expect(new Set(harness.sink.acceptedValues()).size).toBe(report.iocsPushed);
        },
      ),
      { numRuns: 150 },
    );
  });
});
