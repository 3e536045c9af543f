import fc from 'fast-check';
import { formatNumber } from '../../src/numbers';

describe('formatNumber', () => {
  it('writes counts with a comma every three digits', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(7)).toBe('7');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(1000)).toBe('1,000');
    expect(formatNumber(1200)).toBe('1,200');
    expect(formatNumber(51086)).toBe('51,086');
    expect(formatNumber(100000)).toBe('100,000');
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(-1234)).toBe('-1,234');
    expect(formatNumber(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991');
  });

  it("writes what toLocaleString('en-US') writes, for any number", () => {
    const numbers = fc.oneof(fc.integer({ min: -1e12, max: 1e12 }), fc.maxSafeInteger(), fc.double());
    fc.assert(
      fc.property(numbers, (n) => {
        expect(formatNumber(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });
});
