import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonContentType, isRecord, pathOf, readJson, sendJson } from '../http';
import type { SearchCache } from './search';
import { parseSearchRequest } from './search-filter';
import { serializeAttribute } from './serialize';
import type { AttributeStore } from './store';
import type { Warninglist } from './warninglist';

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
  cache: SearchCache;
  warninglist: Warninglist;
}

/** POST /attributes/restSearch, after the key was checked. */
export async function handleRestSearch(
  req: IncomingMessage,
  res: ServerResponse,
  context: RestSearchContext,
): Promise<void> {
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
    return;
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
    return;
  }
  const returnFormat = filters.returnFormat ?? 'json';
  if (returnFormat !== 'json') {
    sendMispError(res, req, 404, 'Invalid return format.');
    return;
  }
  const search = parseSearchRequest(filters, context.store.nowSeconds());
  const matching = context.cache.rows(search.filter);
  const start = search.limit === 0 ? 0 : (search.page - 1) * search.limit;
  const end = search.limit === 0 ? matching.length : Math.min(matching.length, start + search.limit);
  const page: number[] = [];
  let skipped = 0;
  for (let i = start; i < end; i += 1) {
    const row = matching[search.descending ? matching.length - 1 - i : i];
    if (search.enforceWarninglist && context.warninglist.matches(context.store.values[row])) skipped += 1;
    else page.push(row);
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=UTF-8' };
  if (search.enforceWarninglist) headers['X-Skipped-Elements-Count'] = String(skipped);
  res.writeHead(200, headers);
  await writeAttributes(res, context.store, page, search.includeEventTags);
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
