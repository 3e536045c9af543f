import { parseSearchRequest, parseTermFilter } from '../../../tools/emulators/misp/search-filter';
import { NOTHING, parseTimeFilter, resolveTime } from '../../../tools/emulators/misp/time-filter';

const NOW = 1_750_000_000;

describe('MISP time values', () => {
  it.each([
    [1700000000, 1700000000],
    ['1700000000', 1700000000],
    ['1d', NOW - 86400],
    ['3h', NOW - 3 * 3600],
    ['15m', NOW - 900],
    ['30s', NOW - 30],
    ['2D', NOW - 2 * 86400],
    ['2024-01-02T03:04:05Z', 1704164645],
    ['2024-01-02', 1704153600],
  ])('resolves %p', (value, expected) => {
    expect(resolveTime(value, NOW)).toBe(expected);
  });

  it.each([['soon'], ['1w'], [true], [{}], ['d']])('an invalid value %p is undefined', (value) => {
    expect(resolveTime(value, NOW)).toBeUndefined();
  });

  it('reads one value as "from it on", a pair as a range, anything invalid as NOTHING, absence as no filter', () => {
    expect(parseTimeFilter('1h', NOW)).toEqual({ from: NOW - 3600, to: Number.MAX_SAFE_INTEGER });
    expect(parseTimeFilter([1, '2'], NOW)).toEqual({ from: 1, to: 2 });
    expect(parseTimeFilter([1, 2, 3], NOW)).toBe(NOTHING);
    expect(parseTimeFilter(['x', 2], NOW)).toBe(NOTHING);
    expect(parseTimeFilter(undefined, NOW)).toBeUndefined();
    expect(parseTimeFilter('', NOW)).toBeUndefined();
  });
});

describe('MISP type / tags filters', () => {
  it('reads a string, a list, {OR, AND, NOT} and the "!" / "&&" shorthands', () => {
    expect(parseTermFilter('a')).toEqual({ or: ['a'], and: [], not: [] });
    expect(parseTermFilter(['a', '!b'])).toEqual({ or: ['a'], and: [], not: ['b'] });
    expect(parseTermFilter({ OR: 'a', AND: ['b', 'c'], NOT: ['d'] })).toEqual({
      or: ['a'],
      and: ['b', 'c'],
      not: ['d'],
    });
    expect(parseTermFilter('a&&!b')).toEqual({ or: ['a'], and: [], not: ['b'] });
    expect(parseTermFilter([])).toBeUndefined();
    expect(parseTermFilter({ or: [] })).toBeUndefined();
  });

  it('reads the paging, order and flags of a restSearch body', () => {
    const request = parseSearchRequest(
      {
        to_ids: 1,
        published: [0, 1],
        deleted: [0, 1],
        limit: '50',
        page: 3,
        order: 'Attribute.id desc',
        enforceWarninglist: 'true',
      },
      NOW,
    );
    expect(request).toMatchObject({ limit: 50, page: 3, descending: true, enforceWarninglist: true });
    expect(request.filter).toEqual({ toIds: [true], published: [false, true], deleted: 'include' });
    expect(parseSearchRequest({ page: 4 }, NOW)).toMatchObject({ limit: 0, page: 1, descending: false });
    expect(parseSearchRequest({ deleted: true }, NOW).filter.deleted).toBe('only');
    expect(parseSearchRequest({ deleted: 0 }, NOW).filter.deleted).toBe('exclude');
  });
});
