import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DAY_MS } from '../../../src/clock';
import { isRecord, readBody, sendJson } from '../http';
import { type CollectionStore, type QuotaSettings, type TaskOutcome, toApiIndicator } from './collections';
import { ImportRejected, readImportFields } from './import-fields';
import { isValidIndicator } from './indicator-validation';
import { parseJsonImport } from './json-import';
import { parseTextImport } from './text-import';

/** What a key may do: both IOC-collection permissions, only "View IOC collections", or neither. */
export type SekoiaKeyPermission = 'write-ioc' | 'read-only' | 'no-ioc';

/** Sekoia.io's permission names (OpenAPI description). */
export const MANAGE_PERMISSION = 'Manage IOC collections';
export const VIEW_PERMISSION = 'View IOC collections';

/** The status an import on an unknown collection gets: the OpenAPI description lists no 404 for it. */
export type UnknownCollectionStatus = 400 | 403 | 404;

/** Knobs of the IOC Collection API, changeable while running. */
export interface IocApiSettings extends QuotaSettings {
  apiKeys: Map<string, SekoiaKeyPermission>;
  /** Text-import lines the format does not accept are left out when it lands. @default true */
  validateLines: boolean;
  /** Values that make a whole import fail with 400 (a batch rejected for its content). */
  rejectValues: Set<string>;
  /** Every import answered 400 "Invalid parameters": a rejection that is not about the content. */
  rejectImports: boolean;
  /** Text imports of more lines answered 400 naming the size. Undefined: no limit. */
  maxLines: number | undefined;
  /** Import bodies over this many bytes answered 413. Undefined: no limit. */
  maxBodyBytes: number | undefined;
  /** How an import on an unknown collection is answered. @default 404 */
  unknownCollectionStatus: UnknownCollectionStatus;
  /** A text import lands this long after its 202 (0: right after the answer is sent). */
  importDelayMs: number;
  /** Keep each accepted import's path and body, in order (the bench's floor posts them again). */
  recordRequests: boolean;
}

/** An accepted import as it was posted. */
export interface RecordedRequest {
  path: string;
  body: string;
}

export interface IocApiContext {
  store: CollectionStore;
  settings: IocApiSettings;
  now: () => number;
  /** Runs `land` a moment later (or when the test asks for every pending import to land). */
  schedule: (land: () => void) => void;
  recorded: RecordedRequest[];
  /** Outcomes of the text imports that landed, in order (what the LiveAPI would tell). */
  tasks: TaskOutcome[];
  communityUuid: string;
}

const COUNT_TOTAL_PATH = '/v2/inthreat/ioc-collections/count-total-iocs';

const COLLECTION = /^\/v2\/inthreat\/ioc-collections\/([^/]+)(\/indicators(?:\/text|\/([^/]+))?)?$/;

const UNKNOWN_MESSAGES: Record<UnknownCollectionStatus, string> = {
  400: 'Invalid parameters',
  403: 'Insufficient permissions',
  404: 'Unknown object',
};

/** 401/403 as the OpenAPI description words them; true when the key may go on. */
function authorised(
  req: IncomingMessage,
  res: ServerResponse,
  api: IocApiContext,
  needsManage: boolean,
): boolean {
  const header = req.headers.authorization ?? '';
  const permission = header.startsWith('Bearer ') ? api.settings.apiKeys.get(header.slice(7)) : undefined;
  if (permission === undefined) {
    sendJson(res, 401, { message: 'Authentication failed' });
    return false;
  }
  if (permission === 'no-ioc' || (needsManage && permission !== 'write-ioc')) {
    sendJson(res, 403, { message: 'Insufficient permissions' });
    return false;
  }
  return true;
}

function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://emulator').searchParams;
}

/** limit (1-100, default 20) and offset (>= 0, default 0), or the 400 message. */
function paging(query: URLSearchParams): { limit: number; offset: number } | string {
  const limit = Number(query.get('limit') ?? 20);
  const offset = Number(query.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return 'limit must be an integer from 1 to 100';
  if (!Number.isInteger(offset) || offset < 0) return 'offset must be a non-negative integer';
  return { limit, offset };
}

function readCollection(res: ServerResponse, api: IocApiContext, id: string): void {
  const report = api.store.report(id);
  sendJson(res, 200, {
    id,
    name: 'Emulated MISP IOCs',
    description: '',
    created: '2026-01-01T00:00:00Z',
    modified: '2026-01-01T00:00:00Z',
    created_by: '00000000-0000-4000-8000-0000000000a1',
    modified_by: '00000000-0000-4000-8000-0000000000a1',
    community_uuid: api.communityUuid,
    available_for_sub_communities: false,
    indicators_count: report.indicators.filter((indicator) => !indicator.revoked).length,
  });
}

/** Reads an import's body: 413 past maxBodyBytes; the text is kept when requests are recorded. */
async function importBody(req: IncomingMessage, res: ServerResponse, api: IocApiContext) {
  const raw = await readBody(req);
  const limit = api.settings.maxBodyBytes;
  if (limit !== undefined && raw.length > limit) {
    sendJson(res, 413, { message: 'Request Entity Too Large' });
    return undefined;
  }
  const text = raw.toString('utf8');
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch (error) {
    sendJson(res, 400, { message: `the body is not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
}

async function importIndicators(
  req: IncomingMessage,
  res: ServerResponse,
  api: IocApiContext,
  id: string,
  kind: 'text' | 'json',
): Promise<void> {
  const body = await importBody(req, res, api);
  if (!body) return;
  const { settings, store } = api;
  if (settings.rejectImports) {
    sendJson(res, 400, { message: 'Invalid parameters' });
    return;
  }
  if (kind === 'text') {
    const request = parseTextImport(body.json, settings);
    store.accept(id, 'text');
    if (settings.recordRequests) api.recorded.push({ path: req.url ?? '', body: body.text });
    const validate = settings.validateLines;
    const taskId = randomUUID();
    api.schedule(() =>
      api.tasks.push(
        store.landText(
          id,
          { taskId, format: request.format, lines: request.lines },
          (value) => !validate || isValidIndicator(request.format, value),
          request.fields,
          api.now(),
        ),
      ),
    );
    sendJson(res, 202, { task_id: taskId });
    return;
  }
  const request = parseJsonImport(body.json, settings.rejectValues);
  store.accept(id, 'json');
  if (settings.recordRequests) api.recorded.push({ path: req.url ?? '', body: body.text });
  const items = store.importNow(id, request.values, request.fields, api.now()).map(toApiIndicator);
  sendJson(res, 200, { items, total: items.length });
}

const EDITABLE = new Set([
  'description',
  'valid_from',
  'valid_until',
  'kill_chain_phases',
  'x_ic_related_threat_refs',
]);

async function changeIndicator(
  req: IncomingMessage,
  res: ServerResponse,
  api: IocApiContext,
  id: string,
  indicatorId: string,
): Promise<void> {
  const text = (await readBody(req)).toString('utf8');
  const indicator = api.store.indicator(id, indicatorId);
  if (!indicator) {
    sendJson(res, 404, { message: 'Unknown collection or indicator' });
    return;
  }
  const body: unknown = text.trim() === '' ? {} : JSON.parse(text);
  if (!isRecord(body)) throw new ImportRejected('the body must be a JSON object');
  const now = new Date(api.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (req.method === 'DELETE') {
    // The OpenAPI description documents the 24 hours, not the answer when they have not passed:
    // 400 (its only listed status for a refused request) is our reading.
    if (body.force_deletion === true) {
      const revokedFor = indicator.revokedAt === undefined ? 0 : api.now() - Date.parse(indicator.revokedAt);
      if (revokedFor < DAY_MS) {
        throw new ImportRejected('only an indicator revoked for at least 24 hours can be deleted');
      }
      api.store.delete(id, indicatorId);
    } else if (!indicator.revoked) {
      indicator.revoked = true;
      indicator.revokedAt = now;
      indicator.modified = now;
    }
    sendJson(res, 200, toApiIndicator(indicator));
    return;
  }
  const unknown = Object.keys(body).filter((field) => !EDITABLE.has(field));
  if (unknown.length > 0) throw new ImportRejected(`fields that cannot be edited: ${unknown.join(', ')}`);
  const fields = readImportFields(body);
  if (fields.description !== undefined) indicator.description = fields.description;
  if (fields.validFrom !== undefined) indicator.validFrom = fields.validFrom;
  if (fields.validUntil !== undefined) indicator.validUntil = fields.validUntil;
  if (fields.killChainPhases !== undefined) indicator.killChainPhases = fields.killChainPhases;
  indicator.modified = now;
  sendJson(res, 200, toApiIndicator(indicator));
}

function listIndicators(req: IncomingMessage, res: ServerResponse, api: IocApiContext, id: string): void {
  const query = queryOf(req);
  const page = paging(query);
  if (typeof page === 'string') {
    sendJson(res, 400, { message: page });
    return;
  }
  sendJson(res, 200, api.store.list(id, query.get('term') ?? undefined, page.limit, page.offset));
}

/**
 * The IOC Collection routes of Sekoia's OpenAPI description that the trigger uses or will use:
 * the community's count (count-total-iocs), read a collection, list its indicators, import (text:
 * 202 and lands later; JSON: synchronous; both past the quota import only what fits), revoke or
 * force-delete (DELETE) and edit (PUT) one. False for other paths.
 */
export async function handleIocRoute(
  req: IncomingMessage,
  res: ServerResponse,
  apiPath: string,
  api: IocApiContext,
): Promise<boolean> {
  if (apiPath === COUNT_TOTAL_PATH && req.method === 'GET') {
    req.resume();
    if (authorised(req, res, api, false)) sendJson(res, 200, api.store.countTotal());
    return true;
  }
  const match = COLLECTION.exec(apiPath);
  if (!match) return false;
  const id = decodeURIComponent(match[1]);
  const sub = match[2];
  const indicatorId = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
  const route =
    sub === undefined
      ? `${req.method} collection`
      : indicatorId === undefined
        ? `${req.method} ${sub}`
        : `${req.method} one`;
  const needsManage = route !== 'GET collection' && route !== 'GET /indicators';
  const known = [
    'GET collection',
    'GET /indicators',
    'POST /indicators',
    'POST /indicators/text',
    'DELETE one',
    'PUT one',
  ];
  if (!known.includes(route)) return false;
  if (!authorised(req, res, api, needsManage)) {
    req.resume();
    return true;
  }
  if (!api.store.has(id)) {
    req.resume();
    const status = route.startsWith('POST') ? api.settings.unknownCollectionStatus : 404;
    const message = route.endsWith('one') ? 'Unknown collection or indicator' : UNKNOWN_MESSAGES[status];
    sendJson(res, status, { message });
    return true;
  }
  try {
    if (route === 'GET collection') readCollection(res, api, id);
    else if (route === 'GET /indicators') listIndicators(req, res, api, id);
    else if (route === 'POST /indicators') await importIndicators(req, res, api, id, 'json');
    else if (route === 'POST /indicators/text') await importIndicators(req, res, api, id, 'text');
    else await changeIndicator(req, res, api, id, indicatorId as string);
  } catch (error) {
    if (error instanceof SyntaxError)
      sendJson(res, 400, { message: `the body is not valid JSON: ${error.message}` });
    else if (error instanceof ImportRejected) sendJson(res, 400, { message: error.message });
    else throw error;
  }
  return true;
}
