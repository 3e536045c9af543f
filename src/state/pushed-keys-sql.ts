/**
 * The SQL behind the pushed-IOC set, in the state file beside keyv's own table (which keeps the
 * cursor). keyv's table holds each key twice (row and index) with a JSON value, and @keyv/sqlite
 * has no batched writes; so the set lives in a table of its own, compact and without rowid:
 * (namespace id, IOC key) -> expiry. Recording a batch appends one row to a journal: the batch's
 * keys as one JSON array (a few pages at the end of the file, no per-key work); the journal is
 * merged into the set in large groups, sorted, where many keys share each page written.
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

/** Namespace ?1's live records after key ?3, with their expiry, in key order, ?4 at most: the state's export. */
export const SELECT_RECORDS_PAGE_SQL = `SELECT k, expires FROM ${PUSHED_TABLE} WHERE ns = ?1 AND k > ?2 AND expires > ?3
  ORDER BY k LIMIT ?4`;

/** Appends the keys of the JSON array ?3, expiring at ?2, to namespace ?1's journal: one row. */
export const APPEND_JOURNAL_SQL = `INSERT INTO ${JOURNAL_TABLE} (ns, expires, keys) VALUES (?1, ?2, ?3)`;

/** Moves namespace ?1's journal into the set; sorted, so consecutive rows land on the same pages. */
export const MERGE_JOURNAL_SQL = `INSERT OR REPLACE INTO ${PUSHED_TABLE} (ns, k, expires)
  SELECT j.ns, e.value, max(j.expires) FROM ${JOURNAL_TABLE} AS j, json_each(j.keys) AS e
  WHERE j.ns = ?1 GROUP BY e.value ORDER BY e.value`;
export const CLEAR_JOURNAL_SQL = `DELETE FROM ${JOURNAL_TABLE} WHERE ns = ?1`;

/** Deletes namespace ?1's records expired at ?2. */
export const PURGE_EXPIRED_SQL = `DELETE FROM ${PUSHED_TABLE} WHERE ns = ?1 AND expires <= ?2`;
