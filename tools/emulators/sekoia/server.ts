import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController, type FaultRule } from '../faults';
import { listen, pathOf, readJson, type RunningServer, sendJson } from '../http';
import { type CollectionReport, CollectionStore } from './collections';
import { handleRuntimeRoute, type ReceivedEvent, type ReceivedLog, RuntimeInbox } from './runtime-routes';
import { ImportRejected, parseTextImport } from './text-import';

/** Demo values, not secrets: what the emulator accepts unless told otherwise. */
export const DEFAULT_SEKOIA_API_KEY = 'sekoia-emulator-api-key';
export const DEFAULT_RUNTIME_TOKEN = 'sekoia-emulator-runtime-token';
export const DEFAULT_COLLECTION_ID = 'ioc-collection--00000000-0000-4000-8000-000000000001';
export const DEFAULT_COMMUNITY_UUID = '00000000-0000-4000-8000-00000000c0de';

/** What a key may do: write IOC Collections, or only be recognised (GET /v1/me 403, imports 403). */
export type SekoiaKeyPermission = 'write-ioc' | 'read-only';

export interface SekoiaEmulatorOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Bearer token of /callback, /logs, /secrets. @default DEFAULT_RUNTIME_TOKEN */
  runtimeToken?: string;
  /** What GET /secrets answers under "value". @default {} */
  secrets?: Record<string, string>;
  /** API keys and what they may do. @default { [DEFAULT_SEKOIA_API_KEY]: 'write-ioc' } */
  apiKeys?: Record<string, SekoiaKeyPermission>;
  /** IOC Collection ids that exist (others: 404). @default [DEFAULT_COLLECTION_ID] */
  collections?: readonly string[];
  /** Refuse (400) lines the format does not accept. @default true */
  validateLines?: boolean;
  /** Values that make a whole text import fail with 400 (to test a rejected batch). @default [] */
  rejectValues?: readonly string[];
  /** Add created/updated/ignored counts to the text-import answer. @default false */
  reportCounts?: boolean;
  /** Seed of the fault decisions. @default 1 */
  seed?: number;
  /** Fault rules in force from the start. @default [] */
  faults?: readonly FaultRule[];
  /** Clock for Retry-After dates, ms since the epoch. @default Date.now */
  now?: () => number;
}

export interface SekoiaEmulator extends RunningServer {
  readonly faults: FaultController;
  /** Knobs that may be changed while running. */
  readonly settings: {
    validateLines: boolean;
    rejectValues: Set<string>;
    reportCounts: boolean;
    apiKeys: Map<string, SekoiaKeyPermission>;
    secrets: Record<string, string>;
    runtimeToken: string;
  };
  addCollection(id: string): void;
  /** What a collection holds and received; throws for an unknown id. */
  collection(id?: string): CollectionReport;
  /** Events received on /callback, in order. */
  events(): ReceivedEvent[];
  /** Log lines received on /logs, in order. */
  logs(): ReceivedLog[];
  /** Forgets received events, logs and indicators. */
  clearReceived(): void;
}

const TEXT_IMPORT = /^\/v2\/inthreat\/ioc-collections\/([^/]+)\/indicators\/text$/;

/** Starts the Sekoia emulator (runtime endpoints, /v1/me, IOC Collection text import) on loopback. */
export async function startSekoiaEmulator(options: SekoiaEmulatorOptions = {}): Promise<SekoiaEmulator> {
  const settings: SekoiaEmulator['settings'] = {
    validateLines: options.validateLines ?? true,
    rejectValues: new Set(options.rejectValues ?? []),
    reportCounts: options.reportCounts ?? false,
    apiKeys: new Map(Object.entries(options.apiKeys ?? { [DEFAULT_SEKOIA_API_KEY]: 'write-ioc' })),
    secrets: { ...options.secrets },
    runtimeToken: options.runtimeToken ?? DEFAULT_RUNTIME_TOKEN,
  };
  const store = new CollectionStore(options.collections ?? [DEFAULT_COLLECTION_ID]);
  const inbox = new RuntimeInbox();
  const faults = new FaultController({
    seed: options.seed,
    rules: options.faults,
    now: options.now,
    malformedBody: '{"task_id":"5f1c',
  });

  /** 401 / 403 as Sekoia answers them; the permission when the key may write. */
  const checkKey = (req: IncomingMessage, res: ServerResponse): SekoiaKeyPermission | undefined => {
    const header = req.headers.authorization ?? '';
    const permission = header.startsWith('Bearer ') ? settings.apiKeys.get(header.slice(7)) : undefined;
    if (permission === undefined) {
      sendJson(res, 401, { message: 'Unauthorized: the API key is missing, expired or invalid' });
    } else if (permission !== 'write-ioc') {
      sendJson(res, 403, { message: 'Forbidden: the API key lacks the permission to write IOC Collections' });
      return undefined;
    }
    return permission;
  };

  const handleImport = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const body = await readJson(req);
    if (!checkKey(req, res)) return;
    if (!store.has(id)) {
      sendJson(res, 404, { message: `IOC collection ${id} not found` });
      return;
    }
    try {
      if (body instanceof Error) throw new ImportRejected(`the body is not valid JSON: ${body.message}`);
      const request = parseTextImport(body, settings);
      const outcome = store.import(id, request.format, request.values, {
        validUntil: request.validUntil,
        description: request.description,
      });
      const answer = { task_id: randomUUID() };
      sendJson(
        res,
        200,
        settings.reportCounts
          ? { ...answer, created: outcome.created, updated: 0, ignored: outcome.ignored }
          : answer,
      );
    } catch (error) {
      if (!(error instanceof ImportRejected)) throw error;
      sendJson(res, 400, { message: error.message });
    }
  };

  const handleAdmin = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (req.method !== 'GET') return false;
    if (path === '/_emulator/events') sendJson(res, 200, inbox.events);
    else if (path === '/_emulator/logs') sendJson(res, 200, inbox.logs);
    else if (path.startsWith('/_emulator/collections/')) {
      const id = decodeURIComponent(path.slice('/_emulator/collections/'.length));
      if (store.has(id)) sendJson(res, 200, store.report(id));
      else sendJson(res, 404, { message: `IOC collection ${id} not found` });
    } else return false;
    return true;
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    if (await faults.handleAdmin(req, res)) return;
    if (handleAdmin(req, res, path)) return;
    if (await faults.intercept(req, res)) return;
    if (
      await handleRuntimeRoute(req, res, path, inbox, {
        token: settings.runtimeToken,
        secrets: settings.secrets,
      })
    )
      return;
    // The app.* hosts serve the API under /api; the api.* hosts at the root. Accept both.
    const apiPath = path.startsWith('/api/') ? path.slice(4) : path;
    const importMatch = TEXT_IMPORT.exec(apiPath);
    if (importMatch && req.method === 'POST') {
      await handleImport(req, res, decodeURIComponent(importMatch[1]));
      return;
    }
    req.resume();
    if (apiPath === '/v1/me' && req.method === 'GET') {
      if (!checkKey(req, res)) return;
      sendJson(res, 200, {
        uuid: '00000000-0000-4000-8000-0000000000a1',
        name: 'Emulator API key',
        type: 'apikey',
        community_uuid: DEFAULT_COMMUNITY_UUID,
        communities: [{ uuid: DEFAULT_COMMUNITY_UUID, name: 'Emulated community' }],
        permissions: ['SIC_WRITE_IOC_COLLECTIONS'],
      });
      return;
    }
    sendJson(res, 404, { message: `no route ${req.method} ${path}` });
  };

  const server = await listen(handler, options.port ?? 0, options.host ?? '127.0.0.1', () =>
    faults.dispose(),
  );
  return {
    ...server,
    faults,
    settings,
    addCollection: (id) => store.add(id),
    collection: (id = DEFAULT_COLLECTION_ID) => store.report(id),
    events: () => [...inbox.events],
    logs: () => [...inbox.logs],
    clearReceived: () => {
      inbox.clear();
      store.clear();
    },
  };
}
