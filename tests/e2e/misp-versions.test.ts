import type { MispEventDocument } from '../../tools/emulators/misp';
import { E2eWorld } from '../helpers/e2e-world';

/**
 * One published event of 5,000 (then 7,500) IDS attributes, read by the real trigger from the
 * emulator playing each MISP version whose paging headers differ: up to 2.4.194 X-Result-Count
 * counts from the first row, from 2.4.195 it is the page's own, from 2.4.196
 * X-Skipped-Elements-Count comes too. An event is read in one answer when its attribute_count is
 * below twice MISP_PAGE_SIZE (3,600) before any answer is seen: 5,000 is one answer, whatever the
 * version. A bigger one is read alone in pages of 3,600: 7,500 is two full pages and a short one,
 * 10,800 three full pages and an empty one, where the versions' headers differ most. Read in a
 * handful of requests, exact, on each.
 */
function bigEvent(attributes: number): (nowSeconds: number) => MispEventDocument[] {
  return (nowSeconds) => [
    {
      Event: {
        info: `E2E: one event of ${attributes} IDS attributes`,
        published: true,
        publish_timestamp: String(nowSeconds - 600),
        timestamp: String(nowSeconds - 600),
        Attribute: Array.from({ length: attributes }, (_, i) => ({
          type: 'domain',
          value: `host-${i}.five-thousand.example`,
          to_ids: true,
        })),
      },
    },
  ];
}

let world: E2eWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('one big event on every MISP paging', () => {
  it.each([
    ['2.4.194', 5000, 1, 1],
    ['2.4.195', 5000, 1, 1],
    ['2.5.1', 5000, 1, 1],
    ['2.4.194', 7500, 3, 2],
    ['2.4.195', 7500, 3, 2],
    ['2.5.1', 7500, 3, 2],
    ['2.4.194', 10800, 4, 2],
    ['2.4.195', 10800, 4, 2],
    ['2.5.1', 10800, 4, 2],
  ])(
    'MISP %s, %i attributes: the cycle ends, exact, in %i attribute answers and %i listings',
    async (version, attributes, pages, listings) => {
      world = await E2eWorld.start({ events: bigEvent(attributes), mispVersion: version });
      await expect(world.run(['--once']).exit).resolves.toBe(0);
      const values = world.collectionIocs().map((ioc) => ioc.value);
      expect(new Set(values).size).toBe(attributes);
      expect(values).toContain(`host-${attributes - 1}.five-thousand.example`);
      const counts = world.misp.requestCounts();
      expect(counts['/attributes/restSearch']).toBe(pages);
      // A big event is listed again after its pages (did it change while it was read?).
      expect(counts['/events/restSearch']).toBe(listings);
    },
  );
});
