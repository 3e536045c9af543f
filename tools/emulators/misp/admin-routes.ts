import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, pathOf, readJson, sendJson } from '../http';
import { routeEventRemoval } from './event-removal';
import type { AttributeChanges, AttributeStore } from './store';
import type { MispAttributeJson, MispEventDocument } from './wire-types';

/**
 * /_emulator routes (no key: loopback test control), so that a benchmark or a demo in another
 * process can change the data while the emulator runs:
 *   GET   /_emulator/stats                        {attributes, events, version, searchScans}
 *   POST  /_emulator/events                       an event document or a list -> {ids}
 *   POST  /_emulator/events/{id}/attributes       {attributes: [...], publish?: false} -> {ids}
 *   POST  /_emulator/events/{id}/publish          {timestamp?} (epoch seconds)
 *   PATCH /_emulator/attributes/{id}              AttributeChanges (+ publish?: false)
 * Changes unpublish the event, as in MISP; `publish: true` publishes it again right after.
 * and the reconciliation's (see event-removal.ts).
 */
export async function handleMispAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  store: AttributeStore,
  searchScans: () => number,
): Promise<boolean> {
  const path = pathOf(req);
  if (!path.startsWith('/_emulator/') || path === '/_emulator/faults') return false;
  if (req.method === 'GET' && path === '/_emulator/stats') {
    sendJson(res, 200, {
      attributes: store.size,
      events: store.events.length,
      version: store.version,
      searchScans: searchScans(),
    });
    return true;
  }
  const body = await readJson(req);
  try {
    if (body instanceof Error) throw new Error(`body must be JSON: ${body.message}`);
    const answer = route(req.method ?? 'GET', path, body, store);
    if (answer === undefined) sendJson(res, 404, { message: `no emulator route ${req.method} ${path}` });
    else sendJson(res, 200, answer);
  } catch (error) {
    sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
  return true;
}

function route(method: string, path: string, body: unknown, store: AttributeStore): unknown {
  const removal = routeEventRemoval(method, path, store);
  if (removal !== undefined) return removal;
  if (method === 'POST' && path === '/_emulator/events') {
    const documents = (Array.isArray(body) ? body : [body]) as MispEventDocument[];
    return { ids: store.addEvents(documents) };
  }
  const eventRoute = /^\/_emulator\/events\/(\d+)\/(attributes|publish)$/.exec(path);
  if (method === 'POST' && eventRoute) {
    const eventId = Number(eventRoute[1]);
    const options = isRecord(body) ? body : {};
    if (eventRoute[2] === 'publish') {
      store.republishEvent(eventId, typeof options.timestamp === 'number' ? options.timestamp : undefined);
      return { published: eventId };
    }
    if (!Array.isArray(options.attributes))
      throw new Error('body.attributes must be a list of MISP attributes');
    return {
      ids: store.addAttributes(eventId, options.attributes as MispAttributeJson[], options.publish === true),
    };
  }
  const attributeRoute = /^\/_emulator\/attributes\/(\d+)$/.exec(path);
  if (method === 'PATCH' && attributeRoute && isRecord(body)) {
    store.updateAttribute(Number(attributeRoute[1]), body as AttributeChanges, body.publish === true);
    return { updated: Number(attributeRoute[1]) };
  }
  return undefined;
}
