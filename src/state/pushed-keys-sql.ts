/**
 * The SQL behind the pushed-IOC set, in the state file beside keyv's own table (which keeps the
 * cursor). keyv's table holds each key twice (row and index) with a JSON value, and @keyv/sqlite
 * has no batched writes; so the set lives in a table of its own, compact and without rowid:
 * (namespace id, IOC key) -> expiry. Recording a batch appends to a journal (a rowid table: a few
 * pages at the end of the file); the journal is merged into the set in large groups, sorted, where
 * many keys share each page written. Each statement takes a whole chunk of keys as one JSON array.
 */

export const NAMESPACES_TABLE = 'misp_ids_namespaces';
export const PUSHED_TABLE = 'misp_ids_pushed';
export const JOURNAL_TABLE = 'misp_ids_pushed_journal';

export const CREATE_TABLES_SQL = [
  `CREATE TABLE IF NOT EXISTS ${NAMESPACES_TABLE} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`,
  `CREATE TABLE IF NOT EXISTS ${PUSHED_TABLE} (
     ns INTEGER NOT NULL, k TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (ns, k)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS ${JOURNAL_TABLE} (ns INTEGER NOT NULL, k TEXT NOT NULL, expires INTEGER NOT NULL)`,
];

/** Registers namespace ?1 (once). */
export const INSERT_NAMESPACE_SQL = `INSERT OR IGNORE INTO ${NAMESPACES_TABLE} (name) VALUES (?1)`;
export const SELECT_NAMESPACE_SQL = `SELECT id FROM ${NAMESPACES_TABLE} WHERE name = ?1`;

/** The keys of the JSON array ?2 recorded in namespace ?1 with an expiry after ?3. */
export const SELECT_LIVE_KEYS_SQL = `SELECT k FROM ${PUSHED_TABLE}
  WHERE ns = ?1 AND k IN (SELECT value FROM json_each(?2)) AND expires > ?3`;

/** Namespace ?1's live keys after ?3, in key order, ?4 at most: loads the Bloom filter in bounded steps. */
export const SELECT_KEYS_PAGE_SQL = `SELECT k FROM ${PUSHED_TABLE} WHERE ns = ?1 AND k > ?2 AND expires > ?3
  ORDER BY k LIMIT ?4`;

/** Appends (?1, key, ?2) to the journal for each key of the JSON array ?3. */
export const APPEND_JOURNAL_SQL = `INSERT INTO ${JOURNAL_TABLE} (ns, k, expires)
  SELECT ?1, value, ?2 FROM json_each(?3)`;

/** Moves namespace ?1's journal into the set; sorted, so consecutive rows land on the same pages. */
export const MERGE_JOURNAL_SQL = `INSERT OR REPLACE INTO ${PUSHED_TABLE} (ns, k, expires)
  SELECT ns, k, max(expires) FROM ${JOURNAL_TABLE} WHERE ns = ?1 GROUP BY k ORDER BY k`;
export const CLEAR_JOURNAL_SQL = `DELETE FROM ${JOURNAL_TABLE} WHERE ns = ?1`;

/** Deletes namespace ?1's records expired at ?2. */
export const PURGE_EXPIRED_SQL = `DELETE FROM ${PUSHED_TABLE} WHERE ns = ?1 AND expires <= ?2`;
