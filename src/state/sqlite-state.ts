import type Keyv from 'keyv';
import type { Clock } from '../clock';
import { StateError } from './errors';
import {
  addColumnSql,
  APPEND_JOURNAL_SQL,
  CLEAR_JOURNAL_SQL,
  CREATE_TABLES_SQL,
  DELETE_KEYS_SQL,
  DROP_LEGACY_JOURNAL_SQL,
  INSERT_NAMESPACE_SQL,
  MERGE_JOURNAL_SQL,
  MERGE_LEGACY_JOURNAL_SQL,
  PURGE_EXPIRED_SQL,
  RECONCILE_COLUMNS,
  SELECT_COLUMNS_SQL,
  SELECT_KEYS_PAGE_SQL,
  SELECT_LEGACY_JOURNAL_SQL,
  SELECT_LIVE_KEYS_SQL,
  SELECT_NAMESPACE_SQL,
  SELECT_RECORDS_PAGE_SQL,
  SELECT_SWEEP_RECORDS_PAGE_SQL,
  SELECT_LAPSE_TIMES_SQL,
} from './pushed-keys-sql';
import { BloomFilter } from './bloom';
import {
  CREATE_EVENTS_READ_TABLE_SQL,
  INSERT_READ_EVENTS_SQL,
  PURGE_READ_EVENTS_SQL,
  SELECT_READ_EVENTS_SQL,
} from './events-read-sql';
import type { PushedRecord, PushRecord, SweepMarks, TriggerState } from './types';
import { messageOf } from '../errors';

/** Keys per SQL statement: bounds the statement size (about 2 MB of JSON) whatever a call passes. */
export const KEYS_PER_STATEMENT = 20_000;

/**
 * Journaled keys that trigger a merge into the pushed set. A merge writes the pages its keys land
 * on, so one merge of 20,000 sorted keys writes far less than twenty of 1,000; each batch is still
 * on disk, in the journal, before markPushed returns: a crash never loses a mark.
 */
export const JOURNAL_MERGE_KEYS = 50_000;

/** Keys read per statement when the Bloom filter is loaded at open: bounds the memory it takes. */
const BLOOM_LOAD_KEYS = 50_000;

const CURSOR_KEY = 'cursor';
const APPLIED_WINDOW_KEY = 'applied_window_days';
const SWEEP_MARKS_KEY = 'reconciliation';
const REVOCATIONS_KEY = 'revocations';

/** A journal entry (see APPEND_JOURNAL_SQL): the key, with its source when known. */
type JournalEntry = string | [string, string, string] | [string, string, string, number];

/** A pushed record as exported (its whole row); source: [attribute uuid, event id]. */
export interface ExportedRecord {
  key: string;
  expires: number;
  validUntil?: number;
  publishedAfter?: number;
  source?: [string, string];
}

/** What a restored record knows (a record saved by 1.0.x or 1.1.x knows nothing). */
export type ImportedRecord = Partial<PushRecord>;

/** A row of SELECT_RECORDS_PAGE_SQL. */
interface ExportRow {
  k: string;
  expires: number;
  valid_until: number | null;
  published_after: number | null;
  attribute_uuid: string | null;
  event_id: number | string | null;
}

function toExportedRecord(row: ExportRow): ExportedRecord {
  const record: ExportedRecord = { key: row.k, expires: row.expires };
  if (row.valid_until !== null) record.validUntil = row.valid_until;
  if (row.published_after !== null) record.publishedAfter = row.published_after;
  if (row.attribute_uuid !== null && row.event_id !== null) {
    record.source = [row.attribute_uuid, String(row.event_id)];
  }
  return record;
}

/** A row of SELECT_SWEEP_RECORDS_PAGE_SQL. */
interface RecordRow {
  k: string;
  lapses: number;
  published_after: number | null;
  attribute_uuid: string | null;
  event_id: number | string | null;
}

function toPushedRecord(row: RecordRow): PushedRecord {
  const record: PushedRecord = {
    key: row.k,
    lapsesAtMs: row.lapses,
    publishedAfterMs: row.published_after ?? 0,
  };
  if (row.attribute_uuid !== null) record.attributeUuid = row.attribute_uuid;
  if (row.event_id !== null) record.eventId = String(row.event_id);
  return record;
}

function journalEntries(
  keys: readonly string[],
  offset: number,
  record: ImportedRecord | undefined,
): JournalEntry[] {
  const sources = record?.sources;
  if (sources === undefined) return keys as string[];
  return keys.map((key, index) => {
    const source = sources[offset + index];
    return source === undefined
      ? key
      : source.publishedAtMs === undefined
        ? [key, source.attributeUuid, source.eventId]
        : [key, source.attributeUuid, source.eventId, source.publishedAtMs];
  });
}

/** Revocations as saved ({key: epoch ms}); a damaged entry reads as absent. */
export function revocationsFrom(value: unknown): Map<string, number> {
  const revocations = new Map<string, number>();
  if (typeof value !== 'object' || value === null) return revocations;
  for (const [key, at] of Object.entries(value)) {
    if (typeof at === 'number' && Number.isFinite(at)) revocations.set(key, at);
  }
  return revocations;
}

export type SqlQuery = (sql: string, ...parameters: unknown[]) => Promise<unknown>;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * TriggerState in one SQLite file (docs/architecture.md#state-and-its-guarantees), through keyv + @keyv/sqlite: the store
 * passed explicitly (never keyv's in-memory Map) and every store error thrown as StateError (never
 * read as "not pushed"). The cursor is one keyv key; the pushed set is a table of its own on the
 * adapter's connection (see pushed-keys-sql.ts), read a chunk of keys per statement, written by
 * appends to a journal merged in groups of JOURNAL_MERGE_KEYS. The keys journaled since the last
 * merge are also held in memory, so reads see them; a Bloom filter of every recorded key spares
 * the read of keys never recorded. Every operation runs one at a time, in call order (the
 * TriggerState guarantee): a read never runs beside a merge.
 */
export class SqliteTriggerState implements TriggerState {
  // Built by openTriggerState, which opens the connection first, then calls open().
  private closed = false;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;
  /** The namespace's id in the pushed set, set by open(). */
  private namespaceId = -1;
  /** Keys appended to the journal since its last merge -> when they expire (epoch ms). */
  private readonly journaled = new Map<string, number>();
  private readonly recorded = new BloomFilter();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly filePath: string,
    private readonly keyv: Keyv,
    private readonly query: SqlQuery,
    private readonly namespace: string,
    private readonly clock: Clock,
    private readonly purgeIntervalMs: number,
  ) {}

  /** Creates the tables, registers the namespace, merges what a stopped process left in the journal, purges. */
  async open(): Promise<void> {
    for (const sql of CREATE_TABLES_SQL) await this.run('create the tables', sql, []);
    await this.run('create the tables', CREATE_EVENTS_READ_TABLE_SQL, []);
    await this.addReconcileColumns();
    await this.upgradeLegacyJournal();
    await this.run('register the namespace', INSERT_NAMESPACE_SQL, [this.namespace]);
    const rows = (await this.run('register the namespace', SELECT_NAMESPACE_SQL, [this.namespace])) as Array<{
      id: number;
    }>;
    this.namespaceId = rows[0].id;
    await this.purge();
    await this.loadBloomFilter();
  }

  /** A file written by 1.0.0 may hold marks in its journal of one row per key: they move to the set. */
  private async upgradeLegacyJournal(): Promise<void> {
    const operation = 'move the records of version 1.0.0 to the pushed set';
    const found = (await this.run(operation, SELECT_LEGACY_JOURNAL_SQL, [])) as unknown[];
    if (found.length === 0) return;
    await this.run(operation, MERGE_LEGACY_JOURNAL_SQL, []);
    await this.run(operation, DROP_LEGACY_JOURNAL_SQL, []);
  }

  private async loadBloomFilter(): Promise<void> {
    const now = this.clock.now();
    for (let after = ''; ;) {
      const rows = (await this.run('read the pushed IOCs', SELECT_KEYS_PAGE_SQL, [
        this.namespaceId,
        after,
        now,
        BLOOM_LOAD_KEYS,
      ])) as Array<{ k: string }>;
      for (const row of rows) this.recorded.add(row.k);
      if (rows.length < BLOOM_LOAD_KEYS) return;
      after = rows[rows.length - 1].k;
    }
  }

  filterUnpushed(keys: readonly string[]): Promise<string[]> {
    return this.exclusive(() => this.readUnpushed(keys));
  }

  markPushed(keys: readonly string[], ttlMs: number, record?: PushRecord): Promise<void> {
    return this.exclusive(() => this.recordPushed(keys, ttlMs, record));
  }

  /** Every call is on disk when it returns: nothing left to save. */
  async save(): Promise<void> {
    this.assertOpen('save the state');
  }

  /**
   * Records `keys` as pushed until `expiresAt` (epoch ms): a mark whose expiry was fixed elsewhere
   * (a saved copy of the state, restored). A record neither live nor valid in Sekoia.io is dropped.
   */
  markPushedUntil(keys: readonly string[], expiresAt: number, record?: ImportedRecord): Promise<void> {
    return this.exclusive(async () => {
      const now = this.clock.now();
      if (expiresAt > now) await this.recordPushed(keys, expiresAt - now, record, expiresAt);
      // Past its dedupe expiry but still valid in Sekoia.io: kept, as the purge keeps it.
      else if ((record?.validUntilMs ?? 0) > now) await this.recordPushed(keys, 1, record, expiresAt);
    });
  }

  /**
   * Every record of the namespace that the purge keeps, `pageSize` at a time in key order, whole:
   * a full copy of the pushed set, read in bounded steps. Each page is read alone (no mark runs
   * beside it); marks made between two pages may or may not be in the copy.
   */
  async *exportPushed(pageSize = BLOOM_LOAD_KEYS): AsyncGenerator<ExportedRecord[]> {
    await this.exclusive(() => this.mergeJournal());
    for (let after = ''; ;) {
      const rows = (await this.exclusive(() =>
        this.run('read the pushed IOCs', SELECT_RECORDS_PAGE_SQL, [
          this.namespaceId,
          after,
          this.clock.now(),
          pageSize,
        ]),
      )) as ExportRow[];
      if (rows.length > 0) yield rows.map(toExportedRecord);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].k;
    }
  }

  /** Deletes this namespace's expired pushed records; keeps the file flat in size. */
  purgeExpired(): Promise<void> {
    return this.exclusive(() => this.purge());
  }

  private async readUnpushed(keys: readonly string[]): Promise<string[]> {
    this.assertOpen('read the pushed IOCs');
    if (keys.length === 0) return [];
    const live = new Set<string>();
    const now = this.clock.now();
    // A journaled key is answered by the journal: its mark is the latest, and what the merge keeps.
    // A key twice in `keys` is looked up twice: harmless, and cheaper than deduplicating every call.
    let journaled = false;
    const maybeRecorded: string[] = [];
    for (const key of keys) {
      if (this.journaled.has(key)) journaled = true;
      else if (this.recorded.mightContain(key)) maybeRecorded.push(key);
    }
    // Nearly every read of a first sync: no key was ever recorded, none needs a second look.
    if (!journaled && maybeRecorded.length === 0) return [...keys];
    for (const chunk of chunks(maybeRecorded, KEYS_PER_STATEMENT)) {
      const rows = (await this.run('read the pushed IOCs', SELECT_LIVE_KEYS_SQL, [
        this.namespaceId,
        JSON.stringify(chunk),
        now,
      ])) as Array<{ k: string }>;
      for (const row of rows) live.add(row.k);
    }
    return keys.filter((key) => {
      const journaledUntil = this.journaled.get(key);
      return journaledUntil === undefined ? !live.has(key) : journaledUntil <= now;
    });
  }

  /** `expiresAt` when given (an imported record), else now + ttlMs. */
  private async recordPushed(
    keys: readonly string[],
    ttlMs: number,
    record?: ImportedRecord,
    expiresAt?: number,
  ): Promise<void> {
    this.assertOpen('record the pushed IOCs');
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`TTL of pushed IOCs must be a positive number of ms, got ${ttlMs}`);
    }
    if (keys.length === 0) return;
    const now = this.clock.now();
    if (now - this.lastPurgeAt >= this.purgeIntervalMs) await this.purge();
    const expires = expiresAt ?? now + ttlMs;
    // A key twice in `keys` is journaled twice: the merge keeps one row (GROUP BY).
    let offset = 0;
    for (const chunk of chunks(keys, KEYS_PER_STATEMENT)) {
      await this.run('record the pushed IOCs', APPEND_JOURNAL_SQL, [
        this.namespaceId,
        expires,
        JSON.stringify(journalEntries(chunk, offset, record)),
        record?.validUntilMs ?? null,
        record?.publishedAfterMs ?? null,
      ]);
      offset += chunk.length;
      for (const key of chunk) {
        this.journaled.set(key, expires);
        this.recorded.add(key);
      }
    }
    if (this.journaled.size >= JOURNAL_MERGE_KEYS) await this.mergeJournal();
  }

  private async purge(): Promise<void> {
    this.assertOpen('purge expired pushed IOCs');
    const now = this.clock.now();
    // Journaled records expire too: merged first, so that one statement purges them all.
    await this.mergeJournal();
    await this.run('purge expired pushed IOCs', PURGE_EXPIRED_SQL, [this.namespaceId, now]);
    await this.run('purge expired pushed IOCs', PURGE_READ_EVENTS_SQL, [this.namespaceId, now]);
    this.lastPurgeAt = now;
  }

  /** Moves the journal into the pushed set. Both steps are idempotent: a crash between them is harmless. */
  private async mergeJournal(): Promise<void> {
    await this.run('record the pushed IOCs', MERGE_JOURNAL_SQL, [this.namespaceId]);
    await this.run('record the pushed IOCs', CLEAR_JOURNAL_SQL, [this.namespaceId]);
    this.journaled.clear();
  }

  /** Runs `operation` after every operation called before it has settled. */
  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  // ---- Reconciliation (docs/architecture.md#the-reconciliation-sweep) ----

  /** Files of 1.0.x lack the sweep's columns: added (NULL in the rows already there). */
  private async addReconcileColumns(): Promise<void> {
    const operation = 'add the reconciliation columns';
    const present = new Map<string, Set<string>>();
    for (const { table, column, type } of RECONCILE_COLUMNS) {
      let columns = present.get(table);
      if (columns === undefined) {
        const rows = (await this.run(operation, SELECT_COLUMNS_SQL, [table])) as Array<{ name: string }>;
        columns = new Set(rows.map((row) => row.name));
        present.set(table, columns);
      }
      if (!columns.has(column)) await this.run(operation, addColumnSql(table, column, type), []);
    }
  }

  readLapseTimes(keys: readonly string[]): Promise<Map<string, number>> {
    return this.exclusive(async () => {
      this.assertOpen('read the pushed IOCs');
      const found = new Map<string, number>();
      // The journal holds no validity in memory: merged first when it holds one of the keys.
      if (keys.some((key) => this.journaled.has(key))) await this.mergeJournal();
      const maybeRecorded = keys.filter((key) => this.recorded.mightContain(key));
      for (const chunk of chunks(maybeRecorded, KEYS_PER_STATEMENT)) {
        const rows = (await this.run('read the pushed IOCs', SELECT_LAPSE_TIMES_SQL, [
          this.namespaceId,
          JSON.stringify(chunk),
          this.clock.now(),
        ])) as Array<{ k: string; lapses: number }>;
        for (const row of rows) found.set(row.k, row.lapses);
      }
      return found;
    });
  }

  listPushedRecords(afterKey: string, limit: number): Promise<PushedRecord[]> {
    return this.exclusive(async () => {
      this.assertOpen('read the pushed IOCs');
      if (this.journaled.size > 0) await this.mergeJournal();
      const rows = (await this.run('read the pushed IOCs', SELECT_SWEEP_RECORDS_PAGE_SQL, [
        this.namespaceId,
        afterKey,
        this.clock.now(),
        limit,
      ])) as RecordRow[];
      return rows.map(toPushedRecord);
    });
  }

  forgetPushed(keys: readonly string[]): Promise<void> {
    return this.exclusive(async () => {
      this.assertOpen('forget revoked IOCs');
      if (keys.length === 0) return;
      if (this.journaled.size > 0) await this.mergeJournal();
      for (const chunk of chunks(keys, KEYS_PER_STATEMENT)) {
        await this.run('forget revoked IOCs', DELETE_KEYS_SQL, [this.namespaceId, JSON.stringify(chunk)]);
      }
    });
  }

  async getSweepMarks(): Promise<SweepMarks> {
    this.assertOpen('read the reconciliation marks');
    const value: unknown = await this.guard('read the reconciliation marks', () =>
      this.keyv.get(SWEEP_MARKS_KEY),
    );
    const marks: SweepMarks = {};
    if (typeof value !== 'object' || value === null) return marks;
    // A damaged mark reads as absent: the sweep then runs (harmless), never the reverse.
    for (const name of ['lastSweepAtMs', 'lastAttemptAtMs', 'lastCheckAtMs', 'originMs'] as const) {
      const mark = (value as Record<string, unknown>)[name];
      if (typeof mark === 'number' && Number.isFinite(mark)) marks[name] = mark;
    }
    return marks;
  }

  async setSweepMarks(marks: SweepMarks): Promise<void> {
    this.assertOpen('save the reconciliation marks');
    await this.guard('save the reconciliation marks', () => this.keyv.set(SWEEP_MARKS_KEY, { ...marks }));
  }

  async getRevocations(): Promise<Map<string, number>> {
    this.assertOpen('read the revocations');
    const value: unknown = await this.guard('read the revocations', () => this.keyv.get(REVOCATIONS_KEY));
    return revocationsFrom(value);
  }

  async setRevocations(revocations: ReadonlyMap<string, number>): Promise<void> {
    this.assertOpen('save the revocations');
    await this.guard('save the revocations', () =>
      this.keyv.set(REVOCATIONS_KEY, Object.fromEntries(revocations)),
    );
  }

  // ---- end of the reconciliation block ----

  // MISP events read whole (docs/architecture.md#state-and-its-guarantees).

  filterUnreadEvents(eventKeys: readonly string[]): Promise<string[]> {
    return this.exclusive(async () => {
      this.assertOpen('read the MISP events read');
      const read = new Set<string>();
      for (const chunk of chunks(eventKeys, KEYS_PER_STATEMENT)) {
        const rows = (await this.run('read the MISP events read', SELECT_READ_EVENTS_SQL, [
          this.namespaceId,
          JSON.stringify(chunk),
          this.clock.now(),
        ])) as Array<{ k: string }>;
        for (const row of rows) read.add(row.k);
      }
      return eventKeys.filter((key) => !read.has(key));
    });
  }

  markEventsRead(eventKeys: readonly string[], ttlMs: number): Promise<void> {
    return this.exclusive(async () => {
      this.assertOpen('record the MISP events read');
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new RangeError(`TTL of events read must be a positive number of ms, got ${ttlMs}`);
      }
      const expires = this.clock.now() + ttlMs;
      for (const chunk of chunks(eventKeys, KEYS_PER_STATEMENT)) {
        await this.run('record the MISP events read', INSERT_READ_EVENTS_SQL, [
          this.namespaceId,
          expires,
          JSON.stringify(chunk),
        ]);
      }
    });
  }

  getCursor(): Promise<number | undefined> {
    return this.exclusive(() => this.readCursor());
  }

  setCursor(epochMs: number): Promise<void> {
    return this.exclusive(() => this.writeCursor(epochMs));
  }

  private async readCursor(): Promise<number | undefined> {
    this.assertOpen('read the cursor');
    const value: unknown = await this.guard('read the cursor', () => this.keyv.get(CURSOR_KEY));
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new StateError(
        `The cursor in the state file ${this.filePath} is not a time (found ${JSON.stringify(value)}). ` +
          'On Sekoia.io, contact Sekoia.io support, or create the trigger configuration again (a new one starts ' +
          'from the publish_timestamp window); on your own machine, delete the file to start again from that window.',
        this.filePath,
      );
    }
    return value;
  }

  private async writeCursor(epochMs: number): Promise<void> {
    this.assertOpen('save the cursor');
    if (!Number.isFinite(epochMs) || epochMs < 0) {
      throw new RangeError(`Cursor must be a time in epoch ms, got ${epochMs}`);
    }
    await this.guard('save the cursor', () => this.keyv.set(CURSOR_KEY, epochMs));
  }

  async getAppliedWindowDays(): Promise<number | undefined> {
    this.assertOpen('read the window applied');
    const value: unknown = await this.guard('read the window applied', () =>
      this.keyv.get(APPLIED_WINDOW_KEY),
    );
    // Anything but a number of days reads as unknown: the configured window is then taken as applied.
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
  }

  async setAppliedWindowDays(days: number): Promise<void> {
    this.assertOpen('save the window applied');
    await this.guard('save the window applied', () => this.keyv.set(APPLIED_WINDOW_KEY, days));
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      try {
        // Leaves the pushed set whole for whoever reads the file next (the journal would do too).
        if (this.journaled.size > 0) await this.mergeJournal();
      } finally {
        this.closed = true;
        await this.guard('close the state file', () => this.keyv.disconnect());
      }
    });
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
        `Could not ${operation} in the state file ${this.filePath}: ${messageOf(error)}`,
        this.filePath,
        error,
      );
    }
  }
}
