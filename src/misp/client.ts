import { AxiosInstance, AxiosResponse } from 'axios';
import { Clock } from '../clock';
import { ConfigurationError, isAbortError } from '../errors';
import { HttpClientHandle, HttpTimeouts, createHttpInstance } from '../http/instance';
import { AnswerProblem, clientSender, describeOperation, RetryNotice } from '../http/request';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../http/retry';
import { MispError, MispErrorKind } from './errors';
import { toMispError } from './failure';
import { RestSearchBody } from './rest-search-body';
import { parseEventsAnswer } from './events-answer';
import { parseRestSearchAnswer, previewOf } from './rest-search-answer';
import { MispClient, MispEventSummary } from './types';
import { listEventsById, readWindowByEvents, WindowTransport } from './window-reader';

export interface MispClientOptions {
  /** misp_url: the MISP base URL, e.g. https://misp.example.com (a sub-path is kept). */
  baseUrl: string;
  /** misp_api_key, sent raw in the Authorization header. Never logged. */
  apiKey: string;
  /** misp_ca_certificate: extra trusted CA (PEM). */
  caPem?: string;
  /** Account http_proxy; wins over HTTP_PROXY. */
  httpProxy?: string;
  /** Account https_proxy; wins over HTTPS_PROXY. */
  httpsProxy?: string;
  /** Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  clock: Clock;
  /** @default DEFAULT_RETRY_POLICY */
  retryPolicy?: RetryPolicy;
  /** @default { connectMs: 15000, readMs: 120000 } (readMs: one whole page) */
  timeouts?: HttpTimeouts;
  /** Told before each wait between two attempts (the error in it holds no secret). */
  onRetry?: (notice: RetryNotice) => void;
  /** Largest answer accepted, in bytes. @default 268435456 (256 MiB) */
  maxAnswerBytes?: number;
  /** Source of jitter, injectable for tests. @default Math.random */
  random?: () => number;
}

/** The MISP client, plus what the start-up log and the shutdown need. */
export interface MispHttpClient extends MispClient, HttpClientHandle {
  /** The base URL in use (normalised, ending with "/"). */
  readonly baseUrl: string;
}

export const MISP_READ_TIMEOUT_MS = 120_000;
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;
const REST_SEARCH_PATH = 'attributes/restSearch';
const EVENTS_SEARCH_PATH = 'events/restSearch';

/** "https://misp.example.com/x" -> "https://misp.example.com/x/" (paths are then joined relative). */
function normaliseBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new ConfigurationError(`misp_url is not a URL: expected e.g. https://misp.example.com`, [
      'misp_url',
    ]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`misp_url must start with https:// or http://, got ${url.protocol}`, [
      'misp_url',
    ]);
  }
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/`;
  return url.toString();
}

/** MISP out of reach for now: the next cycle tries again. */
const TRANSIENT_KINDS: ReadonlySet<MispErrorKind> = new Set(['server', 'unavailable', 'rate_limited']);

function skippedCount(header: unknown): number {
  const count = Number(header);
  return Number.isInteger(count) && count > 0 ? count : 0;
}

/** X-Result-Count as sent, undefined when absent. */
function resultCount(header: unknown): number | undefined {
  if (header === undefined || header === null || header === '') return undefined;
  const count = Number(header);
  return Number.isInteger(count) && count >= 0 ? count : undefined;
}

/**
 * Whether this MISP's X-Result-Count counts from the first row (up to 2.4.194: `limit * (page - 1)
 * + rows`, see docs/apis.md) rather than the page's own rows (2.4.195 on); undefined for a version
 * string that does not read as MAJOR.MINOR.PATCH.
 */
export function countsFromFirstRow(version: string): boolean | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return undefined;
  const [major, minor, patch] = match.slice(1).map(Number);
  if (major !== 2) return major < 2;
  if (minor !== 4) return minor < 4;
  return patch < 195;
}

/**
 * The rows MISP's query matched on this page (+1 when it may have more), from X-Result-Count read
 * as this version writes it; undefined when the header or the version's meaning is unknown.
 */
export function pageResultCount(
  header: number | undefined,
  fromFirstRow: boolean | undefined,
  body: { limit: number; page?: number },
): number | undefined {
  if (header === undefined || fromFirstRow === undefined) return undefined;
  if (!fromFirstRow) return header;
  const rows = header - body.limit * ((body.page ?? 1) - 1);
  return rows >= 0 ? rows : undefined;
}

/** What one restSearch page held. */
interface FetchedPage {
  attributes: unknown[];
  /** X-Skipped-Elements-Count: attributes the warninglists removed after paging. */
  skipped: number;
  /** X-Result-Count, when sent. */
  resultCount?: number;
}

/** A restSearch answer's attributes; a body cut short is asked again, a wrong shape is not. */
function readRestSearchPage(response: AxiosResponse<unknown>): FetchedPage | AnswerProblem {
  const answer = parseRestSearchAnswer(response.data);
  if (!answer.ok)
    return new AnswerProblem(answer.problem, answer.retry, '{"response": {"Attribute": [...]}}');
  return {
    attributes: answer.attributes,
    skipped: skippedCount(response.headers['x-skipped-elements-count']),
    resultCount: resultCount(response.headers['x-result-count']),
  };
}

/** An events/restSearch answer's events; a body cut short is asked again, a wrong shape is not. */
function readEventsAnswer(response: AxiosResponse<unknown>): MispEventSummary[] | AnswerProblem {
  const data = response.data;
  const answer = parseEventsAnswer(data);
  if (answer.ok) return answer.events;
  const cutShort = data === '' || data === undefined || data === null;
  return new AnswerProblem(answer.problem, cutShort, '{"response": [{"Event": {...}}, ...]}');
}

function readVersion(response: AxiosResponse<unknown>): string | AnswerProblem {
  const version = (response.data as { version?: unknown } | null)?.version;
  if (typeof version === 'string' && version.trim() !== '') return version.trim();
  const received = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? null);
  return new AnswerProblem(
    `no "version" string: "${previewOf(received ?? '')}"`,
    false,
    '{"version": "2.5.1", ...}',
  );
}

/** What the client's methods are built on: one HTTP instance and one sender with the retry policy. */
interface MispConnection extends HttpClientHandle {
  baseUrl: string;
  http: AxiosInstance;
  /** One request with the retry policy, its 2xx answer read by `read`; failures become MispErrors. */
  send: ReturnType<typeof clientSender>;
}

function connectToMisp(options: MispClientOptions): MispConnection {
  if (!options.apiKey || options.apiKey.trim() === '') {
    throw new ConfigurationError('misp_api_key is empty: paste the Authkey of a MISP user', ['misp_api_key']);
  }
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const secrets = [options.apiKey];
  const { http, proxyUsed, close } = createHttpInstance({
    baseUrl,
    headers: {
      Authorization: options.apiKey,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    caPem: options.caPem,
    httpProxy: options.httpProxy,
    httpsProxy: options.httpsProxy,
    env: options.env,
    connectTimeoutMs: options.timeouts?.connectMs,
    maxContentLength: options.maxAnswerBytes ?? MAX_ANSWER_BYTES,
    maxBodyLength: 1024 * 1024,
  });
  const send = clientSender({
    http,
    policy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    clock: options.clock,
    random: options.random ?? Math.random,
    attemptTimeoutMs: options.timeouts?.readMs ?? MISP_READ_TIMEOUT_MS,
    secrets,
    onRetry: options.onRetry,
    toError: (error, attempts) => toMispError(error, { attempts, secrets, proxyUsed }),
  });
  return { baseUrl, http, proxyUsed, close, send };
}

export function createMispClient(options: MispClientOptions): MispHttpClient {
  const { baseUrl, http, proxyUsed, close, send } = connectToMisp(options);
  /** What X-Result-Count means on this MISP, once its version is read (undefined before). */
  let fromFirstRow: boolean | undefined;
  let versionTried = false;

  /** One page: a body cut short (dropped connection) is an attempt failed like a 503. */
  async function fetchPage(body: RestSearchBody, signal?: AbortSignal): Promise<FetchedPage> {
    const page = await send(
      { method: 'POST', url: REST_SEARCH_PATH, data: body },
      signal,
      readRestSearchPage,
    );
    return { ...page, resultCount: pageResultCount(page.resultCount, fromFirstRow, body) };
  }

  const transport: WindowTransport = {
    listEvents: (body, signal) =>
      send({ method: 'POST', url: EVENTS_SEARCH_PATH, data: body }, signal, readEventsAnswer),
    readAttributes: fetchPage,
    describe: (path) => describeOperation(http, { method: 'POST', url: path }),
  };

  async function getVersion(signal?: AbortSignal): Promise<string> {
    const version = await send({ method: 'GET', url: 'servers/getVersion' }, signal, readVersion);
    fromFirstRow = countsFromFirstRow(version);
    return version;
  }

  /**
   * The version read at start-up gives the headers' meaning; read here if it failed then. MISP out
   * of reach (5xx, 429, network) fails the read at once, tried again next cycle: a second retry
   * loop after this one would double an outage's waits. Any other refusal of this one path reads
   * on without the version (the read is bounded by the events' attribute counts anyway).
   */
  async function knowVersion(signal?: AbortSignal): Promise<void> {
    if (fromFirstRow !== undefined || versionTried) return;
    try {
      await getVersion(signal);
    } catch (error) {
      if (isAbortError(error) || (error instanceof MispError && TRANSIENT_KINDS.has(error.kind))) throw error;
    }
    versionTried = true;
  }

  return {
    baseUrl,
    proxyUsed,
    close,
    getVersion,
    readWindow: async function* (query, readOptions, signal) {
      await knowVersion(signal);
      yield* readWindowByEvents(transport, query, readOptions, signal);
    },
    listEvents: (ids, signal) => listEventsById(transport, ids, signal),
  };
}
