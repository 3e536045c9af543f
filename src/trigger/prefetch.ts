/**
 * Iterates `iterable` while keeping `ahead` further items requested: the next MISP page downloads
 * while the current one is mapped and pushed. At most `ahead` + 1 items are held.
 *
 * A failure of a prefetched item surfaces only when the consumer reaches it, so the items before it
 * are processed first. When the consumer stops early, the source is closed without waiting for an
 * item in flight (abort the source's signal to cancel that request).
 */
export async function* prefetch<T>(
  iterable: AsyncIterable<T>,
  ahead = 1,
): AsyncGenerator<T, void, undefined> {
  if (!Number.isInteger(ahead) || ahead < 0)
    throw new RangeError(`ahead must be a whole number >= 0, got ${ahead}`);
  const iterator = iterable[Symbol.asyncIterator]();
  const queue: Array<Promise<IteratorResult<T>>> = [];
  const pull = (): void => {
    const next = iterator.next();
    // Observed later by the consumer; this handler only keeps an early stop from crashing the process.
    next.catch(() => undefined);
    queue.push(next);
  };
  let finished = false;
  try {
    for (;;) {
      if (queue.length === 0) pull();
      const result = await (queue.shift() as Promise<IteratorResult<T>>);
      if (result.done) {
        finished = true;
        return;
      }
      while (queue.length < ahead) pull();
      yield result.value;
    }
  } catch (error) {
    finished = true;
    throw error;
  } finally {
    if (!finished && iterator.return) {
      iterator.return().catch(() => undefined);
    }
  }
}
