import { createHash } from 'node:crypto';
import type { MispAttributeQuery, MispEventSummary } from '../misp/types';
import type { TriggerState } from '../state/types';
import type { PushFailure, PushQueue } from './push-queue';
import { CATCH_UP_CAP_DAYS } from './window';
import { DAY_MS } from '../clock';

/**
 * Attributes read between two records of the events read whole. Each record first pushes the
 * batches still filling (at most one per format, a few hundred values), so a failure late in a
 * long first run reads again at most this many attributes, not the whole window.
 */
export const EVENTS_READ_CHECKPOINT_ATTRIBUTES = 250_000;

/**
 * The filters an event is read with (types, tags, warninglists), as a short fingerprint: read
 * with other filters, an event is another key, read again (raising publish_timestamp then reads
 * the events already read, with the new filters).
 */
export function filtersOf(
  query: Pick<MispAttributeQuery, 'types' | 'enforceWarninglist' | 'includeTags' | 'excludeTags'>,
): string {
  const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();
  const filters = JSON.stringify([
    sorted(query.types),
    query.enforceWarninglist,
    sorted(query.includeTags),
    sorted(query.excludeTags),
  ]);
  return createHash('sha256').update(filters).digest('base64url').slice(0, 12);
}

/**
 * One publication of one event, as it stood when listed, read with given filters: published
 * again, changed (timestamp) or read with other filters, it is another key, read again.
 */
export function eventKey(event: MispEventSummary, filters: string): string {
  return `${event.uuid || `id:${event.id}`}@${event.publishTimestamp}@${event.timestamp}#${filters}`;
}

/** Long enough for any window that could list the event again (the catch-up cap, a day more). */
export function eventsReadTtlMs(publishDays: number): number {
  return (Math.max(publishDays, CATCH_UP_CAP_DAYS) + 1) * DAY_MS;
}

/** Keeps the events a previous cycle did not read whole with these filters (readWindow's selectEvents). */
export function unreadEventsOf(state: TriggerState, filters: string) {
  return async (events: readonly MispEventSummary[]): Promise<MispEventSummary[]> => {
    const keys = events.map((event) => eventKey(event, filters));
    const unread = new Set(await state.filterUnreadEvents(keys));
    return events.filter((_, index) => unread.has(keys[index]));
  };
}

/**
 * The events whose attributes went into the push queue, recorded as read whole once every IOC
 * taken from them was pushed: at a checkpoint (every EVENTS_READ_CHECKPOINT_ATTRIBUTES) and at
 * the end of the reading.
 */
export class EventsReadRecorder {
  private pending: MispEventSummary[] = [];
  private attributesSinceRecord = 0;

  constructor(
    private readonly state: TriggerState,
    private readonly queue: PushQueue,
    private readonly ttlMs: number,
    /** filtersOf the cycle's query: the events it reads are keyed with them. */
    readonly filters: string,
    /** When the cycle started, before it listed the events. */
    private readonly startedAtMs: number,
  ) {}

  /**
   * Call once a group's IOCs are in the push queue. An event changed or published in the second
   * the cycle started, or later, is not recorded: MISP keeps seconds, so an edit and a new
   * publication in that same second would leave its key as read (it is read again next cycle).
   */
  async taken(events: readonly MispEventSummary[], attributes: number): Promise<void> {
    const startSecond = Math.floor(this.startedAtMs / 1000);
    for (const event of events)
      if (Math.max(event.timestamp, event.publishTimestamp) < startSecond) this.pending.push(event);
    this.attributesSinceRecord += attributes;
    if (this.attributesSinceRecord >= EVENTS_READ_CHECKPOINT_ATTRIBUTES) await this.record();
  }

  /**
   * Pushes what is queued, then records the pending events, unless a push failed (the failure is
   * returned, and stays in the queue). A state failure is thrown.
   */
  async record(): Promise<PushFailure | undefined> {
    this.attributesSinceRecord = 0;
    const failure = await this.queue.finish();
    if (failure || this.pending.length === 0) return failure;
    const events = this.pending;
    this.pending = [];
    await this.state.markEventsRead(
      events.map((event) => eventKey(event, this.filters)),
      this.ttlMs,
    );
    return undefined;
  }
}
