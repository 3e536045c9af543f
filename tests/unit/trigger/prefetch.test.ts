import { prefetch } from '../../../src/trigger/prefetch';

/** A source that records when each item is requested and can fail at one index. */
function source(items: number[], failAt?: number) {
  const log: string[] = [];
  let closed = false;
  async function* generate(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < items.length; i += 1) {
        log.push(`fetch ${items[i]}`);
        await Promise.resolve();
        if (i === failAt) throw new Error(`page ${items[i]} failed`);
        yield items[i];
      }
    } finally {
      closed = true;
    }
  }
  return { iterable: generate(), log, isClosed: () => closed };
}

describe('prefetch', () => {
  it('requests the next item before the current one is processed', async () => {
    const { iterable, log } = source([1, 2, 3]);
    for await (const item of prefetch(iterable)) {
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`process ${item}`);
    }
    expect(log).toEqual(['fetch 1', 'fetch 2', 'process 1', 'fetch 3', 'process 2', 'process 3']);
  });

  it('surfaces a failure only after the items before it were processed', async () => {
    const { iterable, log } = source([1, 2, 3], 2);
    const processed: number[] = [];
    await expect(
      (async () => {
        for await (const item of prefetch(iterable)) {
          await new Promise((resolve) => setImmediate(resolve));
          processed.push(item);
        }
      })(),
    ).rejects.toThrow('page 3 failed');
    expect(processed).toEqual([1, 2]);
    expect(log).toContain('fetch 3');
  });

  it('closes the source when the consumer stops early', async () => {
    const { iterable, isClosed } = source([1, 2, 3, 4]);
    for await (const item of prefetch(iterable)) {
      if (item === 2) break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(isClosed()).toBe(true);
  });

  it('with ahead 0, requests nothing in advance', async () => {
    const { iterable, log } = source([1, 2]);
    for await (const item of prefetch(iterable, 0)) log.push(`process ${item}`);
    expect(log).toEqual(['fetch 1', 'process 1', 'fetch 2', 'process 2']);
  });
});
