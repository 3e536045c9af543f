/**
 * The collection check: what Sekoia.io holds is learnt from Sekoia.io. The sweep lists the whole
 * IOC Collection and compares it with what MISP flags (the sweep's read) and with the state:
 * - an indicator MISP still flags whose valid_until comes before the next check (and its margin)
 *   gets valid_until moved by PUT: a re-import would not move it (a held value is left as it is);
 * - a value recorded as pushed, flagged, but absent from the collection (an import that did not
 *   land: a full community, a task that failed) is pushed again;
 * - a revoked indicator MISP flags again is counted: those this trigger revoked follow the
 *   revocation rule (src/trigger/reconcile/revive.ts); one revoked by someone else is left alone.
 *
 * Offset paging over a list that may change while it is read: an indicator created or deleted
 * during the listing shifts the offsets, so one may be read twice or skipped. Read twice is
 * harmless (the seen set is a set; a refresh is kept once per id). Skipped is made exact by the
 * absent step: a value recorded as pushed that the listing did not show is looked up by value
 * (GET .../indicators?term=) before anything is done with it, up to CHECK_LOOKUPS_MAX; found, it
 * is treated as if listed; beyond that number it is pushed again without a look-up, which is
 * harmless (Sekoia.io ignores a value it holds).
 */
import type { IndicatorChanges, IndicatorListPage, SekoiaIndicator } from '../../sekoia/indicators';
import { HOUR_MS } from '../../clock';
import { formatOfPattern } from '../../sekoia/indicators';
import type { SekoiaFormat } from '../../sekoia/types';
import { IOC_KEY_SEPARATOR, parseIocKey } from '../../pipeline/keys';
import type { Ioc } from '../../pipeline/types';
import { BloomFilter } from '../../state/bloom';
import type { PushedRecord, PushRecord } from '../../state/types';
import { toIsoSeconds } from '../window';
import { lapsesAtMs } from './plan';

/** Values recorded as pushed but not listed that are looked up one by one before acting. */
export const CHECK_LOOKUPS_MAX = 200;
/** Pages of 100 read at most (1,000,000 indicators, twice the community's quota): a runaway guard. */
export const CHECK_MAX_PAGES = 10_000;
/** State records read per step when looking for absent values. */
const RECORDS_STEP = 1000;

/** What the check does with one indicator of the collection. */
export type ListedAction = 'refresh' | 'revoked_flagged' | 'held' | 'not_flagged';

/** An indicator of the list, as the check reads it. */
export interface ListedIndicator {
  id: string;
  /** format|value, as the state keys it; undefined when the pattern's type is not one we push. */
  key?: string;
  format?: SekoiaFormat;
  revoked: boolean;
  /** Undefined: no valid_until (never lapses). */
  validUntilMs?: number;
}

/** The check's counts, for the summary line and the sweep's event. */
export interface CollectionCheckCounts {
  /** Indicators read from the list (revoked ones included). */
  listed: number;
  /** valid_until moved by PUT. */
  refreshed: number;
  /** Recorded as pushed and flagged, but not in the collection: pushed again. */
  absentPushed: number;
  /** Revoked in the collection while MISP flags the value. */
  revokedFlagged: number;
  /** Values not listed, looked up one by one (see CHECK_LOOKUPS_MAX). */
  lookedUp: number;
  /** The list's total changed while it was read (the look-ups kept the check exact). */
  changedDuringListing: boolean;
  /** False when a failure stopped it. */
  complete: boolean;
}

export function emptyCheckCounts(): CollectionCheckCounts {
  return {
    listed: 0,
    refreshed: 0,
    absentPushed: 0,
    revokedFlagged: 0,
    lookedUp: 0,
    changedDuringListing: false,
    complete: false,
  };
}

/** The check's reading of an indicator of the API. */
export function listedOf(indicator: SekoiaIndicator): ListedIndicator {
  const format = formatOfPattern(indicator.pattern);
  const validUntilMs = indicator.validUntil === undefined ? NaN : Date.parse(indicator.validUntil);
  return {
    id: indicator.id,
    ...(format === undefined ? {} : { format, key: `${format}${IOC_KEY_SEPARATOR}${indicator.value}` }),
    revoked: indicator.revoked,
    ...(Number.isFinite(validUntilMs) ? { validUntilMs } : {}),
  };
}

/**
 * What to do with a listed indicator: only a value MISP flags is ours to act on; revoked, it is
 * counted; lapsing before `refreshBefore` (or lapsed), refreshed.
 */
export function classifyListed(
  listed: ListedIndicator,
  flags: (key: string) => boolean,
  refreshBefore: number,
): ListedAction {
  if (listed.key === undefined || !flags(listed.key)) return 'not_flagged';
  if (listed.revoked) return 'revoked_flagged';
  if (listed.validUntilMs === undefined) return 'held';
  return listed.validUntilMs < refreshBefore ? 'refresh' : 'held';
}

/**
 * Whether the sweep checks the collection: forced (--reconcile), due (`everyHours` since the last
 * complete check; 0: never on schedule), or because the sweep found values MISP flags lapsing
 * before the next sweep (they are refreshed by PUT, which needs the ids the list gives).
 */
export function isCheckDue(check: {
  nowMs: number;
  lastCheckAtMs: number | undefined;
  everyHours: number;
  forced: boolean;
  refreshDue: number;
}): boolean {
  if (check.forced || check.refreshDue > 0) return true;
  if (check.everyHours <= 0) return false;
  return check.lastCheckAtMs === undefined || check.nowMs - check.lastCheckAtMs >= check.everyHours * HOUR_MS;
}

/** The PUT of a refresh: a new valid_until, as a push at `nowMs` would have sent it. */
export function refreshChanges(
  nowMs: number,
  format: SekoiaFormat,
  iocValidityDays: number | undefined,
): IndicatorChanges {
  return { validUntil: toIsoSeconds(lapsesAtMs(nowMs, format, iocValidityDays)) };
}

/** Keys of `records` MISP flags that the listing did not show. */
export function absentKeys(
  records: readonly PushedRecord[],
  flags: (key: string) => boolean,
  seen: (key: string) => boolean,
): string[] {
  return records.filter((record) => flags(record.key) && !seen(record.key)).map((record) => record.key);
}

/** What the check needs from Sekoia.io, MISP's read and the state. */
export interface CheckInput {
  listPage(offset: number, signal?: AbortSignal): Promise<IndicatorListPage>;
  lookup(value: string, signal?: AbortSignal): Promise<SekoiaIndicator[]>;
  edit(id: string, changes: IndicatorChanges, signal?: AbortSignal): Promise<SekoiaIndicator | undefined>;
  /** The state's records still valid in Sekoia.io, in key order after `afterKey`. */
  records(afterKey: string, limit: number): Promise<PushedRecord[]>;
  /** Records a refresh's new lapse date (the source kept). */
  markRefreshed(key: string, format: SekoiaFormat, record: PushRecord): Promise<void>;
  /** Pushes values again (through the sweep's pusher: quota watched, recorded once accepted). */
  pushAgain(iocs: ReadonlyArray<readonly [string, Ioc]>): Promise<void>;
  /** True when MISP flags the value (the sweep's read). */
  flags(key: string): boolean;
  /** True for a value this sweep pushed (its import may not have landed yet). */
  pushedNow(key: string): boolean;
  refreshBefore: number;
  nowMs: number;
  iocValidityDays: number | undefined;
  dryRun: boolean;
  signal: AbortSignal;
  onProgress?: () => void;
}

/** The check's working parts. */
interface Check {
  input: CheckInput;
  counts: CollectionCheckCounts;
  /** Values listed (a Bloom filter: a false "seen" leaves an absent value for the next check). */
  seen: BloomFilter;
  /** Ids refreshed: one read twice by a shifted page is refreshed once. */
  refreshedIds: Set<string>;
}

/** Acts on one indicator, listed or found by a look-up. */
async function takeListed(check: Check, listed: ListedIndicator): Promise<void> {
  const { input, counts } = check;
  if (listed.key !== undefined) check.seen.add(listed.key);
  const action = classifyListed(listed, (key) => input.flags(key), input.refreshBefore);
  if (action === 'revoked_flagged') counts.revokedFlagged += 1;
  if (action !== 'refresh' || check.refreshedIds.has(listed.id)) return;
  check.refreshedIds.add(listed.id);
  const format = listed.format as SekoiaFormat;
  const changes = refreshChanges(input.nowMs, format, input.iocValidityDays);
  if (!input.dryRun) {
    if ((await input.edit(listed.id, changes, input.signal)) === undefined) return;
    const validUntilMs = Date.parse(changes.validUntil as string);
    await input.markRefreshed(listed.key as string, format, { validUntilMs, publishedAfterMs: 0 });
  }
  counts.refreshed += 1;
}

/** Reads the whole list, page by page, acting on each indicator. */
async function readList(check: Check): Promise<void> {
  const { input, counts } = check;
  let firstTotal: number | undefined;
  for (let offset = 0, page = 0; page < CHECK_MAX_PAGES; page += 1) {
    const answer = await input.listPage(offset, input.signal);
    firstTotal ??= answer.total;
    if (answer.total !== firstTotal) counts.changedDuringListing = true;
    for (const indicator of answer.items) {
      counts.listed += 1;
      await takeListed(check, listedOf(indicator));
    }
    input.onProgress?.();
    offset += answer.read;
    if (!answer.hasMore) return;
  }
}

/** Looks `key` up by value: the indicators of that value and format, or none. */
async function lookUp(check: Check, key: string): Promise<ListedIndicator[]> {
  const ioc = parseIocKey(key);
  if (ioc === undefined) return [];
  check.counts.lookedUp += 1;
  const found = await check.input.lookup(ioc.value, check.input.signal);
  return found.map(listedOf).filter((listed) => listed.key === key);
}

/** Values recorded as pushed and flagged, not listed: looked up, then pushed again if truly absent. */
async function pushAbsent(check: Check): Promise<void> {
  const { input, counts } = check;
  for (let after = ''; ;) {
    const records = await input.records(after, RECORDS_STEP);
    if (records.length === 0) return;
    after = records[records.length - 1].key;
    const absent = absentKeys(
      records,
      (key) => input.flags(key),
      (key) => check.seen.mightContain(key),
    );
    const toPush: Array<readonly [string, Ioc]> = [];
    for (const key of absent) {
      if (input.pushedNow(key)) continue;
      const found = counts.lookedUp < CHECK_LOOKUPS_MAX ? await lookUp(check, key) : undefined;
      if (found !== undefined && found.length > 0) {
        for (const listed of found) await takeListed(check, listed);
        continue;
      }
      const ioc = parseIocKey(key);
      if (ioc !== undefined) toPush.push([key, ioc]);
    }
    counts.absentPushed += toPush.length;
    if (toPush.length > 0 && !input.dryRun) await input.pushAgain(toPush);
  }
}

/**
 * One collection check (see the top of this file). Failures are thrown to the sweep, which reports
 * them; the counts so far stay in `counts` (complete stays false).
 */
export async function checkCollection(input: CheckInput, counts: CollectionCheckCounts): Promise<void> {
  const check: Check = {
    input,
    counts,
    // A new seed each check: a value a false "seen" hid is not hidden again next time.
    seen: new BloomFilter(undefined, undefined, input.nowMs),
    refreshedIds: new Set(),
  };
  await readList(check);
  await pushAbsent(check);
  counts.complete = true;
}
