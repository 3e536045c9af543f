import { closestName, editDistance } from '../../../src/runtime/unknown-fields';

const KNOWN = ['publish_timestamp', 'sleep_time', 'ioc_collection_uuid', 'attribute_types'];

describe('editDistance', () => {
  it.each([
    ['sleep_time', 'sleep_time', 0],
    ['sleep_tiem', 'sleep_time', 1], // two neighbours swapped
    ['sleeptime', 'sleep_time', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%p to %p is %p', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('closestName', () => {
  it.each([
    ['publish_timestamps', 'publish_timestamp'],
    ['Sleep-Time', 'sleep_time'],
    ['ioc_collection_uid', 'ioc_collection_uuid'],
    ['attribute_type', 'attribute_types'],
  ])('reads %p as a typo of %p', (typo, known) => {
    expect(closestName(typo, KNOWN)).toBe(known);
  });

  it.each(['colour', 'lookback', 'x'])('names no field for %p, which is like none of them', (name) => {
    expect(closestName(name, KNOWN)).toBeUndefined();
  });
});
