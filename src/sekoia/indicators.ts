import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { AnswerProblem } from '../http/request';
import { SekoiaError } from './errors';
import { isRecord } from '../json';
import { SEKOIA_FORMATS, type SekoiaFormat } from './types';

/** The JSON import and the indicator list take at most this many items per request. */
export const MAX_JSON_INDICATORS = 100;
/** The list is read 100 at a time (the API's largest page). */
export const LIST_PAGE_SIZE = 100;
/** At most this many pages are read for one term (10,000 matches): a guard against a runaway list. */
export const LIST_MAX_PAGES = 100;

/** An indicator of the collection, as the API answers it (the fields the trigger reads). */
export interface SekoiaIndicator {
  /** indicator--<uuid>: what revokeIndicator and editIndicator take. */
  id: string;
  /** The value (the API's `name`). */
  value: string;
  /** The STIX pattern, e.g. [ipv4-addr:value = '198.51.100.1']. */
  pattern: string;
  revoked: boolean;
  /** ISO 8601, when the indicator has one. */
  validUntil?: string;
  description?: string;
}

/** What editIndicator may change (PUT .../indicators/{id}); fields left out are not sent. */
export interface IndicatorChanges {
  /** ISO 8601 UTC, e.g. 2026-12-01T00:00:00Z. */
  validUntil?: string;
  validFrom?: string;
  /** At most 500 characters. */
  description?: string;
}

/**
 * Sends one request with the client's retries, its 2xx answer read by `read` (an AnswerProblem is a
 * failed attempt); rejects with a SekoiaError (or AbortedError).
 */
export type SekoiaSend = <R>(
  request: AxiosRequestConfig,
  read: (response: AxiosResponse<unknown>) => R | AnswerProblem,
  signal?: AbortSignal,
) => Promise<R>;

/** Reads one indicator of an answer; undefined when it lacks an id or a value. */
export function readIndicator(data: unknown): SekoiaIndicator | undefined {
  if (!isRecord(data) || typeof data.id !== 'string' || typeof data.name !== 'string') return undefined;
  return {
    id: data.id,
    value: data.name,
    pattern: typeof data.pattern === 'string' ? data.pattern : '',
    revoked: data.revoked === true,
    ...(typeof data.valid_until === 'string' ? { validUntil: data.valid_until } : {}),
    ...(typeof data.description === 'string' ? { description: data.description } : {}),
  };
}

/** The indicators of a list or JSON-import answer ({items: [...], total}). */
export function readIndicatorItems(data: unknown): SekoiaIndicator[] {
  const items = isRecord(data) && Array.isArray(data.items) ? data.items : [];
  return items.map(readIndicator).filter((item): item is SekoiaIndicator => item !== undefined);
}

/** One page of the collection's whole list (no term), as the API answered it. */
export interface IndicatorListPage {
  items: SekoiaIndicator[];
  /** The list's length when the page was read (it may change between pages). */
  total: number;
  /** Items the answer held, readable or not: the next page's offset moves by this. */
  read: number;
  hasMore: boolean;
}

/**
 * The text-import format of an indicator, from its STIX pattern's observable (e.g. `[url:value =
 * '...']` is url.value, `[file:hashes.'SHA-256' = '...']` file.hashes); undefined for any other.
 */
export function formatOfPattern(pattern: string): SekoiaFormat | undefined {
  const match = /^\s*\[\s*([a-z0-9-]+):([a-z]+)/i.exec(pattern);
  if (!match) return undefined;
  const [, objectType, property] = match;
  if (objectType === 'file' && property === 'hashes') return 'file.hashes';
  if (property !== 'value') return undefined;
  const format = `${objectType}.value`;
  return (SEKOIA_FORMATS as readonly string[]).includes(format) ? (format as SekoiaFormat) : undefined;
}

/** Whether `indicator` is exactly `value`: `term` matches substrings of the pattern, so 1.2.3.4 finds 1.2.3.45. */
export function isExactly(indicator: SekoiaIndicator, value: string): boolean {
  return indicator.value === value;
}

/** A list answer ({items: [...], total, has_more}), or what came instead (retried: a body cut short). */
function readList(
  response: AxiosResponse<unknown>,
): (Record<string, unknown> & { items: unknown[] }) | AnswerProblem {
  const data = response.data;
  if (isRecord(data) && Array.isArray(data.items))
    return data as Record<string, unknown> & { items: unknown[] };
  return new AnswerProblem('an answer without "items"', true, 'a list of indicators');
}

/** One indicator's answer, or what came instead. */
function readOne(response: AxiosResponse<unknown>): SekoiaIndicator | AnswerProblem {
  return (
    readIndicator(response.data) ?? new AnswerProblem('an answer without an indicator', true, 'the indicator')
  );
}

/** The paths and calls of one collection's indicators; `send` carries the client's retries and errors. */
export class CollectionIndicators {
  constructor(
    private readonly send: SekoiaSend,
    private readonly collectionPath: string,
  ) {}

  /** Every indicator whose value is exactly `value`, revoked ones included (pages of 100 by term). */
  async list(value: string, signal?: AbortSignal): Promise<SekoiaIndicator[]> {
    const found: SekoiaIndicator[] = [];
    for (let page = 0, offset = 0; page < LIST_MAX_PAGES; page += 1) {
      const request: AxiosRequestConfig = {
        method: 'GET',
        url: `${this.collectionPath}/indicators`,
        params: { term: value, limit: LIST_PAGE_SIZE, offset },
      };
      const answer = await this.send(request, readList, signal);
      found.push(...readIndicatorItems(answer).filter((indicator) => isExactly(indicator, value)));
      offset += answer.items.length;
      if (answer.has_more !== true || answer.items.length === 0) break;
    }
    return found;
  }

  /**
   * One page of the whole collection (GET .../indicators?limit=100&offset=, no term), revoked
   * indicators included. The list may change between two pages: see the collection check.
   */
  async listPage(offset: number, signal?: AbortSignal): Promise<IndicatorListPage> {
    const request: AxiosRequestConfig = {
      method: 'GET',
      url: `${this.collectionPath}/indicators`,
      params: { limit: LIST_PAGE_SIZE, offset },
    };
    const answer = await this.send(request, readList, signal);
    const total = typeof answer.total === 'number' ? answer.total : offset + answer.items.length;
    return {
      items: readIndicatorItems(answer),
      total,
      read: answer.items.length,
      hasMore: answer.has_more === true && answer.items.length > 0,
    };
  }

  /**
   * Creates 1 to 100 indicators at once with the JSON import (Sekoia infers each type from the
   * value) and answers each with its id. The fields apply to every indicator of the request.
   */
  async importJson(
    values: readonly string[],
    fields: { validUntil?: string; description?: string },
    signal?: AbortSignal,
  ): Promise<SekoiaIndicator[]> {
    if (values.length === 0 || values.length > MAX_JSON_INDICATORS) {
      throw new RangeError(`The JSON import takes 1 to ${MAX_JSON_INDICATORS} values, got ${values.length}`);
    }
    const defaults: Record<string, string> = {};
    if (fields.validUntil !== undefined) defaults.valid_until = fields.validUntil;
    if (fields.description !== undefined) defaults.description = fields.description;
    const request: AxiosRequestConfig = {
      method: 'POST',
      url: `${this.collectionPath}/indicators`,
      data: { indicators: values.map((value) => ({ value })), default_fields: defaults },
    };
    return readIndicatorItems(await this.send(request, readList, signal));
  }

  /** Revokes one indicator (DELETE; cannot be undone). Undefined when Sekoia.io does not know it (404). */
  async revoke(indicatorId: string, signal?: AbortSignal): Promise<SekoiaIndicator | undefined> {
    return this.change({ method: 'DELETE', url: this.indicatorPath(indicatorId) }, signal);
  }

  /**
   * Deletes one revoked indicator for good (DELETE with {"force_deletion": true}), which Sekoia.io
   * allows 24 hours after its revocation; before that it refuses (a SekoiaError 'rejected').
   * Resolves false when Sekoia.io does not know it (404: deleted already).
   */
  async forceDelete(indicatorId: string, signal?: AbortSignal): Promise<boolean> {
    const request = {
      method: 'DELETE',
      url: this.indicatorPath(indicatorId),
      data: { force_deletion: true },
    };
    try {
      // Any 2xx: what the answer holds is not documented for a deletion.
      return await this.send(request, () => true, signal);
    } catch (error) {
      if (error instanceof SekoiaError && error.status === 404) return false;
      throw error;
    }
  }

  /** Changes one indicator's validity or description (PUT). Undefined when Sekoia.io does not know it (404). */
  async edit(
    indicatorId: string,
    changes: IndicatorChanges,
    signal?: AbortSignal,
  ): Promise<SekoiaIndicator | undefined> {
    const data: Record<string, string> = {};
    if (changes.validUntil !== undefined) data.valid_until = changes.validUntil;
    if (changes.validFrom !== undefined) data.valid_from = changes.validFrom;
    if (changes.description !== undefined) data.description = changes.description;
    return this.change({ method: 'PUT', url: this.indicatorPath(indicatorId), data }, signal);
  }

  private indicatorPath(indicatorId: string): string {
    if (!/^indicator--[A-Za-z0-9-]+$/.test(indicatorId)) {
      throw new RangeError(`"${indicatorId}" is not an indicator id (indicator--<uuid>)`);
    }
    return `${this.collectionPath}/indicators/${indicatorId}`;
  }

  private async change(
    request: AxiosRequestConfig,
    signal?: AbortSignal,
  ): Promise<SekoiaIndicator | undefined> {
    try {
      return await this.send(request, readOne, signal);
    } catch (error) {
      if (error instanceof SekoiaError && error.status === 404) return undefined;
      throw error;
    }
  }
}
