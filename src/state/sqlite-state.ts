import type Keyv from 'keyv';
import type { Clock } from '../clock';
import { describeCause, StateError } from './errors';
import { purgeExpiredSql, selectLiveKeysSql, upsertKeysSql } from './pushed-keys-sql';
import type { TriggerState } from './types';

/** Keys per SQL statement: bounds the statement size whatever a call passes. */
export const KEYS_PER_STATEMENT = 5000;

const TABLE = 'keyv';
const CURSOR_KEY = 'cursor';
const PUSHED_PREFIX = 'pushed:';

export type SqlQuery = (sql: string, ...parameters: unknown[]) => Promise<unknown>;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * TriggerState in one SQLite file (design section 8): keyv + @keyv/sqlite, the store passed
 * explicitly (never keyv's in-memory Map) and every store error thrown as StateError (never read
 * as "not pushed"). The pushed set is read and written a chunk of keys per statement; the cursor
 * is one keyv key.
 */
export class SqliteTriggerState implements TriggerState {
  // Built by openTriggerState, which opens the connection first.
  private closed = false;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;
  private readonly pushedPrefix: string;

  constructor(
    readonly filePath: string,
    private readonly keyv: Keyv,
    private readonly query: SqlQuery,
    namespace: string,
    private readonly clock: Clock,
    private readonly purgeIntervalMs: number,
  ) {
    this.pushedPrefix = `${namespace}:${PUSHED_PREFIX}`;
  }

  async filterUnpushed(keys: readonly string[]): Promise<string[]> {
    this.assertOpen('read the pushed IOCs');
    if (keys.length === 0) return [];
    const live = new Set<string>();
    const now = this.clock.now();
    for (const chunk of chunks([...new Set(keys)], KEYS_PER_STATEMENT)) {
      const rows = (await this.run('read the pushed IOCs', selectLiveKeysSql(TABLE), [
        this.pushedPrefix.length + 1,
        this.pushedPrefix,
        JSON.stringify(chunk),
        now,
      ])) as Array<{ k: string }>;
      for (const row of rows) live.add(row.k);
    }
    return keys.filter((key) => !live.has(key));
  }

  async markPushed(keys: readonly string[], ttlMs: number): Promise<void> {
    this.assertOpen('record the pushed IOCs');
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`TTL of pushed IOCs must be a positive number of ms, got ${ttlMs}`);
    }
    if (keys.length === 0) return;
    const now = this.clock.now();
    if (now - this.lastPurgeAt >= this.purgeIntervalMs) await this.purgeExpired();
    // Same serialisation as keyv's own set(): keyv reads these rows as { value, expires }.
    const record = JSON.stringify({ value: now, expires: now + ttlMs });
    for (const chunk of chunks([...new Set(keys)], KEYS_PER_STATEMENT)) {
      await this.run('record the pushed IOCs', upsertKeysSql(TABLE), [
        this.pushedPrefix,
        record,
        JSON.stringify(chunk),
      ]);
    }
  }

  /** Deletes this namespace's expired pushed records; keeps the file flat in size. */
  async purgeExpired(): Promise<void> {
    this.assertOpen('purge expired pushed IOCs');
    const now = this.clock.now();
    const end = `${this.pushedPrefix.slice(0, -1)};`;
    await this.run('purge expired pushed IOCs', purgeExpiredSql(TABLE), [this.pushedPrefix, end, now]);
    this.lastPurgeAt = now;
  }

  async getCursor(): Promise<number | undefined> {
    this.assertOpen('read the cursor');
    const value: unknown = await this.guard('read the cursor', () => this.keyv.get(CURSOR_KEY));
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new StateError(
        `The cursor in the state file ${this.filePath} is not a time (found ${JSON.stringify(value)}). ` +
          'Delete the file to start again from the publish_timestamp window.',
        this.filePath,
      );
    }
    return value;
  }

  async setCursor(epochMs: number): Promise<void> {
    this.assertOpen('save the cursor');
    if (!Number.isFinite(epochMs) || epochMs < 0) {
      throw new RangeError(`Cursor must be a time in epoch ms, got ${epochMs}`);
    }
    await this.guard('save the cursor', () => this.keyv.set(CURSOR_KEY, epochMs));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.guard('close the state file', () => this.keyv.disconnect());
  }

  private assertOpen(operation: string): void {
    if (this.closed) {
      throw new StateError(
        `Could not ${operation}: the state file ${this.filePath} is closed`,
        this.filePath,
      );
    }
  }

  private run(operation: string, sql: string, parameters: unknown[]): Promise<unknown> {
    return this.guard(operation, () => this.query(sql, ...parameters));
  }

  private async guard<T>(operation: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw new StateError(
        `Could not ${operation} in the state file ${this.filePath}: ${describeCause(error)}`,
        this.filePath,
        error,
      );
    }
  }
}
