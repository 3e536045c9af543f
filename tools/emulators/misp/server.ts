import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController, type FaultRule } from '../faults';
import { listen, pathOf, readJson, type RequestHandler, type RunningServer, sendJson } from '../http';
import { handleMispAdmin } from './admin-routes';
import { generateEvents, type GenerateOptions } from './generate';
import { handleEventsSearch } from './events-search';
import { type MispQuirks, parseQuirks, QuirkState } from './quirks';
import { handleRestSearch, type RestSearchContext, sendMispError } from './rest-search';
import { SearchCache } from './search';
import { type AttributeChanges, AttributeStore } from './store';
import { Warninglist } from './warninglist';
import { handleMispWrite } from './write-routes';
import type { MispAttributeJson, MispEventDocument } from './wire-types';

/** The key the emulator accepts unless told otherwise (a demo value, not a secret). */
export const DEFAULT_MISP_API_KEY = 'misp-emulator-key-0000000000000000000000';

const AUTH_FAILED =
  'Authentication failed. Please make sure you pass the API key of an API enabled user along in the Authorization header.';

export interface MispEmulatorOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The Authorization header value accepted (raw, no "Bearer"). @default DEFAULT_MISP_API_KEY */
  apiKey?: string;
  /** Events loaded first. @default [] */
  events?: Iterable<MispEventDocument>;
  /** A generated data set, loaded after `events`. @default none */
  generate?: GenerateOptions;
  /** Clock, ms since the epoch (relative time filters, publication times). @default Date.now */
  now?: () => number;
  /** Seed of the fault decisions and of uuids missing from loaded data. @default 1 */
  seed?: number;
  /** Fault rules in force from the start. @default [] */
  faults?: readonly FaultRule[];
  /** Values enforceWarninglist drops. @default DEFAULT_WARNINGLIST */
  warninglist?: readonly string[];
  /**
   * The MISP version emulated: what getVersion answers and what the paging headers mean (up to
   * 2.4.194 X-Result-Count counts from the first row; X-Skipped-Elements-Count from 2.4.196).
   * @default '2.5.1'
   */
  version?: string;
  /** Behaviours of real servers that can hurt a reader. @default {} (none) */
  quirks?: MispQuirks;
}

export interface MispEmulator extends RunningServer {
  readonly apiKey: string;
  /** The data (read it in tests; change it with the methods below so caches stay right). */
  readonly store: AttributeStore;
  readonly faults: FaultController;
  /** Loads one event ({"Event": ...} or bare); returns its id. */
  addEvent(document: MispEventDocument): number;
  addEvents(documents: Iterable<MispEventDocument>): number[];
  /** Adds attributes (new ids, stamped now): the event is unpublished, unless publish: true publishes it again. */
  addAttributes(
    eventId: number,
    attributes: readonly MispAttributeJson[],
    options?: { publish?: boolean },
  ): number[];
  /** Changes an attribute (timestamp moves to now): its event is unpublished, unless publish: true publishes it again. */
  updateAttribute(attributeId: number, changes: AttributeChanges, options?: { publish?: boolean }): void;
  /** Moves the event's publish_timestamp (to now by default), as publishing it again in MISP does. */
  republishEvent(eventId: number, atSeconds?: number): void;
  /** events/unpublish: published false; timestamp and publish_timestamp stay. */
  unpublishEvent(eventId: number): void;
  /** events/delete: the event and its attributes are gone, from `eventid` look-ups too. */
  deleteEvent(eventId: number): void;
  /** attributes/delete: soft (seen only with `deleted: [0, 1]`) unless hard; the event is unpublished. */
  deleteAttribute(attributeId: number, options?: { hard?: boolean }): void;
  /** Replaces the quirks in force (also POST /_emulator/quirks); restarts the change knob's count. */
  setQuirks(quirks: MispQuirks): void;
  /** Events the changeBetweenRequests knob changed, once it fired. */
  changedEvents(): number[];
  /** Starts (or stops) keeping each search's path and body, in order; starting clears what was kept. */
  recordSearches(on: boolean): void;
  /** The searches kept since recordSearches(true). */
  recordedSearches(): Array<{ path: string; body: Record<string, unknown> }>;
  /** Replaces the values enforceWarninglist drops. */
  setWarninglist(values: readonly string[]): void;
  /** Requests served per path, faults included. */
  requestCounts(): Record<string, number>;
  /** Full scans run by restSearch (one per distinct filter and data version). */
  searchScans(): number;
}

/** What the routes and the emulator's methods share. */
interface MispWorld {
  readonly apiKey: string;
  readonly context: RestSearchContext;
  readonly faults: FaultController;
  /** Requests served per path. */
  readonly counts: Record<string, number>;
  /** The searches kept while recordSearches(true) is in force. */
  recorded: Array<{ path: string; body: Record<string, unknown> }> | undefined;
}

/** Starts the MISP emulator on loopback. */
export async function startMispEmulator(options: MispEmulatorOptions = {}): Promise<MispEmulator> {
  const world = openMispWorld(options);
  const server = await listen(mispHandler(world), options.port ?? 0, options.host ?? '127.0.0.1', () =>
    world.faults.dispose(),
  );
  return mispEmulatorOf(world, server);
}

/** The data (loaded), its caches, the quirks and faults in force. */
function openMispWorld(options: MispEmulatorOptions): MispWorld {
  const now = options.now ?? Date.now;
  const store = new AttributeStore({ now, seed: options.seed });
  if (options.events) store.addEvents(options.events);
  if (options.generate) store.addEvents(generateEvents(options.generate));
  const cache = new SearchCache(store);
  const warninglist = new Warninglist(options.warninglist);
  const quirks = new QuirkState(store);
  quirks.set(options.quirks ?? {});
  const version = options.version ?? '2.5.1';
  const world: MispWorld = {
    apiKey: options.apiKey ?? DEFAULT_MISP_API_KEY,
    context: {
      store,
      version,
      cache,
      warninglist,
      quirks,
      recordSearch: (path, body) => world.recorded?.push({ path, body }),
    },
    faults: new FaultController({
      seed: options.seed,
      rules: options.faults,
      now,
      malformedBody: '{"response":{"Attribute":[{"id":"1","event_id":"1","type":"ip-d',
    }),
    counts: {},
    recorded: undefined,
  };
  return world;
}

/** Counts the request, serves the emulator's own routes and the faults, then checks the key. */
function mispHandler(world: MispWorld): RequestHandler {
  const { context, faults, counts } = world;
  return async (req, res) => {
    const path = pathOf(req);
    counts[path] = (counts[path] ?? 0) + 1;
    if (await faults.handleAdmin(req, res)) return;
    if (await handleQuirksAdmin(req, res, context.quirks)) return;
    if (await handleMispAdmin(req, res, context.store, () => context.cache.scans)) return;
    if (await faults.intercept(req, res)) return;
    if (req.headers.authorization !== world.apiKey) {
      req.resume();
      sendMispError(res, req, 403, AUTH_FAILED);
      return;
    }
    await routeMispApi(req, res, path, context);
  };
}

/** MISP's API, the caller's key accepted. */
async function routeMispApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  context: RestSearchContext,
): Promise<void> {
  if (path === '/attributes/restSearch' && req.method === 'POST') {
    await handleRestSearch(req, res, context);
  } else if (path === '/events/restSearch' && req.method === 'POST') {
    await handleEventsSearch(req, res, context);
  } else if (path === '/attributes/restSearch' || path === '/events/restSearch') {
    req.resume();
    sendMispError(res, req, 400, 'Either specify the search terms in the url, or POST a json array / xml.');
  } else if (await handleMispWrite(req, res, context.store)) {
    return;
  } else if (path === '/servers/getVersion' && req.method === 'GET') {
    sendJson(res, 200, {
      version: context.version,
      pymisp_recommended_version: context.version,
      perm_sync: false,
      perm_sighting: false,
      perm_galaxy_editor: false,
      request_encoding: ['gzip', 'br'],
      filter_sightings: true,
    });
  } else {
    req.resume();
    sendMispError(res, req, 404, 'Not Found');
  }
}

/** The running server with the methods tests use to read and change its data. */
function mispEmulatorOf(world: MispWorld, server: RunningServer): MispEmulator {
  const { store, quirks, warninglist, cache } = world.context;
  return {
    ...server,
    apiKey: world.apiKey,
    store,
    faults: world.faults,
    addEvent: (document) => store.addEvent(document),
    addEvents: (documents) => store.addEvents(documents),
    addAttributes: (eventId, attributes, opts) =>
      store.addAttributes(eventId, attributes, opts?.publish ?? false),
    updateAttribute: (attributeId, changes, opts) =>
      store.updateAttribute(attributeId, changes, opts?.publish ?? false),
    republishEvent: (eventId, atSeconds) => store.republishEvent(eventId, atSeconds),
    unpublishEvent: (eventId) => store.unpublishEvent(eventId),
    deleteEvent: (eventId) => store.removeEvent(eventId),
    deleteAttribute: (attributeId, opts) =>
      opts?.hard === true
        ? store.removeAttribute(attributeId)
        : store.updateAttribute(attributeId, { deleted: true }),
    setQuirks: (value) => quirks.set(value),
    changedEvents: () => [...quirks.changedEvents],
    setWarninglist: (values) => warninglist.replace(values),
    recordSearches: (on) => (world.recorded = on ? [] : undefined),
    recordedSearches: () => [...(world.recorded ?? [])],
    requestCounts: () => ({ ...world.counts }),
    searchScans: () => cache.scans,
  };
}

/** GET / POST /_emulator/quirks: the quirks in force, or new ones (see MispQuirks). */
async function handleQuirksAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  quirks: QuirkState,
): Promise<boolean> {
  if (pathOf(req) !== '/_emulator/quirks') return false;
  if (req.method === 'GET') {
    sendJson(res, 200, { quirks: quirks.current, changedEvents: quirks.changedEvents });
    return true;
  }
  const body = await readJson(req);
  try {
    quirks.set(parseQuirks(body instanceof Error ? undefined : body));
    sendJson(res, 200, { quirks: quirks.current });
  } catch (error) {
    sendJson(res, 400, { message: error instanceof Error ? error.message : String(error) });
  }
  return true;
}
