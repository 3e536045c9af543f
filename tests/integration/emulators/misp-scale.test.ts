import { SUPPORTED_TYPES, startMispEmulator } from '../../../tools/emulators/misp';
import { serializeAttribute } from '../../../tools/emulators/misp/serialize';
import { postJson } from './http-client';

const NOW = 1_750_000_000;

/** Figures are printed, not asserted: timings on a shared machine are noise, not a contract. */
function report(figures: Record<string, number>): void {
  process.stdout.write(`MISP emulator at scale: ${JSON.stringify(figures)}\n`);
}

describe('MISP emulator at 1,000,000 attributes', () => {
  it('generates and loads them, and serves pages of 5,000 from one cached scan', async () => {
    const rssBefore = process.memoryUsage().rss;
    const started = process.hrtime.bigint();
    const misp = await startMispEmulator({
      generate: { seed: 7, attributes: 1_000_000, now: NOW },
      now: () => NOW * 1000,
    });
    const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
    try {
      expect(misp.store.size).toBe(1_000_000);
      const body = (page: number): Record<string, unknown> => ({
        returnFormat: 'json',
        to_ids: 1,
        published: 1,
        publish_timestamp: [NOW - 31 * 86400, NOW],
        type: SUPPORTED_TYPES,
        enforceWarninglist: true,
        order: 'Attribute.id asc',
        limit: 5000,
        page,
      });
      const timed = async (page: number): Promise<{ ms: number; count: number; last: number }> => {
        const t = process.hrtime.bigint();
        const response = await postJson(`${misp.url}/attributes/restSearch`, body(page), {
          Authorization: misp.apiKey,
        });
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        const attributes = response.json<{ response: { Attribute: Array<{ id: string }> } }>().response
          .Attribute;
        return { ms, count: attributes.length, last: Number(attributes[attributes.length - 1]?.id ?? 0) };
      };
      const first = await timed(1);
      const second = await timed(2);
      expect(first.count).toBe(5000);
      expect(second.count).toBe(5000);
      expect(second.last).toBeGreaterThan(first.last);
      expect(misp.searchScans()).toBe(1);
      const beyond = await timed(1000);
      expect(beyond.count).toBe(0);

      // Serialisation alone, server side, of one page of 5,000 rows (median of 9).
      const samples: number[] = [];
      for (let round = 0; round < 9; round += 1) {
        const t = process.hrtime.bigint();
        let bytes = 0;
        for (let row = round * 5000; row < (round + 1) * 5000; row += 1)
          bytes += serializeAttribute(misp.store, row, false).length;
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
        expect(bytes).toBeGreaterThan(0);
      }
      samples.sort((a, b) => a - b);
      report({
        generateAndLoadMs: Math.round(loadMs),
        firstPageMs: Math.round(first.ms),
        secondPageMs: Math.round(second.ms),
        serialize5000MedianMs: Number(samples[4].toFixed(1)),
        rssGrowthMb: Math.round((process.memoryUsage().rss - rssBefore) / 1e6),
      });
    } finally {
      await misp.close();
    }
  }, 120_000);
});
