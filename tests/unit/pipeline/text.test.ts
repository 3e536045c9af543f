import { describeRaw, printableExcerpt, splitComposite } from '../../../src/pipeline/text';

describe('printableExcerpt', () => {
  it('keeps short printable text, unicode included', () => {
    expect(printableExcerpt('www.circl.lu')).toBe('www.circl.lu');
    expect(printableExcerpt('與天空有約')).toBe('與天空有約');
  });

  it('escapes control, separator and bidi characters, quotes and backslashes', () => {
    expect(printableExcerpt('a\nb\r\tc\u0000\u001b\u007f\u2028\u202e"\\')).toBe(
      'a\\nb\\r\\tc\\u0000\\u001b\\u007f\\u2028\\u202e\\"\\\\',
    );
    expect(printableExcerpt('\ud800x')).toBe('\\ud800x');
  });

  it('cuts at 80 characters with an ellipsis, never inside a surrogate pair or an escape', () => {
    expect(printableExcerpt('a'.repeat(80))).toBe('a'.repeat(80));
    expect(printableExcerpt('a'.repeat(81))).toBe(`${'a'.repeat(79)}…`);
    expect(printableExcerpt('a'.repeat(1_000_000)).length).toBe(80);
    const emoji = printableExcerpt('😀'.repeat(50));
    expect(emoji.length).toBeLessThanOrEqual(80);
    expect(emoji).toBe(`${'😀'.repeat(39)}…`);
    expect(printableExcerpt(`${'a'.repeat(78)}\n`)).toBe(`${'a'.repeat(78)}\\n`);
    expect(printableExcerpt(`${'a'.repeat(79)}\n`)).toBe(`${'a'.repeat(79)}…`);
    expect(printableExcerpt(`${'a'.repeat(78)}\nb`)).toBe(`${'a'.repeat(78)}…`);
  });
});

describe('splitComposite', () => {
  it('splits on the first | and trims both parts', () => {
    expect(splitComposite('a | b')).toEqual(['a', 'b']);
    expect(splitComposite('a|b|c')).toEqual(['a', 'b|c']);
    expect(splitComposite('|')).toEqual(['', '']);
    expect(splitComposite('ab')).toBeUndefined();
  });
});

describe('describeRaw', () => {
  it('describes non-string values without dumping them', () => {
    expect(describeRaw(undefined)).toBe('<missing>');
    expect(describeRaw(null)).toBe('<null>');
    expect(describeRaw([1, 2])).toBe('<array>');
    expect(describeRaw({ a: 1 })).toBe('<object>');
    expect(describeRaw(42)).toBe('<number 42>');
    expect(describeRaw('x\ny')).toBe('x\\ny');
  });
});
