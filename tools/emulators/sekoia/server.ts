import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultController, type FaultRule } from '../faults';
import { listen, pathOf, type RequestHandler, type RunningServer, sendJson } from '../http';
import { type CollectionReport, CollectionStore, type TaskOutcome } from './collections';
import {
  handleIocRoute,
  type IocApiContext,
  type IocApiSettings,
  type RecordedRequest,
  type SekoiaKeyPermission,
  type UnknownCollectionStatus,
} from './ioc-routes';
import { handleRuntimeRoute, type ReceivedEvent, type ReceivedLog, RuntimeInbox } from './runtime-routes';

/** Demo values, not secrets: what the emulator accepts unless told otherwise. */
export const DEFAULT_SEKOIA_API_KEY = 'sekoia-emulator-api-key';
export const DEFAULT_RUNTIME_TOKEN = 'sekoia-emulator-runtime-token';
export const DEFAULT_COLLECTION_ID = 'ioc-collection--00000000-0000-4000-8000-000000000001';
export const DEFAULT_COMMUNITY_UUID = '00000000-0000-4000-8000-00000000c0de';

export type { SekoiaKeyPermission, UnknownCollectionStatus } from './ioc-routes';

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
  /** IOC Collection ids that exist. @default [DEFAULT_COLLECTION_ID] */
  collections?: readonly string[];
  /** Leave out text-import lines the format does not accept. @default true */
  validateLines?: boolean;
  /** Values that make a whole import fail with 400. @default [] */
  rejectValues?: readonly string[];
  /** Every import answered 400 (a rejection unrelated to the content). @default false */
  rejectImports?: boolean;
  /** Text imports of more lines answered 400 naming the size. @default no limit */
  maxLines?: number;
  /** Import bodies over this many bytes answered 413. @default no limit */
  maxBodyBytes?: number;
  /** @default 404 */
  unknownCollectionStatus?: UnknownCollectionStatus;
  /** A text import lands this long after its 202. @default 0 (right after the answer) */
  importDelayMs?: number;
  /** Keep accepted imports' paths and bodies. @default false */
  recordRequests?: boolean;
  /** Seed of the fault decisions. @default 1 */
  seed?: number;
  /** Fault rules in force from the start. @default [] */
  faults?: readonly FaultRule[];
  /** Clock for dates (validity, revocation, Retry-After), ms since the epoch. @default Date.now */
  now?: () => number;
  /** The community's quota (count-total-iocs' `max`). @default 500_000 */
  iocQuota?: number;
  /** IOCs the community's other collections hold (count toward the quota). @default 0 */
  otherCommunityIocs?: number;
  /** Order of the indicator list. @default 'oldest-first' */
  listOrder?: 'oldest-first' | 'newest-first';
}

export interface SekoiaEmulator extends RunningServer {
  readonly faults: FaultController;
  /** Knobs that may be changed while running. */
  readonly settings: IocApiSettings & { secrets: Record<string, string>; runtimeToken: string };
  addCollection(id: string): void;
  /** What a collection holds and received (landed imports only); throws for an unknown id. */
  collection(id?: string): CollectionReport;
  /** Lands every text import still pending (tests of the 202-then-later behaviour). */
  landPendingImports(): void;
  /** Accepted imports as posted, in order (with recordRequests). */
  recordedRequests(): RecordedRequest[];
  /** Outcomes of the text imports that landed, in order ({task_id, imported, total, ...}). */
  tasks(): TaskOutcome[];
  /** count-total-iocs as the API answers it. */
  countTotal(): { count: number; max: number };
  /** Every IOC Collection API request received, answered or refused, as "METHOD /path" (no query). */
  apiRequests(): string[];
  /** Events received on /callback, in order. */
  events(): ReceivedEvent[];
  /** Log lines received on /logs, in order. */
  logs(): ReceivedLog[];
  /** Forgets received events, logs, recorded requests, task outcomes and indicators (pending imports land first). */
  clearReceived(): void;
}

/** Runs pending text imports a moment after their 202, or all at once on demand. */
class ImportQueue {
  private readonly pending = new Map<number, () => void>();
  private next = 0;
  private readonly timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();

  constructor(private readonly delayMs: () => number) {}

  schedule(land: () => void): void {
    const id = this.next++;
    this.pending.set(id, land);
    const run = (): void => this.run(id);
    const delay = this.delayMs();
    const timer = delay > 0 ? setTimeout(run, delay) : setImmediate(run);
    this.timers.add(timer);
  }

  landAll(): void {
    for (const id of [...this.pending.keys()]) this.run(id);
  }

  dispose(): void {
    for (const timer of this.timers) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
    }
    this.timers.clear();
  }

  private run(id: number): void {
    const land = this.pending.get(id);
    this.pending.delete(id);
    land?.();
  }
}

function settingsOf(options: SekoiaEmulatorOptions): SekoiaEmulator['settings'] {
  return {
    apiKeys: new Map(Object.entries(options.apiKeys ?? { [DEFAULT_SEKOIA_API_KEY]: 'write-ioc' })),
    validateLines: options.validateLines ?? true,
    rejectValues: new Set(options.rejectValues ?? []),
    rejectImports: options.rejectImports ?? false,
    maxLines: options.maxLines,
    maxBodyBytes: options.maxBodyBytes,
    unknownCollectionStatus: options.unknownCollectionStatus ?? 404,
    importDelayMs: options.importDelayMs ?? 0,
    recordRequests: options.recordRequests ?? false,
    iocQuota: options.iocQuota ?? 500_000,
    otherCommunityIocs: options.otherCommunityIocs ?? 0,
    listOrder: options.listOrder ?? 'oldest-first',
    secrets: { ...options.secrets },
    runtimeToken: options.runtimeToken ?? DEFAULT_RUNTIME_TOKEN,
  };
}

/** What the routes and the emulator's methods share. */
interface SekoiaWorld {
  readonly settings: SekoiaEmulator['settings'];
  readonly api: IocApiContext;
  readonly inbox: RuntimeInbox;
  readonly faults: FaultController;
  readonly queue: ImportQueue;
  /** Every IOC Collection API request received, as "METHOD /path". */
  readonly apiRequests: string[];
}

/** Starts the Sekoia emulator (runtime endpoints, the IOC Collection API) on loopback. */
export async function startSekoiaEmulator(options: SekoiaEmulatorOptions = {}): Promise<SekoiaEmulator> {
  const world = openSekoiaWorld(options);
  const server = await listen(sekoiaHandler(world), options.port ?? 0, options.host ?? '127.0.0.1', () => {
    world.faults.dispose();
    world.queue.dispose();
  });
  return sekoiaEmulatorOf(world, server);
}

/** The collections, the runtime inbox, the import queue and the faults in force. */
function openSekoiaWorld(options: SekoiaEmulatorOptions): SekoiaWorld {
  const settings = settingsOf(options);
  const queue = new ImportQueue(() => settings.importDelayMs);
  return {
    settings,
    api: {
      store: new CollectionStore(options.collections ?? [DEFAULT_COLLECTION_ID], settings),
      settings,
      now: options.now ?? Date.now,
      schedule: (land) => queue.schedule(land),
      recorded: [],
      tasks: [],
      communityUuid: DEFAULT_COMMUNITY_UUID,
    },
    inbox: new RuntimeInbox(),
    faults: new FaultController({
      seed: options.seed,
      rules: options.faults,
      now: options.now,
      malformedBody: '{"task_id":"5f1c',
    }),
    queue,
    apiRequests: [],
  };
}

/** GET /_emulator/{events,logs,tasks,collections/<id>}: what the emulator received and holds. */
function handleSekoiaAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  world: SekoiaWorld,
): boolean {
  const { inbox, api } = world;
  if (req.method !== 'GET') return false;
  if (path === '/_emulator/events') sendJson(res, 200, inbox.events);
  else if (path === '/_emulator/logs') sendJson(res, 200, inbox.logs);
  else if (path === '/_emulator/tasks') sendJson(res, 200, api.tasks);
  else if (path.startsWith('/_emulator/collections/')) {
    const id = decodeURIComponent(path.slice('/_emulator/collections/'.length));
    if (api.store.has(id)) sendJson(res, 200, api.store.report(id));
    else sendJson(res, 404, { message: `IOC collection ${id} not found` });
  } else return false;
  return true;
}

/** The emulator's own routes and the faults, then the runtime endpoints, then the IOC Collection API. */
function sekoiaHandler(world: SekoiaWorld): RequestHandler {
  const { faults, settings, inbox, api, apiRequests } = world;
  return async (req, res) => {
    const path = pathOf(req);
    if (await faults.handleAdmin(req, res)) return;
    if (handleSekoiaAdmin(req, res, path, world)) return;
    if (await faults.intercept(req, res)) return;
    const runtime = { token: settings.runtimeToken, secrets: settings.secrets };
    if (await handleRuntimeRoute(req, res, path, inbox, runtime)) return;
    // The app.* hosts serve the API under /api; the api.* hosts at the root. Accept both.
    const apiPath = path.startsWith('/api/') ? path.slice(4) : path;
    apiRequests.push(`${req.method} ${apiPath}`);
    if (await handleIocRoute(req, res, apiPath, api)) return;
    req.resume();
    sendJson(res, 404, { message: `no route ${req.method} ${path}` });
  };
}

/** The running server with the methods tests use to read and change what it holds. */
function sekoiaEmulatorOf(world: SekoiaWorld, server: RunningServer): SekoiaEmulator {
  const { api, inbox, queue, apiRequests } = world;
  const { store } = api;
  return {
    ...server,
    faults: world.faults,
    settings: world.settings,
    addCollection: (id) => store.add(id),
    collection: (id = DEFAULT_COLLECTION_ID) => store.report(id),
    landPendingImports: () => queue.landAll(),
    recordedRequests: () => [...api.recorded],
    tasks: () => [...api.tasks],
    countTotal: () => store.countTotal(),
    apiRequests: () => [...apiRequests],
    events: () => [...inbox.events],
    logs: () => [...inbox.logs],
    clearReceived: () => {
      queue.landAll();
      inbox.clear();
      store.clear();
      api.recorded.length = 0;
      api.tasks.length = 0;
      apiRequests.length = 0;
    },
  };
}
