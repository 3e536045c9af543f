import type { MispPage } from '../misp/types';
import { iocKey } from '../pipeline/keys';
import { mapAttribute } from '../pipeline/mapping';
import { sourceOfAttribute } from '../pipeline/source';
import type { SkipTally } from '../pipeline/tally';
import type { Ioc } from '../pipeline/types';
import type { TriggerState } from '../state/types';
import type { KeyedIoc, PushQueue } from './push-queue';

/**
 * Attributes mapped between two turns of the event loop. Mapping a whole page at once holds the
 * thread for milliseconds, and every push waiting on its answer or on the state waits as long:
 * slices of 250 cut a 1,000,000-attribute sync by about 7% (docs/performance.md#where-the-time-goes).
 */
export const MAP_SLICE_ATTRIBUTES = 250;

/** Lets pending I/O callbacks (an answer from Sekoia.io, a state write done) run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What reading one page found: the IOCs new to the cycle, and how many it dropped as taken. */
export interface PageIocs {
  /** Insertion-ordered: values are pushed in MISP's order (Attribute.id asc). */
  fresh: Map<string, Ioc>;
  alreadyTaken: number;
  /** Attributes whose value came defanged (hxxp://, [.]) and was restored. */
  refanged: number;
}

/**
 * Maps a page's attributes (skips recorded in `tally`) and keeps the IOCs this cycle has not taken
 * yet: a value twice in the page, or waiting in the push queue, is taken already (so an IOC seen in
 * several events keeps the description of the first).
 */
export async function mapPage(
  page: MispPage,
  attributeTypes: ReadonlySet<string>,
  tally: SkipTally,
  queue: PushQueue,
  /** ioc_context: the description of an attribute's IOCs (where they come from); absent: none. */
  describe?: (raw: unknown) => string | undefined,
): Promise<PageIocs> {
  const fresh = new Map<string, Ioc>();
  let alreadyTaken = 0;
  let refanged = 0;
  let index = 0;
  for (const raw of page.attributes) {
    if (index++ % MAP_SLICE_ATTRIBUTES === 0) await yieldToEventLoop();
    const mapped = mapAttribute(raw, attributeTypes);
    if (mapped.skipped) tally.record(mapped.skipped);
    if (mapped.refanged) refanged += 1;
    const source = mapped.iocs.length > 0 ? sourceOfAttribute(raw) : undefined;
    const description = describe && mapped.iocs.length > 0 ? describe(raw) : undefined;
    for (const ioc of mapped.iocs) {
      if (source) ioc.source = source;
      if (description !== undefined) ioc.description = description;
      const key = iocKey(ioc);
      if (fresh.has(key) || queue.isQueued(key)) alreadyTaken += 1;
      else fresh.set(key, ioc);
    }
  }
  return { fresh, alreadyTaken, refanged };
}

/** The IOCs of `fresh` the state does not hold as pushed, in order. May run while pushes go on. */
export async function filterUnpushed(
  fresh: ReadonlyMap<string, Ioc>,
  state: TriggerState,
  queue: PushQueue,
): Promise<KeyedIoc[]> {
  if (fresh.size === 0) return [];
  queue.stateReadBegins();
  const unpushed = await state.filterUnpushed([...fresh.keys()]);
  return unpushed.map((key) => [key, fresh.get(key) as Ioc] as const);
}
