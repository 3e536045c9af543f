import type { SekoiaHttpClient } from '../../sekoia/client';
import { BloomFilter } from '../../state/bloom';
import type { TriggerState } from '../../state/types';
import type { BatchPusher } from '../pusher';
import type { KeyedIoc, PushQueue } from '../push-queue';
import { cycleFailure, type CycleFailure, type ReadDependencies } from '../read-and-push';
import { pushedKeyTtlMs } from '../window';
import {
  checkCollection,
  type CollectionCheckCounts,
  emptyCheckCounts,
  isCheckDue,
} from './collection-check';
import { refreshBeforeMs } from './plan';

/** What the collection check reads and changes in Sekoia.io (the Sekoia.io client). */
export type CollectionAccess = Pick<
  SekoiaHttpClient,
  'listCollectionPage' | 'listIndicators' | 'editIndicator'
>;

/** Keys the sweep's pusher records from now on (a Bloom filter: their imports may not have landed). */
export function notePushes(pusher: BatchPusher, seed: number): BloomFilter {
  const pushed = new BloomFilter(2 ** 20, 7, seed);
  const marked = pusher.onMarked;
  pusher.onMarked = (keys) => {
    marked(keys);
    for (const key of keys) pushed.add(key);
  };
  return pushed;
}

/** The parts of a sweep the check works with. */
export interface CheckStepInput {
  deps: ReadDependencies & { collection?: CollectionAccess; forceCheck?: boolean };
  state: TriggerState;
  queue: PushQueue;
  flagged: BloomFilter;
  pushedNow: BloomFilter;
  startedAtMs: number;
  lastCheckAtMs: number | undefined;
  /** Values MISP flags that lapse before the next sweep: they need the check's PUT. */
  refreshDue: number;
  /** True when the sweep's read of MISP and its pushes went to the end. */
  readWhole: boolean;
}

/**
 * Runs the collection check when it is due (see isCheckDue) after a whole read; answers its counts
 * (undefined when it did not run) and the failure that stopped it, if any.
 */
export async function checkStep(
  input: CheckStepInput,
): Promise<{ counts?: CollectionCheckCounts; failure?: CycleFailure }> {
  const { deps } = input;
  const { settings } = deps;
  const due = isCheckDue({
    nowMs: input.startedAtMs,
    lastCheckAtMs: input.lastCheckAtMs,
    everyHours: settings.collectionCheckEveryHours,
    forced: deps.forceCheck === true,
    refreshDue: input.refreshDue,
  });
  const collection = deps.collection;
  if (!due || !input.readWhole || collection === undefined) return {};
  const counts = emptyCheckCounts();
  // Refresh what lapses before the next check, or the next sweep when sooner, and one more period.
  const hours = Math.max(settings.reconcileEveryHours, settings.collectionCheckEveryHours);
  try {
    await checkCollection(
      {
        listPage: (offset, signal) => collection.listCollectionPage(offset, signal),
        lookup: (value, signal) => collection.listIndicators(value, signal),
        edit: (id, changes, signal) => collection.editIndicator(id, changes, signal),
        records: (afterKey, limit) => input.state.listPushedRecords(afterKey, limit),
        markRefreshed: (key, format, record) =>
          input.state.markPushed([key], pushedKeyTtlMs(format, settings.iocValidityDays), record),
        pushAgain: (iocs) => pushAgain(input.queue, iocs),
        flags: (key) => input.flagged.mightContain(key),
        pushedNow: (key) => input.pushedNow.mightContain(key),
        refreshBefore: refreshBeforeMs(input.startedAtMs, hours),
        nowMs: deps.clock.now(),
        iocValidityDays: settings.iocValidityDays,
        dryRun: deps.dryRun,
        signal: deps.signal,
        onProgress: deps.onProgress,
      },
      counts,
    );
    return { counts };
  } catch (error) {
    return { counts, failure: cycleFailure('sekoia', error) };
  }
}

/** Pushes values again through the sweep's queue (quota watched, recorded once accepted). */
async function pushAgain(queue: PushQueue, iocs: readonly KeyedIoc[]): Promise<void> {
  await queue.enqueue(iocs);
  const failure = await queue.finish();
  if (failure) throw failure.error;
}
