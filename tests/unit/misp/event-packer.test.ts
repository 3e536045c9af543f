import {
  EVENTS_PER_GROUP,
  EventPacker,
  MAX_COUNT_PER_ROW,
  PRIOR_ROW_SHARE,
  RowShare,
  type EventGroup,
} from '../../../src/misp/event-packer';
import type { MispEventSummary } from '../../../src/misp/types';

function event(id: number, attributeCount: number): MispEventSummary {
  return {
    id: String(id),
    uuid: `uuid-${id}`,
    published: true,
    publishTimestamp: 1,
    timestamp: 1,
    attributeCount,
  };
}

function events(counts: readonly number[]): MispEventSummary[] {
  return counts.map((count, i) => event(i + 1, count));
}

/** Every group of the packer; `shareOf(group)`: the rows its answer held, as a share of its count. */
function drain(
  packer: EventPacker,
  shareOf: (group: EventGroup) => number = () => PRIOR_ROW_SHARE,
): EventGroup[] {
  const groups: EventGroup[] = [];
  for (let group = packer.take(); group !== undefined; group = packer.take()) {
    groups.push(group);
    if (!group.big) packer.share.observe(Math.round(group.count * shareOf(group)), group.count);
  }
  return groups;
}

const ids = (groups: EventGroup[]) => groups.map((g) => g.events.map((e) => Number(e.id)));

describe('RowShare', () => {
  it('plans with the prior share before any answer, then with the larger of all answers and the last', () => {
    const share = new RowShare();
    expect(share.expected()).toBe(PRIOR_ROW_SHARE);
    share.observe(40, 100);
    share.observe(60, 100);
    expect(share.expected()).toBeCloseTo(0.6); // the last answer's 0.6 over all answers' 0.5
    share.observe(40, 100);
    expect(share.expected()).toBeCloseTo(0.4667); // all answers' 140 of 300 over the last one's 0.4
  });

  it('never plans below 1 / MAX_COUNT_PER_ROW nor above 1, and ignores a group of no or unknown count', () => {
    const share = new RowShare();
    share.observe(0, 1000);
    expect(share.expected()).toBeCloseTo(1 / MAX_COUNT_PER_ROW);
    share.observe(50, 10); // a stale attribute_count: more rows than counted
    expect(share.expected()).toBe(1);
    const untouched = new RowShare();
    untouched.observe(5, 0);
    untouched.observe(5, Number.POSITIVE_INFINITY);
    expect(untouched.expected()).toBe(PRIOR_ROW_SHARE);
  });
});

describe('EventPacker', () => {
  it('sizes groups by the rows their answers are expected to hold: 100 events of 200 at a share of 0.53, 4 answers of about 2,650 rows', () => {
    const packer = new EventPacker(events(new Array(100).fill(200)), 3000);
    const groups = drain(packer, () => 0.53);
    expect(groups.map((g) => g.events.length)).toEqual([25, 25, 25, 25]);
    expect(groups.every((g) => !g.big && g.count * 0.53 <= 3000)).toBe(true);
  });

  it('spreads the events left evenly instead of leaving a sliver for the last answer', () => {
    // Cap 20 at the prior share: 45 attributes left in counts of 5 make 3 groups of 15, not 20 + 20 + 5.
    const groups = drain(new EventPacker(events(new Array(9).fill(5)), 10));
    expect(groups.map((g) => g.count)).toEqual([15, 15, 15]);
  });

  it('keeps a group below its cap whatever the share: at worst MAX_COUNT_PER_ROW answers of rows', () => {
    const packer = new EventPacker(events(new Array(50).fill(10)), 100);
    const groups = drain(packer, () => 0.01);
    expect(Math.max(...groups.map((g) => g.count))).toBeLessThan(MAX_COUNT_PER_ROW * 100);
    expect(groups.flatMap((g) => g.events).length).toBe(50);
  });

  it('reads an event at or above the cap, or of unknown size, alone by pages; one below it fits a group', () => {
    const packer = new EventPacker(
      events([4, 18, 20, Number.POSITIVE_INFINITY, 2]),
      10, // cap 20 at the prior share
    );
    expect(ids(drain(packer, () => PRIOR_ROW_SHARE))).toEqual([[1], [2], [3], [4], [5]]);
    const again = drain(new EventPacker(events([4, 18, 20, Number.POSITIVE_INFINITY, 2]), 10));
    expect(again.map((g) => g.big)).toEqual([false, false, true, true, false]);
  });

  it('takes events of no attributes along whatever the target, at most EVENTS_PER_GROUP a group', () => {
    const groups = drain(new EventPacker(events(new Array(EVENTS_PER_GROUP + 3).fill(0)), 10));
    expect(groups.map((g) => g.events.length)).toEqual([EVENTS_PER_GROUP, 3]);
    expect(drain(new EventPacker([], 10))).toEqual([]);
  });

  it('hands out every event once, in order', () => {
    const counts = [7, 0, 33, 2, 2, 18, 40, 1, 0, 9, 11, 5];
    const groups = drain(new EventPacker(events(counts), 10), (g) => (g.count > 20 ? 0.2 : 0.9));
    expect(groups.flatMap((g) => g.events.map((e) => Number(e.id)))).toEqual(counts.map((_, i) => i + 1));
  });
});
