import { AxiosResponse } from 'axios';
import { Clock } from '../clock';
import { ConfigurationError } from '../errors';
import { isRecord } from '../json';
import { HttpClientHandle, HttpTimeouts, createHttpInstance } from '../http/instance';
import { AnswerProblem, ClientSend, clientSender, RetryNotice } from '../http/request';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../http/retry';
import { readPushResult } from './push-result';
import { normaliseServerUrl, regionOf } from './server-url';
import { KEY_FIX, toSekoiaError } from './failure';
import { CollectionIndicators, IndicatorChanges, IndicatorListPage, SekoiaIndicator } from './indicators';
import type { QuotaCount } from './quota';
import {
  IndicatorBatch,
  IocCollectionSink,
  MAX_BATCH_LINES,
  PushOptions,
  PushResult,
  SEKOIA_FORMATS,
} from './types';

export interface SekoiaClientOptions {
  /** ioc_collection_server, in either form (see normaliseServerUrl). */
  server: string;
  /** ioc_collection_uuid, e.g. ioc-collection--xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx. */
  collectionId: string;
  /** sekoia_api_key, sent as a Bearer token. Never logged. */
  apiKey: string;
  /**
   * Where HTTP_PROXY, HTTPS_PROXY and NO_PROXY are read. @default process.env
   * The account's http_proxy / https_proxy are MISP's only: the trigger runs inside Sekoia's
   * platform, and a corporate proxy in front of MISP may block Sekoia.io (as the homologated Python
   * trigger 2.8.11 found), so Sekoia.io calls go direct unless the environment names a proxy.
   */
  env?: NodeJS.ProcessEnv;
  clock: Clock;
  /** @default DEFAULT_RETRY_POLICY */
  retryPolicy?: RetryPolicy;
  /** @default { connectMs: 15000, readMs: 60000 } */
  timeouts?: HttpTimeouts;
  /** Told before each wait between two attempts (the error in it holds no secret). */
  onRetry?: (notice: RetryNotice) => void;
  /** Source of jitter, injectable for tests. @default Math.random */
  random?: () => number;
}

/** The IOC Collection client, plus what the start-up log and the shutdown need. */
export interface SekoiaHttpClient extends IocCollectionSink, HttpClientHandle {
  /** The API base URL in use (normalised, ending with "/"). */
  readonly serverUrl: string;
  /**
   * The collection's indicators whose value is exactly `value` (GET .../indicators?term=, read
   * 100 at a time; `term` matches substrings, the exact match is ours), revoked ones included.
   */
  listIndicators(value: string, signal?: AbortSignal): Promise<SekoiaIndicator[]>;
  /** Revokes one indicator (DELETE .../indicators/{id}, cannot be undone); undefined on 404. */
  revokeIndicator(indicatorId: string, signal?: AbortSignal): Promise<SekoiaIndicator | undefined>;
  /** Deletes one indicator revoked 24 hours ago or more, for good (force_deletion); false on 404. */
  forceDeleteIndicator(indicatorId: string, signal?: AbortSignal): Promise<boolean>;
  /** Changes one indicator's valid_until, valid_from or description (PUT); undefined on 404. */
  editIndicator(
    indicatorId: string,
    changes: IndicatorChanges,
    signal?: AbortSignal,
  ): Promise<SekoiaIndicator | undefined>;
  /** One page (100 indicators) of the collection's whole list from `offset`, revoked ones included. */
  listCollectionPage(offset: number, signal?: AbortSignal): Promise<IndicatorListPage>;
  /**
   * The community's IOC count and quota (GET /v2/inthreat/ioc-collections/count-total-iocs, all
   * collections together; "View IOC collections").
   */
  countTotalIocs(signal?: AbortSignal): Promise<QuotaCount>;
  /** JSON import of 1 to 100 values sharing `options`; answers each created (or existing) indicator. */
  importIndicators(
    values: readonly string[],
    options: PushOptions,
    signal?: AbortSignal,
  ): Promise<SekoiaIndicator[]>;
}

export const SEKOIA_READ_TIMEOUT_MS = 60_000;
const MAX_DESCRIPTION_CHARS = 500;

/** The text import body, keys spelled as the API reads them. */
interface TextImportBody {
  indicators: string;
  format: string;
  valid_until?: string;
  description?: string;
}

function checkBatch(batch: IndicatorBatch): void {
  // Programming errors of the caller: the trigger batches by format, at most MAX_BATCH_LINES.
  if (!(SEKOIA_FORMATS as readonly string[]).includes(batch.format)) {
    throw new RangeError(`Unknown Sekoia format "${batch.format}"`);
  }
  if (batch.values.length === 0 || batch.values.length > MAX_BATCH_LINES) {
    throw new RangeError(`A batch holds 1 to ${MAX_BATCH_LINES} values, got ${batch.values.length}`);
  }
  if (batch.values.some((value) => value.includes('\n') || value.includes('\r') || value.trim() === '')) {
    throw new RangeError(
      'A batch value is empty or holds a line break: it would not be one line of the import',
    );
  }
}

/** The key and the collection id, checked before any request: a configuration error names the field. */
function checkClientOptions(options: SekoiaClientOptions): void {
  if (!options.apiKey || options.apiKey.trim() === '') {
    throw new ConfigurationError(`sekoia_api_key is empty: it is needed to push IOCs. ${KEY_FIX}`, [
      'sekoia_api_key',
    ]);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(options.collectionId)) {
    throw new ConfigurationError(
      `ioc_collection_uuid "${options.collectionId}" is not an IOC Collection identifier: expected ` +
        'ioc-collection--xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
      ['ioc_collection_uuid'],
    );
  }
}

/** The connection to Sekoia.io and the two ways of sending on it, both with the retry policy. */
interface SekoiaConnection extends HttpClientHandle {
  /** The API base URL in use (normalised, ending with "/"). */
  readonly serverUrl: string;
  /** For requests about indicators: a 404 there is an indicator's, not a missing collection. */
  readonly send: ClientSend;
  /** For requests on the collection itself (its check, a push): a 404 names the collection and region. */
  readonly sendAboutCollection: ClientSend;
}

/**
 * The HTTP instance for `options.server` (the key as a Bearer token, JSON, bounded bodies, proxy
 * from the environment only) and its senders: failures become SekoiaErrors that hold no secret.
 */
function connectToSekoia(options: SekoiaClientOptions): SekoiaConnection {
  const serverUrl = normaliseServerUrl(options.server);
  const server = serverUrl.replace(/\/$/, '');
  const region = regionOf(serverUrl);
  const secrets = [options.apiKey];
  const { http, proxyUsed, close } = createHttpInstance({
    baseUrl: serverUrl,
    headers: {
      Authorization: `Bearer ${options.apiKey}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    env: options.env,
    connectTimeoutMs: options.timeouts?.connectMs,
    maxContentLength: 16 * 1024 * 1024,
    maxBodyLength: 64 * 1024 * 1024,
  });
  const sender = (collectionId?: string): ClientSend =>
    clientSender({
      http,
      policy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      clock: options.clock,
      random: options.random,
      attemptTimeoutMs: options.timeouts?.readMs ?? SEKOIA_READ_TIMEOUT_MS,
      secrets,
      onRetry: options.onRetry,
      toError: (error, attempts) =>
        toSekoiaError(error, { attempts, secrets, proxyUsed, server, collectionId, region }),
    });
  return { serverUrl, proxyUsed, close, send: sender(), sendAboutCollection: sender(options.collectionId) };
}

/** The IOC Collection client: options checked before any request, then one connection for all calls. */
export function createSekoiaClient(options: SekoiaClientOptions): SekoiaHttpClient {
  checkClientOptions(options);
  const { serverUrl, proxyUsed, close, send, sendAboutCollection } = connectToSekoia(options);
  const collectionPath = `v2/inthreat/ioc-collections/${encodeURIComponent(options.collectionId)}`;
  const pushPath = `${collectionPath}/indicators/text`;
  const indicators = new CollectionIndicators(
    (request, read, signal) => send(request, signal, read),
    collectionPath,
  );
  return {
    serverUrl,
    proxyUsed,
    close,

    async checkCollection(signal?: AbortSignal): Promise<void> {
      await sendAboutCollection({ method: 'GET', url: collectionPath }, signal, () => undefined);
    },
    listIndicators: (value, signal) => indicators.list(value, signal),
    listCollectionPage: (offset, signal) => indicators.listPage(offset, signal),
    countTotalIocs: (signal) =>
      send({ method: 'GET', url: 'v2/inthreat/ioc-collections/count-total-iocs' }, signal, readQuotaCount),
    revokeIndicator: (indicatorId, signal) => indicators.revoke(indicatorId, signal),
    forceDeleteIndicator: (indicatorId, signal) => indicators.forceDelete(indicatorId, signal),
    editIndicator: (indicatorId, changes, signal) => indicators.edit(indicatorId, changes, signal),
    importIndicators: (values, pushOptions, signal) =>
      indicators.importJson(values, descriptionCut(pushOptions), signal),

    /**
     * Re-posting a batch is safe: Sekoia.io ignores indicators already in the collection, so a
     * batch retried after a lost answer (or pushed again by the next cycle) changes nothing.
     */
    async push(batch: IndicatorBatch, pushOptions: PushOptions, signal?: AbortSignal): Promise<PushResult> {
      checkBatch(batch);
      const data = textImportBody(batch, pushOptions);
      return sendAboutCollection({ method: 'POST', url: pushPath, data }, signal, readPushAnswer);
    },
  };
}

/**
 * An accepted text import's task id and counts. A 2xx whose body is not Sekoia.io's JSON (a proxy's
 * page, a body cut short) does not prove the batch arrived: it is a failed attempt, sent again.
 */
function readPushAnswer(response: AxiosResponse<unknown>): PushResult | AnswerProblem {
  if (isJsonObject(response.data)) return readPushResult(response.data);
  if (isEmpty(response.data)) return {};
  return new AnswerProblem(excerptOf(response.data), true);
}

/** count-total-iocs' answer {count, max}, or what came instead (retried: a body cut short). */
function readQuotaCount(response: AxiosResponse<unknown>): QuotaCount | AnswerProblem {
  const data = response.data;
  if (isJsonObject(data) && Number.isFinite(data.count) && Number.isFinite(data.max))
    return { count: Number(data.count), max: Number(data.max) };
  return new AnswerProblem(excerptOf(data), true, 'the community IOC count {count, max}');
}

/** The text import's body: one value per line, the format, valid_until and description when set. */
function textImportBody(batch: IndicatorBatch, pushOptions: PushOptions): TextImportBody {
  const body: TextImportBody = { indicators: batch.values.join('\n'), format: batch.format };
  if (pushOptions.validUntil) body.valid_until = pushOptions.validUntil;
  if (pushOptions.description) body.description = descriptionCut(pushOptions).description;
  return body;
}

/** The import fields, the description cut to what Sekoia.io takes. */
function descriptionCut(options: PushOptions): PushOptions {
  if (!options.description || options.description.length <= MAX_DESCRIPTION_CHARS) return options;
  return { ...options, description: options.description.slice(0, MAX_DESCRIPTION_CHARS) };
}

function isJsonObject(data: unknown): data is Record<string, unknown> {
  return isRecord(data) && !Buffer.isBuffer(data);
}

/** No body at all (204, or an empty 2xx): accepted, as the design counts any 2xx. */
function isEmpty(data: unknown): boolean {
  return data === undefined || data === null || (typeof data === 'string' && data.trim() === '');
}

/** What a non-JSON answer held, short and on one line, for the error message. */
function excerptOf(data: unknown): string {
  const text =
    typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : JSON.stringify(data);
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  if (line === '') return 'an empty body';
  return JSON.stringify(line.length > 100 ? `${line.slice(0, 97)}...` : line);
}
