import { formatNumber } from '../numbers';
import { SekoiaError } from './errors';

/** count-total-iocs: the IOCs of the whole community (all its collections) and its quota. */
export interface QuotaCount {
  count: number;
  max: number;
}

/** Reads count-total-iocs (the Sekoia.io client; faked in tests). */
export type QuotaReader = (signal?: AbortSignal) => Promise<QuotaCount>;

/** The shares of `max` at which a warning is logged, each once while the count stays above it. */
export const QUOTA_WARNING_SHARES = [0.8, 0.95] as const;

/**
 * count-total-iocs is read again before a push once this many values were accepted since the
 * last reading (about 2% of the 500,000 quota, 10 text imports), or sooner when the batch may not
 * fit: a quiet cycle reads nothing, 1,000,000 MISP attributes (458,666 IOCs) about 46 readings.
 */
export const QUOTA_REREAD_EVERY = 10_000;

/**
 * A text import lands a moment after its 202: for this long after the last accepted push, a new
 * reading may not count it yet, so the values accepted since the previous reading are assumed to
 * be new and counted on top (our reading: Sekoia.io documents no delay).
 */
export const QUOTA_SETTLE_MS = 10 * 60_000;

/** What to do near or at the quota, for the warning and error lines. */
export const QUOTA_FIX =
  'To make room: narrow attribute_types or the tag filters (include_tags, exclude_tags), set ' +
  'ioc_validity_days so that old IOCs expire, remove IOCs the community no longer needs, or push ' +
  'into a collection of another community';

/** The highest warning share `count` reached (0 below the first). */
export function quotaLevel({ count, max }: QuotaCount): number {
  if (max <= 0) return 1;
  return QUOTA_WARNING_SHARES.filter((share) => count >= share * max).pop() ?? 0;
}

/** The warning line of a reading at or above 80% of the quota. */
export function quotaWarningLine(reading: QuotaCount): string {
  const percent = reading.max > 0 ? Math.floor((reading.count / reading.max) * 100) : 100;
  return (
    `The Sekoia.io community holds ${formatNumber(reading.count)} of its ${formatNumber(reading.max)} IOCs ` +
    `(${percent}%, all collections together): at the quota, new IOCs are not imported. ${QUOTA_FIX}.`
  );
}

/** The error that stops a push past the quota: what did not fit is not recorded as pushed. */
export class QuotaFullError extends SekoiaError {
  constructor(readonly reading: QuotaCount) {
    super(
      `the community's IOC quota is reached (${formatNumber(reading.count)} of ${formatNumber(reading.max)} IOCs, ` +
        `count-total-iocs): what did not fit was not pushed, and is pushed once room is made. ${QUOTA_FIX}`,
      {
        kind: 'unavailable',
        operation: { method: 'GET', url: '/v2/inthreat/ioc-collections/count-total-iocs' },
      },
    );
  }
}

/**
 * The count to assume after a new reading: the reading itself once the imports settled, else the
 * higher of the reading and the previous assumption plus what was accepted since (an import not
 * landed yet is not in the reading; one that landed is not counted twice).
 */
export function assumedCount(
  reading: number,
  previous: number,
  acceptedSince: number,
  settling: boolean,
): number {
  return settling ? Math.max(reading, previous + acceptedSince) : reading;
}

/**
 * Watches the community's quota for the pushes of a run: read at start-up and before a large
 * push, a warning at 80% and 95%, and `admit` tells how many values of a batch may be pushed.
 */
export class QuotaWatch {
  private reading: QuotaCount | undefined;
  /** Values accepted since the last reading. */
  private acceptedSinceReading = 0;
  /** The community's count as assumed at the last reading (see assumedCount). */
  private assumed = 0;
  private lastAcceptedAtMs = Number.NEGATIVE_INFINITY;
  private warnedLevel = 0;
  /** Set when count-total-iocs cannot be read (an API without it): the quota is not watched. */
  private unavailable = false;

  constructor(
    private readonly read: QuotaReader,
    private readonly now: () => number,
    private readonly warn: (line: string) => void,
  ) {}

  /**
   * The community as the watch knows it now: `max` and the count of the last reading plus what was
   * accepted since (see assumedCount); undefined before a reading.
   */
  get current(): QuotaCount | undefined {
    if (this.reading === undefined) return undefined;
    return { count: this.assumed + this.acceptedSinceReading, max: this.reading.max };
  }

  /** Reads count-total-iocs and warns when a warning share is newly reached. */
  async refresh(signal?: AbortSignal): Promise<QuotaCount | undefined> {
    if (this.unavailable) return undefined;
    let reading: QuotaCount;
    try {
      reading = await this.read(signal);
    } catch (error) {
      // A 4xx other than the key's: this API does not answer count-total-iocs; push as before.
      if (!(error instanceof SekoiaError) || error.fatal || error.kind !== 'rejected') throw error;
      this.unavailable = true;
      this.warn(
        `The community's IOC count could not be read (count-total-iocs: ${error.message.replace(/[.\s]+$/, '')}): ` +
          'the trigger cannot tell when the quota (500,000 IOCs per community) is reached.',
      );
      return undefined;
    }
    const settling = this.now() - this.lastAcceptedAtMs < QUOTA_SETTLE_MS;
    this.assumed = assumedCount(reading.count, this.assumed, this.acceptedSinceReading, settling);
    this.acceptedSinceReading = 0;
    this.reading = reading;
    const level = quotaLevel(reading);
    if (level > this.warnedLevel && reading.count < reading.max) this.warn(quotaWarningLine(reading));
    this.warnedLevel = level;
    return reading;
  }

  /**
   * How many of a batch's `size` values may be pushed now (all of them when the quota is not
   * known); reads count-total-iocs first when QUOTA_REREAD_EVERY values went since the last
   * reading, or when the batch may not fit.
   */
  async admit(size: number, signal?: AbortSignal): Promise<number> {
    if (this.unavailable) return size;
    const estimate = (): number =>
      this.reading === undefined
        ? 0
        : Math.max(0, this.reading.max - this.assumed - this.acceptedSinceReading);
    if (
      this.reading === undefined ||
      this.acceptedSinceReading + size > QUOTA_REREAD_EVERY ||
      estimate() < size
    ) {
      if ((await this.refresh(signal)) === undefined) return size;
    }
    return Math.min(size, estimate());
  }

  /** Counts values Sekoia.io accepted (assumed new until a reading says otherwise). */
  accepted(count: number): void {
    this.acceptedSinceReading += count;
    this.lastAcceptedAtMs = this.now();
  }
}
