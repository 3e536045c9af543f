import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonContentType, isRecord, pathOf, readJson, sendJson } from '../http';
import type { QuirkState } from './quirks';
import type { SearchCache } from './search';
import { parseSearchRequest } from './search-filter';
import { serializeAttribute } from './serialize';
import type { AttributeStore } from './store';
import type { Warninglist } from './warninglist';
import { compareMispVersions, mispResultCount, sendsSkippedCount } from './paging-headers';

/** Bytes per Buffer, and bytes held before handing them to the socket (bounds an unlimited answer). */
const BUFFER_BYTES = 1 << 20;
const FLUSH_BYTES = 8 << 20;

/** MISP's error JSON: {"name", "message", "url"}. */
export function sendMispError(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  message: string,
): void {
  sendJson(res, status, { name: message, message, url: pathOf(req) });
}

export interface RestSearchContext {
  store: AttributeStore;
  /** The MISP version emulated: it decides what the paging headers mean (see paging-headers.ts). */
  version: string;
  cache: SearchCache;
  warninglist: Warninglist;
  quirks: QuirkState;
  /** Told each search's path and filters, when set (the bench's floor replays them). */
  recordSearch?: (path: string, filters: Record<string, unknown>) => void;
}

const shuffledCache = new WeakMap<Uint32Array, Uint32Array>();

/**
 * The order of a MISP that ignores `order` (2.4.178 and older): fixed for a given result set, but
 * not id order (rows sorted on a hash of their id).
 */
export function orderIgnored(rows: Uint32Array, store: AttributeStore): Uint32Array {
  let shuffled = shuffledCache.get(rows);
  if (!shuffled) {
    const ids = store.ids.array;
    const hash = (row: number): number => Math.imul(ids[row], 2654435761) >>> 0;
    shuffled = rows.slice().sort((a, b) => hash(a) - hash(b));
    shuffledCache.set(rows, shuffled);
  }
  return shuffled;
}

/**
 * The filters of a restSearch body (attributes or events), or undefined when MISP would refuse
 * the request (the error is then sent).
 */
export async function readSearchFilters(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Record<string, unknown> | undefined> {
  // MISP reads the body only with a JSON Content-Type; otherwise it sees no filters at all.
  const body = isJsonContentType(req) ? await readJson(req) : (req.resume(), undefined);
  if (body instanceof Error) {
    sendMispError(
      res,
      req,
      405,
      'Invalid JSON input. Make sure that the JSON input is a correctly formatted JSON string. ' +
        'This request has been blocked to avoid an unfiltered request.',
    );
    return undefined;
  }
  const filters = isRecord(body) && isRecord(body.request) ? body.request : body;
  if (!isRecord(filters) || Object.keys(filters).length === 0) {
    sendMispError(
      res,
      req,
      400,
      'Either specify the search terms in the url, or POST a json array / xml (with the root element ' +
        'being "request" and specify the correct headers based on content type).',
    );
    return undefined;
  }
  const returnFormat = filters.returnFormat ?? 'json';
  if (returnFormat !== 'json') {
    sendMispError(res, req, 404, 'Invalid return format.');
    return undefined;
  }
  return filters;
}

/** POST /attributes/restSearch, after the key was checked. */
export async function handleRestSearch(
  req: IncomingMessage,
  res: ServerResponse,
  context: RestSearchContext,
): Promise<void> {
  const filters = await readSearchFilters(req, res);
  if (!filters) return;
  context.recordSearch?.('/attributes/restSearch', filters);
  const { store, quirks } = context;
  quirks.beforeAttributeSearch();
  const search = parseSearchRequest(filters, store.nowSeconds());
  if (search.filter.types) search.filter.types.or = quirks.typesAsMispReadsThem(search.filter.types.or);
  const found = context.cache.rows(search.filter);
  const matching = quirks.current.ignoreOrder ? orderIgnored(found, store) : found;
  const descending = search.descending && !quirks.current.ignoreOrder;
  const start = search.limit === 0 ? 0 : (search.page - 1) * search.limit;
  const end = search.limit === 0 ? matching.length : Math.min(matching.length, start + search.limit);
  const page: number[] = [];
  let skipped = 0;
  let allowedlisted = 0;
  for (let i = start; i < end; i += 1) {
    const row = matching[descending ? matching.length - 1 - i : i];
    if (search.enforceWarninglist && context.warninglist.matches(store.values[row])) skipped += 1;
    // The Allowedlist drops rows after the query and counts them nowhere.
    else if (quirks.isAllowedlisted(store.values[row])) allowedlisted += 1;
    else page.push(row);
  }
  quirks.recordServed(page);
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=UTF-8' };
  if (!quirks.current.noCountHeaders) {
    const rows = Math.max(0, end - start);
    // Up to 2.4.194 MISP counts the rows left after the Allowedlist too, from 2.4.195 before it.
    const returned =
      compareMispVersions(context.version, '2.4.195') < 0 ? page.length : page.length + allowedlisted;
    headers['X-Result-Count'] = String(
      search.limit === 0 ? rows : mispResultCount(context.version, search.limit, search.page, rows, returned),
    );
    if (sendsSkippedCount(context.version)) headers['X-Skipped-Elements-Count'] = String(skipped);
  }
  res.writeHead(200, headers);
  await writeAttributes(res, store, page, search.includeEventTags);
}

async function writeAttributes(
  res: ServerResponse,
  store: AttributeStore,
  rows: readonly number[],
  includeEventTags: boolean,
): Promise<void> {
  const writer = new ChunkWriter(res);
  writer.write('{"response":{"Attribute":[');
  for (let i = 0; i < rows.length; i += 1) {
    if (i > 0) writer.write(',');
    writer.write(serializeAttribute(store, rows[i], includeEventTags));
    if (writer.pending >= FLUSH_BYTES) {
      await writer.flush();
      if (res.destroyed) return;
    }
  }
  writer.write(']}}');
  await writer.flush();
  res.end();
}

/** Copies strings into large Buffers (one copy, no string joins) and hands them to the socket. */
class ChunkWriter {
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private offset = 0;
  private readonly full: Buffer[] = [];
  pending = 0;

  constructor(private readonly res: ServerResponse) {}

  write(text: string): void {
    if (this.offset + text.length * 3 > this.buffer.length) this.rotate(text.length * 3);
    const written = this.buffer.write(text, this.offset);
    this.offset += written;
    this.pending += written;
  }

  async flush(): Promise<void> {
    this.rotate(0);
    for (const chunk of this.full.splice(0)) {
      if (!this.res.write(chunk)) await drainedOrClosed(this.res);
    }
    this.pending = 0;
  }

  private rotate(atLeast: number): void {
    if (this.offset > 0) this.full.push(this.buffer.subarray(0, this.offset));
    this.buffer = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, atLeast));
    this.offset = 0;
  }
}

/** Waits for the socket to take more, or to go away (a client that hung up must not leak a wait). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
