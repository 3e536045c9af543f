import { systemClock } from '../../../src/clock';
import { createMispClient, type MispHttpClient } from '../../../src/misp/client';
import type { MispAttributeQuery, MispEventGroup } from '../../../src/misp/types';
import { startMispEmulator, type MispAttributeJson, type MispEmulator } from '../../../tools/emulators/misp';

/**
 * readWindow against the MISP emulator over loopback: events read in groups under a page, a big
 * event alone, and what the emulator's knobs do to each.
 */
const NOW = 1_750_000_000;
const PAGE = 10;

function ipAttributes(event: number, count: number): MispAttributeJson[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'ip-dst',
    value: `10.${event}.${Math.floor(i / 250)}.${i % 250}`,
    to_ids: true,
  }));
}

/** Events 1-4 of 3 attributes (published an hour ago), event 5 of 25 (a big one), event 6 outside the window. */
function events() {
  const event = (id: number, count: number, hoursAgo: number) => ({
    Event: {
      id: String(id),
      info: `event ${id}`,
      published: true,
      publish_timestamp: String(NOW - hoursAgo * 3600),
      timestamp: String(NOW - hoursAgo * 3600),
      Attribute: ipAttributes(id, count),
    },
  });
  return [event(1, 3, 1), event(2, 3, 1), event(3, 3, 1), event(4, 3, 1), event(5, 25, 1), event(6, 3, 48)];
}

const QUERY: MispAttributeQuery = {
  publishFrom: NOW - 86_400,
  publishTo: NOW,
  types: ['ip-dst'],
  enforceWarninglist: true,
  pageSize: PAGE,
};

let misp: MispEmulator;
let client: MispHttpClient;
beforeEach(async () => {
  misp = await startMispEmulator({ events: events(), now: () => NOW * 1000 });
  client = createMispClient({ baseUrl: misp.url, apiKey: misp.apiKey, clock: systemClock, env: {} });
});
afterEach(async () => {
  client.close();
  await misp.close();
});

async function readAll(query = QUERY): Promise<MispEventGroup[]> {
  const groups: MispEventGroup[] = [];
  for await (const group of client.readWindow(query)) groups.push(group);
  return groups;
}

const values = (groups: MispEventGroup[]): string[] =>
  groups.flatMap((g) => g.attributes.map((a) => (a as { value: string }).value)).sort();
const completed = (groups: MispEventGroup[]): string[] => groups.flatMap((g) => g.events.map((e) => e.id));
const expectedValues = (...ids: number[]): string[] =>
  ids.flatMap((id) => ipAttributes(id, id === 5 ? 25 : 3).map((a) => a.value)).sort();

describe('readWindow (against the MISP emulator)', () => {
  it('lists the window once, reads small events in one group and a big event alone, page after page', async () => {
    const groups = await readAll();
    expect(values(groups)).toEqual(expectedValues(1, 2, 3, 4, 5));
    expect(completed(groups).sort()).toEqual(['1', '2', '3', '4', '5']);
    const counts = misp.requestCounts();
    // 1 listing + 1 group (3+3+3+3: under twice a page, planned at the prior share of half the
    // attribute counts) + 3 pages of event 5 (25: every row matched in the group, so a page is the
    // most a group may count now) + 1 listing of event 5 again.
    expect(counts['/events/restSearch']).toBe(2);
    expect(counts['/attributes/restSearch']).toBe(4);
    for (const group of groups) expect(group.attributes.length).toBeLessThan(2 * PAGE);
  });

  it('a page of the big event emptied by the Allowedlist, no count headers: its attribute count bounds the pages, not the empty page', async () => {
    const secondPage = ipAttributes(5, 25)
      .slice(10, 20)
      .map((a) => a.value);
    misp.setQuirks({ allowedlist: secondPage, noCountHeaders: true });
    const groups = await readAll();
    expect(values(groups)).toEqual(
      expectedValues(1, 2, 3, 4, 5).filter((value) => !secondPage.includes(value)),
    );
    expect(completed(groups)).toContain('5');
  });

  it('the big event changes while it is read and stays in the window: it is read again, then complete', async () => {
    // After the 3 group/page requests before event 5's second page: its to_ids cleared on 1 attribute? No: all
    // IDS attributes of the served event are cleared, the event staying published with a new timestamp.
    misp.setQuirks({
      changeBetweenRequests: { afterRequests: 3, change: 'clear-to-ids', events: 1, target: 'unserved' },
    });
    const groups = await readAll();
    expect(misp.changedEvents()).toHaveLength(1);
    const changed = String(misp.changedEvents()[0]);
    // Every event completes; the changed one is complete as it stands now (nothing IDS left in it).
    expect(completed(groups).sort()).toEqual(['1', '2', '3', '4', '5']);
    const changedValues = expectedValues(Number(changed));
    const readValues = values(groups);
    for (const id of [1, 2, 3, 4, 5].filter((id) => String(id) !== changed)) {
      for (const value of expectedValues(id)) expect(readValues).toContain(value);
    }
    expect(changedValues.length).toBeGreaterThan(0);
  });

  it('the big event is republished while it is read: not complete in this window (the next one holds it)', async () => {
    misp.setQuirks({
      changeBetweenRequests: { afterRequests: 2, change: 'republish', events: 1, eventIds: [5] },
    });
    const groups = await readAll();
    expect(misp.changedEvents()).toEqual([5]);
    expect(completed(groups).sort()).toEqual(['1', '2', '3', '4']);
  });

  it('selectEvents drops events read before: a window of events all read costs one request', async () => {
    const before = misp.requestCounts();
    const groups: MispEventGroup[] = [];
    let told: [number, number] | undefined;
    for await (const group of client.readWindow(QUERY, {
      selectEvents: async () => [],
      onEventsListed: (listed, selected) => (told = [listed, selected]),
    }))
      groups.push(group);
    expect(groups).toEqual([]);
    expect(told).toEqual([5, 0]);
    const after = misp.requestCounts();
    expect((after['/events/restSearch'] ?? 0) - (before['/events/restSearch'] ?? 0)).toBe(1);
    expect(after['/attributes/restSearch'] ?? 0).toBe(before['/attributes/restSearch'] ?? 0);
  });
});

describe('readWindow and the MISP version (what X-Result-Count means)', () => {
  it('reads the version once before its first read when start-up did not (then never again)', async () => {
    await readAll();
    await readAll();
    expect(misp.requestCounts()['/servers/getVersion']).toBe(1);
  });

  it('no version request when start-up read it', async () => {
    await expect(client.getVersion()).resolves.toBe('2.5.1');
    await readAll();
    expect(misp.requestCounts()['/servers/getVersion']).toBe(1);
  });

  it('on MISP 2.4.194 (counted from the first row) the big event still ends at its short page: 3 pages', async () => {
    await misp.close();
    misp = await startMispEmulator({ events: events(), now: () => NOW * 1000, version: '2.4.194' });
    client.close();
    client = createMispClient({ baseUrl: misp.url, apiKey: misp.apiKey, clock: systemClock, env: {} });
    const groups = await readAll();
    expect(values(groups)).toEqual(expectedValues(1, 2, 3, 4, 5));
    expect(misp.requestCounts()['/attributes/restSearch']).toBe(4); // 1 group, 3 pages
  });
});
