import { mulberry32, randomUuid, type Random } from '../prng';
import { GrowableColumn, StringTable } from './columns';
import { TagTable } from './tag-table';
import { readUuid, writeUuid } from './uuid-bytes';
import {
  type MispAttributeJson,
  type MispEventDocument,
  type MispEventJson,
  type MispTagJson,
  toBoolean,
  toInteger,
  unwrapEvent,
} from './wire-types';

/** One event; its short JSON is what restSearch attaches to each attribute. */
export interface EventRecord {
  id: number;
  uuid: string;
  info: string;
  orgId: number;
  orgcId: number;
  distribution: number;
  published: boolean;
  /** Epoch seconds of the last publication (0 when never published). */
  publishTimestamp: number;
  timestamp: number;
  /** Deleted (events/delete): gone from every search and look-up, its id never reused. */
  removed: boolean;
  /** Tag indexes (TagTable). */
  tags: number[];
  shortJson: string;
}

/** Rarely set attribute fields, kept aside so a million rows stay small. */
export interface AttributeExtras {
  comment?: string;
  objectRelation?: string;
  firstSeen?: string;
  lastSeen?: string;
  /** The uuid as given, when it is not a canonical UUID. */
  uuidText?: string;
}

/** What updateAttribute may change. */
export interface AttributeChanges {
  value?: string;
  type?: string;
  category?: string;
  to_ids?: boolean;
  deleted?: boolean;
  comment?: string;
  /** Replaces the attribute's own tags. */
  tags?: readonly string[];
}

export const FLAG_TO_IDS = 1;
export const FLAG_DELETED = 2;
export const FLAG_DISABLE_CORRELATION = 4;
/** Hard-deleted (the attribute or its event): no search sees the row, not even with `deleted: [0, 1]`. */
export const FLAG_REMOVED = 8;

export interface AttributeStoreOptions {
  /** Clock, ms since the epoch: publication and change times. @default Date.now */
  now?: () => number;
  /** Seed for uuids the loaded data lacks. @default 1 */
  seed?: number;
}

/**
 * Attributes in columns (typed arrays, one string per value), events and tags in small tables.
 * Rows are appended; `rowsById()` gives them in attribute id order. Every change bumps `version`
 * so that cached search results are dropped.
 */
export class AttributeStore {
  readonly events: EventRecord[] = [];
  readonly tags = new TagTable();
  readonly types = new StringTable();
  readonly categories = new StringTable();
  readonly ids = new GrowableColumn(Uint32Array);
  readonly eventRows = new GrowableColumn(Uint32Array);
  readonly objectIds = new GrowableColumn(Uint32Array);
  readonly typeCodes = new GrowableColumn(Uint16Array);
  readonly categoryCodes = new GrowableColumn(Uint16Array);
  readonly timestamps = new GrowableColumn(Uint32Array);
  readonly flags = new GrowableColumn(Uint8Array);
  readonly distributions = new GrowableColumn(Uint8Array);
  readonly uuids = new GrowableColumn(Uint8Array, 16);
  readonly values: string[] = [];
  readonly extras = new Map<number, AttributeExtras>();
  /** Row -> tag indexes of the attribute's own tags. */
  readonly attributeTags = new Map<number, number[]>();
  /** Event row -> its attribute rows, in load order (eventid searches read only these). */
  readonly rowsOfEvent: number[][] = [];
  /** Bumped on every change. */
  version = 0;
  private readonly eventRowById = new Map<number, number>();
  private readonly random: Random;
  private readonly now: () => number;
  private inIdOrder = true;
  private sortedRows: Uint32Array | null = null;
  private maxAttributeId = 0;
  private maxEventId = 0;
  private maxObjectId = 0;

  constructor(options: AttributeStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = mulberry32(options.seed ?? 1);
  }

  get size(): number {
    return this.values.length;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Loads one event with its attributes (event level and inside Object[]). Returns its id. */
  addEvent(document: MispEventDocument): number {
    const event = unwrapEvent(document);
    if (typeof event !== 'object' || event === null || typeof event.info !== 'string') {
      throw new Error('event must be {"Event": {...}} or an event object with an "info" string');
    }
    const record = this.eventRecord(event);
    const eventRow = this.events.length;
    this.events.push(record);
    this.rowsOfEvent.push([]);
    this.eventRowById.set(record.id, eventRow);
    for (const attribute of event.Attribute ?? [])
      this.appendAttribute(attribute, eventRow, 0, record.timestamp);
    for (const object of event.Object ?? []) {
      const objectId = toInteger(object.id, this.maxObjectId + 1);
      this.maxObjectId = Math.max(this.maxObjectId, objectId);
      for (const attribute of object.Attribute ?? []) {
        this.appendAttribute(attribute, eventRow, objectId, record.timestamp);
      }
    }
    this.version += 1;
    return record.id;
  }

  addEvents(documents: Iterable<MispEventDocument>): number[] {
    const ids: number[] = [];
    for (const document of documents) ids.push(this.addEvent(document));
    return ids;
  }

  /**
   * Adds attributes to an event (new ids, stamped now). As MISP 2.5.1 does on any change, the event
   * is unpublished and its timestamp moves; `publish` then publishes it again (events/publish).
   */
  addAttributes(eventId: number, attributes: readonly MispAttributeJson[], publish = false): number[] {
    const eventRow = this.eventRowOf(eventId);
    const now = this.nowSeconds();
    const ids = attributes.map((attribute) => {
      const row = this.appendAttribute({ ...attribute, id: undefined, timestamp: now }, eventRow, 0, now);
      return this.ids.get(row);
    });
    this.afterEventChange(eventRow, publish);
    return ids;
  }

  /**
   * Changes one attribute (`deleted: true` is MISP's soft delete); its timestamp and its event's move
   * to now and the event is unpublished, as MISP does on an edit; `publish` then publishes it again.
   */
  updateAttribute(attributeId: number, changes: AttributeChanges, publish = false): void {
    const row = this.liveRowOf(attributeId);
    if (changes.value !== undefined) this.values[row] = changes.value;
    if (changes.type !== undefined) this.typeCodes.set(row, this.types.code(changes.type));
    if (changes.category !== undefined) this.categoryCodes.set(row, this.categories.code(changes.category));
    let flags = this.flags.get(row);
    if (changes.to_ids !== undefined) flags = changes.to_ids ? flags | FLAG_TO_IDS : flags & ~FLAG_TO_IDS;
    if (changes.deleted !== undefined) flags = changes.deleted ? flags | FLAG_DELETED : flags & ~FLAG_DELETED;
    this.flags.set(row, flags);
    if (changes.comment !== undefined)
      this.extras.set(row, { ...this.extras.get(row), comment: changes.comment });
    if (changes.tags !== undefined)
      this.setAttributeTags(
        row,
        changes.tags.map((name) => ({ name })),
      );
    this.timestamps.set(row, this.nowSeconds());
    this.afterEventChange(this.eventRows.get(row), publish);
  }

  /** MISP's hard delete of an attribute: the row leaves every search; its event is unpublished. */
  removeAttribute(attributeId: number): void {
    const row = this.liveRowOf(attributeId);
    this.flags.set(row, this.flags.get(row) | FLAG_DELETED | FLAG_REMOVED);
    this.afterEventChange(this.eventRows.get(row), false);
  }

  /**
   * events/publish: published, publish_timestamp moves (to now by default); the event's timestamp
   * does not (MISP saves only published and publish_timestamp).
   */
  republishEvent(eventId: number, atSeconds = this.nowSeconds()): void {
    const event = this.events[this.eventRowOf(eventId)];
    event.published = true;
    event.publishTimestamp = atSeconds;
    this.version += 1;
  }

  /**
   * What an events/edit that keeps `published: 1`, or a sync pull, leaves until MISP's publish job
   * has run: every IDS attribute of the event soft-deleted or without to_ids, the event still
   * published with its old publish_timestamp (its rows leave every search at once).
   */
  editIdsAttributesKeepingPublished(eventId: number, change: 'delete' | 'clear-to-ids'): void {
    const eventRow = this.eventRowOf(eventId);
    const now = this.nowSeconds();
    for (const row of this.rowsOfEvent[eventRow]) {
      const flags = this.flags.get(row);
      if ((flags & FLAG_TO_IDS) === 0) continue;
      this.flags.set(row, change === 'delete' ? flags | FLAG_DELETED : flags & ~FLAG_TO_IDS);
      this.timestamps.set(row, now);
    }
    this.events[eventRow].timestamp = now;
    this.version += 1;
  }

  /** Attributes of the event not deleted: MISP's Event.attribute_count (objects' attributes included). */
  attributeCountOf(eventRow: number): number {
    let count = 0;
    for (const row of this.rowsOfEvent[eventRow]) if ((this.flags.get(row) & FLAG_DELETED) === 0) count += 1;
    return count;
  }

  /** events/unpublish: MISP saves only `published`, so timestamp and publish_timestamp stay. */
  unpublishEvent(eventId: number): void {
    this.events[this.eventRowOf(eventId)].published = false;
    this.version += 1;
  }

  /**
   * events/delete: MISP deletes the event and its attributes (no soft delete for events): gone from
   * every search, `eventid` look-ups included, and from every emulator call that names it.
   */
  removeEvent(eventId: number): void {
    const eventRow = this.eventRowOf(eventId);
    const event = this.events[eventRow];
    event.removed = true;
    event.published = false;
    for (const row of this.rowsOfEvent[eventRow]) {
      this.flags.set(row, this.flags.get(row) | FLAG_DELETED | FLAG_REMOVED);
    }
    this.eventRowById.delete(eventId);
    this.version += 1;
  }

  /** The event row of an id still present; throws for an unknown or deleted event. */
  eventRowOf(eventId: number): number {
    const row = this.eventRowById.get(eventId);
    if (row === undefined) throw new Error(`event ${eventId} is not loaded`);
    return row;
  }

  /** The row of an attribute not hard-deleted; throws otherwise. */
  liveRowOf(attributeId: number): number {
    const row = this.rowOf(attributeId);
    if (row === undefined || (this.flags.get(row) & FLAG_REMOVED) !== 0)
      throw new Error(`attribute ${attributeId} is not loaded`);
    return row;
  }

  /** Rows in attribute id order (sorted once after out-of-order loads). */
  rowsById(): Uint32Array {
    if (this.sortedRows && this.sortedRows.length === this.size) return this.sortedRows;
    const rows = new Uint32Array(this.size);
    for (let i = 0; i < rows.length; i += 1) rows[i] = i;
    if (!this.inIdOrder) {
      const ids = this.ids.array;
      rows.sort((a, b) => ids[a] - ids[b]);
    }
    this.sortedRows = rows;
    return rows;
  }

  /** The row of an attribute id (binary search over id order). */
  rowOf(attributeId: number): number | undefined {
    const rows = this.rowsById();
    const ids = this.ids.array;
    let low = 0;
    let high = rows.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const id = ids[rows[middle]];
      if (id === attributeId) return rows[middle];
      if (id < attributeId) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  uuidOf(row: number): string {
    return this.extras.get(row)?.uuidText ?? readUuid(this.uuids.array, row * 16);
  }

  private eventRecord(event: MispEventJson): EventRecord {
    const id = toInteger(event.id, this.maxEventId + 1);
    if (this.eventRowById.has(id)) throw new Error(`event ${id} is already loaded`);
    this.maxEventId = Math.max(this.maxEventId, id);
    const now = this.nowSeconds();
    const published = toBoolean(event.published);
    let publishTimestamp = toInteger(event.publish_timestamp, 0);
    if (published && publishTimestamp === 0) publishTimestamp = now;
    const orgId = toInteger(event.org_id, 1);
    const orgcId = toInteger(event.orgc_id, orgId);
    const distribution = toInteger(event.distribution, 1);
    const uuid = typeof event.uuid === 'string' ? event.uuid : randomUuid(this.random);
    return {
      id,
      uuid,
      info: event.info,
      orgId,
      orgcId,
      distribution,
      published,
      publishTimestamp,
      timestamp: toInteger(event.timestamp, now),
      removed: false,
      tags: (event.Tag ?? []).map((tag) => this.tags.index(tag.name, tag.colour)),
      shortJson:
        `{"org_id":"${orgId}","distribution":"${distribution}","id":"${id}","info":${JSON.stringify(event.info)},` +
        `"orgc_id":"${orgcId}","uuid":${JSON.stringify(uuid)}}`,
    };
  }

  private appendAttribute(
    attribute: MispAttributeJson,
    eventRow: number,
    objectId: number,
    fallbackTs: number,
  ): number {
    const id = toInteger(attribute.id, this.maxAttributeId + 1);
    if (id <= this.maxAttributeId) this.inIdOrder = false;
    this.maxAttributeId = Math.max(this.maxAttributeId, id);
    const row = this.ids.push(id);
    this.eventRows.push(eventRow);
    this.rowsOfEvent[eventRow].push(row);
    this.objectIds.push(toInteger(attribute.object_id, objectId));
    this.typeCodes.push(this.types.code(String(attribute.type)));
    this.categoryCodes.push(this.categories.code(attribute.category ?? 'Other'));
    this.timestamps.push(toInteger(attribute.timestamp, fallbackTs));
    let flags = toBoolean(attribute.to_ids) ? FLAG_TO_IDS : 0;
    if (toBoolean(attribute.deleted)) flags |= FLAG_DELETED;
    if (toBoolean(attribute.disable_correlation)) flags |= FLAG_DISABLE_CORRELATION;
    this.flags.push(flags);
    this.distributions.push(toInteger(attribute.distribution, 5));
    this.values.push(String(attribute.value));
    this.uuids.push();
    const uuid = typeof attribute.uuid === 'string' ? attribute.uuid : randomUuid(this.random);
    const extras: AttributeExtras = {};
    if (!writeUuid(uuid, this.uuids.array, row * 16)) extras.uuidText = uuid;
    if (attribute.comment) extras.comment = attribute.comment;
    if (attribute.object_relation) extras.objectRelation = attribute.object_relation;
    if (attribute.first_seen) extras.firstSeen = attribute.first_seen;
    if (attribute.last_seen) extras.lastSeen = attribute.last_seen;
    if (Object.keys(extras).length > 0) this.extras.set(row, extras);
    if (attribute.Tag && attribute.Tag.length > 0) this.setAttributeTags(row, attribute.Tag);
    return row;
  }

  private setAttributeTags(row: number, tags: readonly MispTagJson[]): void {
    if (tags.length === 0) this.attributeTags.delete(row);
    else
      this.attributeTags.set(
        row,
        tags.map((tag) => this.tags.index(tag.name, tag.colour)),
      );
  }

  /**
   * MISP unpublishes an event on any change to it or its attributes and moves its timestamp
   * (MispAttribute::touch, Event::unpublishEvent); `publish` publishes it again right after.
   */
  private afterEventChange(eventRow: number, publish: boolean): void {
    const event = this.events[eventRow];
    event.timestamp = this.nowSeconds();
    event.published = false;
    if (publish) {
      event.published = true;
      event.publishTimestamp = event.timestamp;
    }
    this.version += 1;
  }
}
