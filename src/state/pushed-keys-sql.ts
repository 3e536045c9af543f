/**
 * The SQL behind the pushed-IOC set, in the state file beside keyv's own table (which keeps the
 * cursor). keyv's table holds each key twice (row and index) with a JSON value, and @keyv/sqlite
 * has no batched writes; so the set lives in a table of its own, compact and without rowid:
 * (namespace id, IOC key) -> expiry, plus what the reconciliation sweep needs (see below).
 * Recording a batch appends one row to a journal: the batch's keys as one JSON array (a few pages
 * at the end of the file, no per-key work); the journal is merged into the set in large groups,
 * sorted, where many keys share each page written.
 */

export const NAMESPACES_TABLE = 'misp_ids_namespaces';
export const PUSHED_TABLE = 'misp_ids_pushed';
/** One row per recorded batch: (namespace id, expiry, JSON array of keys). */
export const JOURNAL_TABLE = 'misp_ids_pushed_batches';
/** Version 1.0.0's journal, one row per key: merged into the set and dropped at open. */
export const LEGACY_JOURNAL_TABLE = 'misp_ids_pushed_journal';

export const CREATE_TABLES_SQL = [
  `CREATE TABLE IF NOT EXISTS ${NAMESPACES_TABLE} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`,
  `CREATE TABLE IF NOT EXISTS ${PUSHED_TABLE} (
     ns INTEGER NOT NULL, k TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (ns, k)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS ${JOURNAL_TABLE} (ns INTEGER NOT NULL, expires INTEGER NOT NULL, keys TEXT NOT NULL)`,
];

// ---- Reconciliation (docs/architecture.md#the-reconciliation-sweep): the columns the sweep reads, added to 1.0.x files at open ----

/**
 * Columns added in 1.1.0, NULL in rows written before (the sweep then falls back, see
 * SELECT_LAPSE_TIMES_SQL). Added by ALTER TABLE: no row is rewritten, nothing is lost.
 * - valid_until: when the IOC lapses in Sekoia.io (epoch ms): valid_until sent, or Sekoia's default.
 * - published_after: a time (epoch ms) its MISP event was published at or after: the start of the
 *   window read when it was pushed, or the event's own publish time when the read knew it. The
 *   sweep revokes only values whose event was surely inside its window (never one that aged out).
 * - attribute_uuid, event_id: the MISP attribute and event that gave the value (the latest push).
 */
export const RECONCILE_COLUMNS: ReadonlyArray<{ table: string; column: string; type: string }> = [
  { table: PUSHED_TABLE, column: 'valid_until', type: 'INTEGER' },
  { table: PUSHED_TABLE, column: 'published_after', type: 'INTEGER' },
  { table: PUSHED_TABLE, column: 'attribute_uuid', type: 'TEXT' },
  { table: PUSHED_TABLE, column: 'event_id', type: 'INTEGER' },
  { table: JOURNAL_TABLE, column: 'valid_until', type: 'INTEGER' },
  { table: JOURNAL_TABLE, column: 'published_after', type: 'INTEGER' },
];

/** The columns of table ?1 (PRAGMA table_info as a query). */
export const SELECT_COLUMNS_SQL = `SELECT name FROM pragma_table_info(?1)`;

export function addColumnSql(table: string, column: string, type: string): string {
  return `ALTER TABLE ${table} ADD COLUMN ${column} ${type}`;
}

/** When a record lapses in Sekoia.io: valid_until, or for a 1.0.x row its dedupe expiry (never later). */
const LAPSES = 'coalesce(valid_until, expires)';
const RECORD_COLUMNS = `k, ${LAPSES} AS lapses, published_after, attribute_uuid, event_id`;

/** When the keys of the JSON array ?2 in namespace ?1 lapse in Sekoia.io, those still valid at ?3. */
export const SELECT_LAPSE_TIMES_SQL = `SELECT k, ${LAPSES} AS lapses FROM ${PUSHED_TABLE}
  WHERE ns = ?1 AND k IN (SELECT value FROM json_each(?2)) AND ${LAPSES} > ?3`;

/** Namespace ?1's records valid in Sekoia.io at ?3, keys after ?2 in key order, ?4 at most. */
export const SELECT_SWEEP_RECORDS_PAGE_SQL = `SELECT ${RECORD_COLUMNS} FROM ${PUSHED_TABLE}
  WHERE ns = ?1 AND k > ?2 AND ${LAPSES} > ?3 ORDER BY k LIMIT ?4`;

/** Forgets the keys of the JSON array ?2 in namespace ?1 (revoked: pushed again if flagged again). */
export const DELETE_KEYS_SQL = `DELETE FROM ${PUSHED_TABLE} WHERE ns = ?1 AND k IN (SELECT value FROM json_each(?2))`;

// ---- end of the reconciliation block ----

/** A row when the 1.0.0 journal table is in the file. */
export const SELECT_LEGACY_JOURNAL_SQL = `SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = '${LEGACY_JOURNAL_TABLE}'`;
/** Moves every namespace's 1.0.0 journal into the set (the same as MERGE_JOURNAL_SQL did then). */
export const MERGE_LEGACY_JOURNAL_SQL = `INSERT OR REPLACE INTO ${PUSHED_TABLE} (ns, k, expires)
  SELECT ns, k, max(expires) FROM ${LEGACY_JOURNAL_TABLE} GROUP BY ns, k ORDER BY ns, k`;
export const DROP_LEGACY_JOURNAL_SQL = `DROP TABLE IF EXISTS ${LEGACY_JOURNAL_TABLE}`;

/** Registers namespace ?1 (once). */
export const INSERT_NAMESPACE_SQL = `INSERT OR IGNORE INTO ${NAMESPACES_TABLE} (name) VALUES (?1)`;
export const SELECT_NAMESPACE_SQL = `SELECT id FROM ${NAMESPACES_TABLE} WHERE name = ?1`;

/** The keys of the JSON array ?2 recorded in namespace ?1 with an expiry after ?3. */
export const SELECT_LIVE_KEYS_SQL = `SELECT k FROM ${PUSHED_TABLE}
  WHERE ns = ?1 AND k IN (SELECT value FROM json_each(?2)) AND expires > ?3`;

/** Namespace ?1's live keys after ?3, in key order, ?4 at most: loads the Bloom filter in bounded steps. */
export const SELECT_KEYS_PAGE_SQL = `SELECT k FROM ${PUSHED_TABLE} WHERE ns = ?1 AND k > ?2 AND expires > ?3
  ORDER BY k LIMIT ?4`;

/**
 * Namespace ?1's records after key ?2 kept at ?3 (live, or still valid in Sekoia.io: see
 * PURGE_EXPIRED_SQL), whole rows, in key order, ?4 at most: the state's export.
 */
export const SELECT_RECORDS_PAGE_SQL = `SELECT k, expires, valid_until, published_after, attribute_uuid, event_id
  FROM ${PUSHED_TABLE} WHERE ns = ?1 AND k > ?2 AND (expires > ?3 OR coalesce(valid_until, 0) > ?3)
  ORDER BY k LIMIT ?4`;

/**
 * Appends a batch to namespace ?1's journal: one row. ?3 is a JSON array of entries: a key, or
 * [key, attribute uuid, event id(, its event's publish time in epoch ms)] when its source is known.
 * ?2: dedupe expiry; ?4: valid until in Sekoia.io; ?5: published after, for entries without their own.
 */
export const APPEND_JOURNAL_SQL = `INSERT INTO ${JOURNAL_TABLE} (ns, expires, keys, valid_until, published_after)
  VALUES (?1, ?2, ?3, ?4, ?5)`;

/** An entry's key: the entry itself (1.0.1 rows, or no source), or the first item of its array. */
const ENTRY_KEY = `CASE e.type WHEN 'array' THEN e.value ->> 0 ELSE e.value END`;
const ENTRY_ITEM = (index: number): string => `CASE e.type WHEN 'array' THEN e.value ->> ${index} END`;

/**
 * Moves namespace ?1's journal into the set; sorted, so consecutive rows land on the same pages.
 * The latest mark's expiry and validity win (the bare columns come from the max(expires) row); a
 * known source is never replaced by an unknown one; published_after only moves later.
 */
export const MERGE_JOURNAL_SQL = `INSERT INTO ${PUSHED_TABLE}
    (ns, k, expires, valid_until, published_after, attribute_uuid, event_id)
  SELECT j.ns, ${ENTRY_KEY} AS ioc_key, max(j.expires), j.valid_until,
    coalesce(${ENTRY_ITEM(3)}, j.published_after), ${ENTRY_ITEM(1)}, ${ENTRY_ITEM(2)}
  FROM ${JOURNAL_TABLE} AS j, json_each(j.keys) AS e
  WHERE j.ns = ?1 GROUP BY ioc_key ORDER BY ioc_key
  ON CONFLICT (ns, k) DO UPDATE SET expires = excluded.expires,
    valid_until = coalesce(excluded.valid_until, valid_until),
    published_after = max(coalesce(excluded.published_after, 0), coalesce(published_after, 0)),
    attribute_uuid = coalesce(excluded.attribute_uuid, attribute_uuid),
    event_id = coalesce(excluded.event_id, event_id)`;
export const CLEAR_JOURNAL_SQL = `DELETE FROM ${JOURNAL_TABLE} WHERE ns = ?1`;

/**
 * Deletes namespace ?1's records expired at ?2: past their dedupe expiry and lapsed in Sekoia.io
 * (the sweep may still refresh or revoke an IOC whose dedupe record expired).
 */
export const PURGE_EXPIRED_SQL = `DELETE FROM ${PUSHED_TABLE} WHERE ns = ?1 AND expires <= ?2
  AND coalesce(valid_until, 0) <= ?2`;
