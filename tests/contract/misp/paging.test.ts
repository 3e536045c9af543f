import { mispResultCount, sendsSkippedCount } from '../../../tools/emulators/misp/paging-headers';
import { openMispTarget, VERSIONED_TARGETS, type MispTarget } from '../../helpers/misp-target';

/**
 * attributes/restSearch paging and its headers, events/restSearch's count, on both targets. The
 * real MISP must have the public DNS resolvers warninglist enabled (8.8.8.8 on it), as
 * ../shared/tools/real-misp sets it up.
 */
const LIMIT = 3;
const VALUES = 7;

describe.each(VERSIONED_TARGETS)('MISP contract: paging, on $name', ({ emulator }) => {
  let target: MispTarget;
  let eventId: number;
  let attributeIds: number[];

  beforeAll(async () => {
    target = await openMispTarget({ emulator });
    // Two values on the public DNS resolvers warninglist (MISP refuses one value twice in an event).
    const seeded = await target.rest.addEvent({
      info: `${target.runId} paging`,
      published: true,
      Attribute: Array.from({ length: VALUES }, (_, i) => ({
        type: 'ip-dst',
        value: i === 1 ? '8.8.8.8' : i === 4 ? '1.1.1.1' : `198.51.100.${10 + i}`,
        to_ids: true,
      })),
    });
    eventId = seeded.id;
    attributeIds = seeded.attributeIds;
    expect(attributeIds).toHaveLength(VALUES);
  });

  afterAll(async () => {
    await target.close();
  });

  interface Page {
    ids: number[];
    resultCount: string | null;
    skipped: string | null;
  }

  async function page(page: number, extra: Record<string, unknown> = {}): Promise<Page> {
    const answer = await target.rest.attributes({
      eventid: eventId,
      to_ids: 1,
      limit: LIMIT,
      page,
      order: 'Attribute.id asc',
      ...extra,
    });
    expect(answer.status).toBe(200);
    return {
      ids: answer.body.response.Attribute.map((attribute) => Number(attribute.id)),
      resultCount: answer.headers.get('x-result-count'),
      skipped: answer.headers.get('x-skipped-elements-count'),
    };
  }

  it('pages by offset in id order; X-Result-Count is what this version writes (2.4.195+: the page, else from the first row; +1 on a full or empty page)', async () => {
    const pages: Page[] = [];
    for (let number = 1; number <= 4; number += 1) pages.push(await page(number));
    expect(pages.map((p) => p.ids)).toEqual([
      attributeIds.slice(0, 3),
      attributeIds.slice(3, 6),
      attributeIds.slice(6),
      [],
    ]);
    expect(pages.map((p) => Number(p.resultCount))).toEqual(
      [3, 3, 1, 0].map((rows, i) => mispResultCount(target.version, LIMIT, i + 1, rows)),
    );
  });

  it('warninglists drop rows after the query: the page is short, the header counts the rows the query matched, +1 only when the rows left fill the page', async () => {
    const pages: Page[] = [];
    for (let number = 1; number <= 3; number += 1)
      pages.push(await page(number, { enforceWarninglist: true }));
    expect(pages.map((p) => p.ids)).toEqual([
      [attributeIds[0], attributeIds[2]],
      [attributeIds[3], attributeIds[5]],
      [attributeIds[6]],
    ]);
    expect(pages.map((p) => Number(p.resultCount))).toEqual(
      [3, 3, 1].map((rows, i) => mispResultCount(target.version, LIMIT, i + 1, rows, pages[i].ids.length)),
    );
    expect(pages.map((p) => p.skipped)).toEqual(
      sendsSkippedCount(target.version) ? ['1', '1', '0'] : [null, null, null],
    );
    // Sent without enforceWarninglist too, from 2.4.196.
    expect((await page(1)).skipped).toBe(sendsSkippedCount(target.version) ? '0' : null);
  });

  it('events/restSearch: X-Result-Count is the total of matching events whatever the page; metadata leaves out attributes', async () => {
    const second = await target.rest.addEvent({
      info: `${target.runId} paging 2`,
      published: true,
      Attribute: [{ type: 'domain', value: `paging.${target.runId}.example`, to_ids: true }],
    });
    const body = { eventid: [eventId, second.id], metadata: true, limit: 1, page: 2 };
    const answer = await target.rest.events(body);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-result-count')).toBe('2');
    expect(answer.body.response).toHaveLength(1);
    const [event] = answer.body.response;
    expect(event.Event.Attribute).toBeUndefined();
    expect(event.Event).toMatchObject({ published: true, attribute_count: expect.any(String) });
  });
});
