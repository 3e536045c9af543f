import { isRecord } from '../http';
import type { AttributeStore } from './store';
import { Warninglist } from './warninglist';

/** A change an analyst (or a sync) makes in MISP while a reader pages through a search. */
export type EventChangeKind = 'republish' | 'unpublish' | 'delete' | 'clear-to-ids';
export const EVENT_CHANGE_KINDS: readonly EventChangeKind[] = [
  'republish',
  'unpublish',
  'delete',
  'clear-to-ids',
];

export interface ChangeBetweenRequests {
  /** Applied once, just before attributes/restSearch request number `afterRequests + 1` is served. */
  afterRequests: number;
  /**
   * republish: publish_timestamp moves past the window being read (now + 1 s); unpublish: the
   * event leaves every `published: 1` search; delete / clear-to-ids: its IDS attributes are
   * soft-deleted / lose to_ids, the event staying published. Each removes the event's rows.
   */
  change: EventChangeKind;
  /** How many events change. */
  events: number;
  /**
   * served: events whose attributes an earlier request returned (on an offset walk their rows sit
   * on pages already read, so every later row slides back); unserved: events not returned yet.
   * @default 'served'
   */
  target?: 'served' | 'unserved';
  /** These events instead of `target`'s choice. */
  eventIds?: number[];
}

/** Behaviours of real MISP servers that can hurt a reader (docs/apis.md#misp), off by default. */
export interface MispQuirks {
  /** MISP 2.4.178 and older: `order` is ignored; rows come in a fixed order that is not id order. */
  ignoreOrder?: boolean;
  /** MISP's Allowedlist: rows with these values are removed after the query, counted in no header. */
  allowedlist?: readonly string[];
  /**
   * Neither X-Result-Count nor X-Skipped-Elements-Count is sent: MISP before 2.4.103 (the header
   * came with restSearch's export headers), or a proxy that drops them. Later versions' headers
   * follow the emulator's `version`.
   */
  noCountHeaders?: boolean;
  /** Asking for email-src or email-dst makes MISP add `email` to the types. @default true (as MISP) */
  addEmailType?: boolean;
  changeBetweenRequests?: ChangeBetweenRequests;
}

/** Checks quirks posted to /_emulator/quirks; throws naming the field and what is expected. */
export function parseQuirks(body: unknown): MispQuirks {
  if (!isRecord(body)) throw new Error('quirks must be a JSON object');
  const quirks: MispQuirks = {};
  for (const key of ['ignoreOrder', 'noCountHeaders', 'addEmailType'] as const) {
    if (body[key] === undefined) continue;
    if (typeof body[key] !== 'boolean') throw new Error(`${key} must be true or false`);
    quirks[key] = body[key] as boolean;
  }
  if (body.allowedlist !== undefined) {
    if (!Array.isArray(body.allowedlist) || !body.allowedlist.every((v) => typeof v === 'string'))
      throw new Error('allowedlist must be a list of values');
    quirks.allowedlist = body.allowedlist as string[];
  }
  const change = body.changeBetweenRequests;
  if (change !== undefined) {
    if (
      !isRecord(change) ||
      !Number.isInteger(change.afterRequests) ||
      !Number.isInteger(change.events) ||
      !EVENT_CHANGE_KINDS.includes(change.change as EventChangeKind) ||
      (change.target !== undefined && change.target !== 'served' && change.target !== 'unserved') ||
      (change.eventIds !== undefined &&
        (!Array.isArray(change.eventIds) || !change.eventIds.every((id) => Number.isInteger(id))))
    ) {
      throw new Error(
        `changeBetweenRequests must be {afterRequests: n, change: ${EVENT_CHANGE_KINDS.join('|')}, events: n, target?: served|unserved, eventIds?: [n]}`,
      );
    }
    quirks.changeBetweenRequests = change as unknown as ChangeBetweenRequests;
  }
  return quirks;
}

/** The quirks in force, and what the change-between-requests knob needs to remember. */
export class QuirkState {
  private quirks: MispQuirks = {};
  private allowed = new Warninglist([]);
  private requests = 0;
  /** Event ids in the order their attributes were first returned. */
  private readonly served = new Set<number>();
  /** Events the knob changed (for tests: what the reader should still end with). */
  changedEvents: number[] = [];

  constructor(private readonly store: AttributeStore) {}

  set(quirks: MispQuirks): void {
    this.quirks = { ...quirks };
    this.allowed = new Warninglist(quirks.allowedlist ?? []);
    this.requests = 0;
    this.served.clear();
    this.changedEvents = [];
  }

  get current(): Readonly<MispQuirks> {
    return this.quirks;
  }

  isAllowedlisted(value: string): boolean {
    return this.allowed.matches(value);
  }

  /** The requested types with `email` added when MISP would add it. */
  typesAsMispReadsThem(types: string[]): string[] {
    if (this.quirks.addEmailType === false || types.includes('email')) return types;
    return types.includes('email-src') || types.includes('email-dst') ? [...types, 'email'] : types;
  }

  /** Called before an attributes/restSearch request is served: applies the change when it is due. */
  beforeAttributeSearch(): void {
    const change = this.quirks.changeBetweenRequests;
    this.requests += 1;
    if (!change || this.requests !== change.afterRequests + 1) return;
    for (const eventId of this.targets(change)) {
      this.apply(change.change, eventId);
      this.changedEvents.push(eventId);
    }
  }

  /** Remembers which events a page returned (only while the change knob waits). */
  recordServed(rows: readonly number[]): void {
    if (!this.quirks.changeBetweenRequests || this.changedEvents.length > 0) return;
    for (const row of rows) this.served.add(this.store.events[this.store.eventRows.array[row]].id);
  }

  private targets(change: ChangeBetweenRequests): number[] {
    if (change.eventIds) return change.eventIds.slice(0, change.events);
    const published = (id: number): boolean => this.store.events[this.store.eventRowOf(id)].published;
    if ((change.target ?? 'served') === 'served')
      return [...this.served].filter(published).slice(0, change.events);
    return this.store.events
      .filter(
        (event, row) =>
          event.published && !this.served.has(event.id) && this.store.rowsOfEvent[row].length > 0,
      )
      .slice(0, change.events)
      .map((event) => event.id);
  }

  private apply(kind: EventChangeKind, eventId: number): void {
    if (kind === 'republish') this.store.republishEvent(eventId, this.store.nowSeconds() + 1);
    else if (kind === 'unpublish') this.store.unpublishEvent(eventId);
    else this.store.editIdsAttributesKeepingPublished(eventId, kind);
  }
}
