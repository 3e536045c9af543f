import { countsFromFirstRow, pageResultCount } from '../../../src/misp/client';

describe('X-Result-Count read as each MISP version writes it', () => {
  it('counts from the first row up to 2.4.194, the page from 2.4.195; unknown for an odd version string', () => {
    expect(['2.4.103', '2.4.194', '2.3.9', '1.0.0'].map(countsFromFirstRow)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['2.4.195', '2.4.200', '2.5.1', '3.0.0', ' 2.5.1 '].map(countsFromFirstRow)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['', 'v2', 'unknown'].map(countsFromFirstRow)).toEqual([undefined, undefined, undefined]);
  });

  it("turns 2.4.194's 1001, 2001, 2500, 3001 (2,500 rows, limit 1,000) into the pages' 1001, 1001, 500, 1", () => {
    const pages = [1001, 2001, 2500, 3001].map((header, i) =>
      pageResultCount(header, true, { limit: 1000, page: i + 1 }),
    );
    expect(pages).toEqual([1001, 1001, 500, 1]);
    expect(pageResultCount(1001, false, { limit: 1000, page: 2 })).toBe(1001);
    expect(pageResultCount(1001, undefined, { limit: 1000, page: 2 })).toBeUndefined();
    expect(pageResultCount(undefined, true, { limit: 1000, page: 2 })).toBeUndefined();
    expect(pageResultCount(5, true, { limit: 1000, page: 2 })).toBeUndefined();
  });
});
