import type { MispEventDocument } from '../../tools/emulators/misp';
import { E2eWorld } from '../helpers/e2e-world';

/**
 * One published event of 5,000 IDS attributes, read by the real trigger from the emulator playing
 * each MISP version whose paging headers differ: up to 2.4.194 X-Result-Count counts from the first
 * row, from 2.4.195 it is the page's own, from 2.4.196 X-Skipped-Elements-Count comes too. Read in
 * a handful of requests, exact, on each.
 */
const ATTRIBUTES = 5000;

function bigEvent(nowSeconds: number): MispEventDocument[] {
  return [
    {
      Event: {
        info: 'E2E: one event of 5,000 IDS attributes',
        published: true,
        publish_timestamp: String(nowSeconds - 600),
        timestamp: String(nowSeconds - 600),
        Attribute: Array.from({ length: ATTRIBUTES }, (_, i) => ({
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

describe('one event of 5,000 attributes on every MISP paging', () => {
  it.each(['2.4.194', '2.4.195', '2.5.1'])(
    'MISP %s: the cycle ends, exact, in 5 MISP requests (the listing, 3 pages of 2,000, the event listed again)',
    async (version) => {
      world = await E2eWorld.start({ events: bigEvent, mispVersion: version });
      await expect(world.run(['--once']).exit).resolves.toBe(0);
      const values = world.collectionIocs().map((ioc) => ioc.value);
      expect(new Set(values).size).toBe(ATTRIBUTES);
      expect(values).toContain('host-4999.five-thousand.example');
      const counts = world.misp.requestCounts();
      expect(counts['/attributes/restSearch']).toBe(3);
      expect(counts['/events/restSearch']).toBe(2);
    },
  );
});
