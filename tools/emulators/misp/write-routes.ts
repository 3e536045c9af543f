import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, pathOf, readJson, sendJson, sendRawJson } from '../http';
import { eventJson } from './events-search';
import { sendMispError } from './rest-search';
import { serializeAttribute } from './serialize';
import { type AttributeChanges, type AttributeStore, FLAG_DELETED } from './store';
import { type MispAttributeJson, type MispEventJson, toBoolean, unwrapEvent } from './wire-types';

/** A MISP error: status and message as MISP 2.5.1 answers them. */
class MispRouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `/attributes/delete/ID/1` and `/attributes/delete/ID/hard:1` are MISP's hard delete too. */
const ROUTE =
  /^\/(events|attributes)\/(add|edit|publish|unpublish|delete)(?:\/(\d+))?(?:\/(?:hard:)?([01]))?$/;

/**
 * MISP's write endpoints the contract suite seeds with (the same calls on a real MISP), after the
 * key was checked. Answers and errors are MISP 2.5.1's (measured): events/add answers the event,
 * attributes/add and attributes/edit the attribute, the others a message. Every change goes
 * through the store, which unpublishes as MISP does. False when the path is not one of them.
 */
export async function handleMispWrite(
  req: IncomingMessage,
  res: ServerResponse,
  store: AttributeStore,
): Promise<boolean> {
  const match = ROUTE.exec(pathOf(req));
  if (!match || (req.method !== 'POST' && req.method !== 'DELETE')) return false;
  const body = await readJson(req);
  const [, model, action, idText, hardNamed] = match;
  const id = idText === undefined ? undefined : Number(idText);
  try {
    const answer = write(store, `${model}/${action}`, id, isRecord(body) ? body : {}, hardNamed === '1');
    if (answer === undefined) return notFound(req, res);
    if (typeof answer === 'string') sendRawJson(res, 200, answer);
    else sendJson(res, 200, 'saved' in answer ? { ...answer, url: pathOf(req) } : answer);
  } catch (error) {
    if (!(error instanceof MispRouteError)) throw error;
    sendMispError(res, req, error.status, error.message);
  }
  return true;
}

function notFound(req: IncomingMessage, res: ServerResponse): true {
  sendMispError(res, req, 404, 'Not Found');
  return true;
}

type Answer = string | Record<string, unknown> | undefined;

function write(
  store: AttributeStore,
  route: string,
  id: number | undefined,
  body: Record<string, unknown>,
  hardNamed: boolean,
): Answer {
  if (route === 'events/add') return addEvent(store, body);
  if (id === undefined) return undefined;
  switch (route) {
    case 'attributes/add':
      return addAttribute(store, id, body);
    case 'attributes/edit':
      return editAttribute(store, id, body);
    case 'attributes/delete':
      return deleteAttribute(store, id, hardNamed || toBoolean(body.hard));
    case 'events/publish':
      onEvent(store, id, 'Invalid event.', () => store.republishEvent(id));
      return eventMessage('Event published without alerts', id);
    case 'events/unpublish':
      onEvent(store, id, 'Invalid Event.', () => store.unpublishEvent(id));
      return eventMessage('Event unpublished.', id);
    case 'events/delete':
      onEvent(store, id, undefined, () => store.removeEvent(id));
      return eventMessage('Event deleted.', id);
    default:
      return undefined;
  }
}

function eventMessage(message: string, id: number): Record<string, unknown> {
  return { saved: true, success: true, name: message, message, id: String(id) };
}

/** Runs a change on an event, or fails as MISP does when it is not there (delete: 403). */
function onEvent(store: AttributeStore, id: number, missing: string | undefined, change: () => void): void {
  try {
    store.eventRowOf(id);
  } catch {
    if (missing === undefined) throw new MispRouteError(403, 'Could not delete Event');
    throw new MispRouteError(404, missing);
  }
  change();
}

/** The fields MISP assigns itself on a REST add (ids, times) are dropped from what was sent. */
function withoutAssigned<T extends Record<string, unknown>>(record: T): T {
  const copy: Record<string, unknown> = { ...record };
  for (const key of ['id', 'event_id', 'timestamp', 'publish_timestamp', 'uuid']) delete copy[key];
  return copy as T;
}

function addEvent(store: AttributeStore, body: Record<string, unknown>): Answer {
  const event = unwrapEvent(body as unknown as MispEventJson);
  if (typeof event.info !== 'string' || event.info === '')
    throw new MispRouteError(403, 'Event could not be saved: info is required');
  // MISP keeps the first of two attributes with the same type and value, and drops the other.
  const seen = new Set<string>();
  const attributes = (event.Attribute ?? [])
    .filter((attribute) => {
      const key = `${attribute.type}|${attribute.value}`;
      return !seen.has(key) && seen.add(key) !== undefined;
    })
    .map((attribute) => withoutAssigned(attribute));
  const id = store.addEvent({ ...withoutAssigned(event), Attribute: attributes, Object: [] });
  return `{"Event":${eventJson(store, store.eventRowOf(id), false)}}`;
}

function addAttribute(store: AttributeStore, eventId: number, body: Record<string, unknown>): Answer {
  try {
    store.eventRowOf(eventId);
  } catch {
    throw new MispRouteError(404, 'Invalid event');
  }
  const attribute = withoutAssigned((isRecord(body.Attribute) ? body.Attribute : body) as MispAttributeJson);
  if (typeof attribute.type !== 'string' || typeof attribute.value !== 'string')
    throw new MispRouteError(403, 'Attribute could not be saved: type and value are required');
  if (holdsAlready(store, store.eventRowOf(eventId), attribute))
    throw new MispRouteError(403, 'Could not add Attribute');
  const [id] = store.addAttributes(eventId, [attribute]);
  return `{"Attribute":${serializeAttribute(store, store.liveRowOf(id), false)}}`;
}

/** An attribute of the event, not deleted, with this type and value ("A similar attribute already exists"). */
function holdsAlready(store: AttributeStore, eventRow: number, attribute: MispAttributeJson): boolean {
  return store.rowsOfEvent[eventRow].some(
    (row) =>
      (store.flags.get(row) & FLAG_DELETED) === 0 &&
      store.values[row] === attribute.value &&
      store.types.names[store.typeCodes.get(row)] === attribute.type,
  );
}

function liveRow(store: AttributeStore, id: number, deletedToo: boolean): number {
  let row: number | undefined;
  try {
    row = store.liveRowOf(id);
  } catch {
    row = undefined;
  }
  if (row === undefined || (!deletedToo && (store.flags.get(row) & FLAG_DELETED) !== 0))
    throw new MispRouteError(404, 'Invalid attribute');
  return row;
}

function editAttribute(store: AttributeStore, id: number, body: Record<string, unknown>): Answer {
  liveRow(store, id, true);
  const fields = (isRecord(body.Attribute) ? body.Attribute : body) as Record<string, unknown>;
  const changes: AttributeChanges = {};
  if (typeof fields.value === 'string') changes.value = fields.value;
  if (typeof fields.type === 'string') changes.type = fields.type;
  if (typeof fields.category === 'string') changes.category = fields.category;
  if (typeof fields.comment === 'string') changes.comment = fields.comment;
  if (fields.to_ids !== undefined) changes.to_ids = toBoolean(fields.to_ids);
  if (fields.deleted !== undefined) changes.deleted = toBoolean(fields.deleted);
  store.updateAttribute(id, changes);
  return `{"Attribute":${serializeAttribute(store, store.liveRowOf(id), false)}}`;
}

/** Soft unless hard; a soft delete finds only attributes not deleted yet (MISP's condition). */
function deleteAttribute(store: AttributeStore, id: number, hard: boolean): Answer {
  liveRow(store, id, hard);
  if (hard) store.removeAttribute(id);
  else store.updateAttribute(id, { deleted: true });
  return { message: 'Attribute deleted.' };
}
