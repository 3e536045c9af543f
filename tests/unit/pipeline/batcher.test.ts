import { Batcher } from '../../../src/pipeline/batcher';
import { iocKey } from '../../../src/pipeline/keys';
import type { Ioc, KeyedBatch } from '../../../src/pipeline/types';
import { MAX_BATCH_LINES, type IndicatorBatch, type SekoiaFormat } from '../../../src/sekoia/types';

function ipv4s(count: number, offset = 0): Ioc[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return { format: 'ipv4-addr.value', value: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` };
  });
}

/** A batch as the Batcher hands it out: the values with their keys, in the same order. */
const keyed = (format: SekoiaFormat, values: string[]): KeyedBatch => ({
  format,
  values,
  keys: values.map((value) => iocKey({ format, value })),
});

const sizes = (batches: IndicatorBatch[]): Array<[string, number]> =>
  batches.map((b) => [b.format, b.values.length]);

/** Queues `iocs` with their keys, as the cycle does. */
const add = (batcher: Batcher, iocs: Ioc[]): KeyedBatch[] =>
  batcher.addKeyed(iocs.map((ioc) => [iocKey(ioc), ioc] as const));

/** Every batch of `iocs`: the full ones as they fill, then the rest. */
function batchAll(iocs: Ioc[], maxLines?: number): KeyedBatch[] {
  const batcher = new Batcher(maxLines);
  return [...add(batcher, iocs), ...batcher.flush()];
}

describe('Batcher: batches', () => {
  it('cuts 2,500 IOCs of one format into 1000, 1000 and 500, in order', () => {
    const iocs = ipv4s(2500);
    const batches = batchAll(iocs);
    expect(MAX_BATCH_LINES).toBe(1000);
    expect(sizes(batches)).toEqual([
      ['ipv4-addr.value', 1000],
      ['ipv4-addr.value', 1000],
      ['ipv4-addr.value', 500],
    ]);
    expect(batches.flatMap((b) => b.values)).toEqual(iocs.map((i) => i.value));
  });

  it('never mixes formats in a batch', () => {
    const mixed: Ioc[] = [];
    for (let i = 0; i < 1200; i += 1) {
      mixed.push({ format: 'ipv4-addr.value', value: `10.0.${i >> 8}.${i & 255}` });
      if (i % 2 === 0) mixed.push({ format: 'file.hashes', value: i.toString(16).padStart(32, '0') });
      if (i % 3 === 0) mixed.push({ format: 'domain-name.value', value: `d${i}.example.com` });
    }
    const batches = batchAll(mixed, 250);
    for (const batch of batches) {
      expect(batch.values.length).toBeLessThanOrEqual(250);
      const expected = mixed.filter((ioc) => ioc.format === batch.format).map((ioc) => ioc.value);
      for (const value of batch.values) expect(expected).toContain(value);
    }
    const count = (format: string): number =>
      batches.filter((b) => b.format === format).reduce((n, b) => n + b.values.length, 0);
    expect([count('ipv4-addr.value'), count('file.hashes'), count('domain-name.value')]).toEqual([
      1200, 600, 400,
    ]);
  });

  it('batches a duplicate once and returns nothing for nothing', () => {
    const ioc: Ioc = { format: 'url.value', value: 'http://a.example/' };
    expect(batchAll([ioc, { ...ioc }, ioc])).toEqual([keyed('url.value', ['http://a.example/'])]);
    expect(batchAll([])).toEqual([]);
  });
});

describe('Batcher', () => {
  it('hands out a batch as soon as it is full, the rest on flush', () => {
    const batcher = new Batcher(3);
    expect(add(batcher, ipv4s(2))).toEqual([]);
    const full = add(batcher, ipv4s(5, 2));
    expect(sizes(full)).toEqual([
      ['ipv4-addr.value', 3],
      ['ipv4-addr.value', 3],
    ]);
    expect(batcher.flush()).toEqual([keyed('ipv4-addr.value', ['10.0.0.6'])]);
    expect(batcher.flush()).toEqual([]);
  });

  it('knows which keys are pending, and queues a pending key only once', () => {
    const batcher = new Batcher(2);
    const [a, b, c] = ipv4s(3);
    add(batcher, [a!]);
    expect(batcher.has(iocKey(a!))).toBe(true);
    expect(batcher.has(iocKey(b!))).toBe(false);
    // The same value on a later page is not queued twice.
    expect(add(batcher, [a!])).toEqual([]);
    const full = add(batcher, [b!, c!]);
    expect(full).toEqual([keyed('ipv4-addr.value', [a!.value, b!.value])]);
    // Handed out: no longer pending, the caller tracks it.
    expect(batcher.has(iocKey(a!))).toBe(false);
    expect(batcher.has(iocKey(c!))).toBe(true);
  });

  it('keeps the same value of two formats apart', () => {
    const batcher = new Batcher(10);
    add(batcher, [
      { format: 'domain-name.value', value: 'x.example' },
      { format: 'url.value', value: 'x.example' },
    ]);
    expect(batcher.flush()).toEqual([
      keyed('domain-name.value', ['x.example']),
      keyed('url.value', ['x.example']),
    ]);
  });

  it('takes the keys the caller built, and hands them out with their values', () => {
    const batcher = new Batcher(2);
    const [a, b] = ipv4s(2);
    const full = batcher.addKeyed([
      ['key-a', a!],
      ['key-b', b!],
    ]);
    expect(full).toEqual([
      { format: 'ipv4-addr.value', values: [a!.value, b!.value], keys: ['key-a', 'key-b'] },
    ]);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new Batcher(0)).toThrow(RangeError);
    expect(() => new Batcher(1.5)).toThrow(/positive integer/);
  });
});
