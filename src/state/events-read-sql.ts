/**
 * The SQL behind the set of MISP events read whole: (namespace id, event key) -> expiry. An event
 * key names one publication of one event (eventKey in src/trigger/events-read.ts), so an event published
 * again is read again. A few thousand rows at most: plain statements, no journal.
 */

export const EVENTS_READ_TABLE = 'misp_ids_events_read';

export const CREATE_EVENTS_READ_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${EVENTS_READ_TABLE} (
  ns INTEGER NOT NULL, k TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (ns, k)) WITHOUT ROWID`;

/** The keys of the JSON array ?2 recorded in namespace ?1 with an expiry after ?3. */
export const SELECT_READ_EVENTS_SQL = `SELECT k FROM ${EVENTS_READ_TABLE}
  WHERE ns = ?1 AND k IN (SELECT value FROM json_each(?2)) AND expires > ?3`;

/** Records the keys of the JSON array ?3 in namespace ?1, expiring at ?2. */
export const INSERT_READ_EVENTS_SQL = `INSERT OR REPLACE INTO ${EVENTS_READ_TABLE} (ns, k, expires)
  SELECT ?1, value, ?2 FROM json_each(?3)`;

/** Deletes namespace ?1's records expired at ?2. */
export const PURGE_READ_EVENTS_SQL = `DELETE FROM ${EVENTS_READ_TABLE} WHERE ns = ?1 AND expires <= ?2`;
