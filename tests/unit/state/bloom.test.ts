import { BloomFilter } from '../../../src/state/bloom';

describe('BloomFilter', () => {
  const keys = (prefix: string, n: number): string[] =>
    Array.from({ length: n }, (_, i) => `ipv4-addr.value|${prefix}.${(i >> 8) & 255}.${i & 255}`);

  it('never forgets a key it was given (no false negatives)', () => {
    const filter = new BloomFilter();
    const added = keys('10', 100_000);
    for (const key of added) filter.add(key);
    expect(added.every((key) => filter.mightContain(key))).toBe(true);
  });

  it('says "certainly not" for nearly every other key, so that few reads reach SQLite', () => {
    const filter = new BloomFilter();
    for (const key of keys('10', 100_000)) filter.add(key);
    const others = keys('172', 100_000);
    const falsePositives = others.filter((key) => filter.mightContain(key)).length;
    // 2^24 bits and 7 hashes hold 100,000 keys at about 0.0002% false positives.
    expect(falsePositives).toBeLessThan(50);
  });

  it('starts empty, and tells apart keys that differ in one character', () => {
    const filter = new BloomFilter(1024, 3);
    expect(filter.mightContain('file.hashes|d41d8cd98f00b204e9800998ecf8427e')).toBe(false);
    filter.add('file.hashes|d41d8cd98f00b204e9800998ecf8427e');
    expect(filter.mightContain('file.hashes|d41d8cd98f00b204e9800998ecf8427e')).toBe(true);
    expect(filter.mightContain('file.hashes|d41d8cd98f00b204e9800998ecf8427f')).toBe(false);
  });
});
