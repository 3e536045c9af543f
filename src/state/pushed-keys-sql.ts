/**
 * The SQL behind the pushed-IOC set. @keyv/sqlite has no setMany (keyv would then write one row
 * per await) and its getMany matches rows in O(n^2), so the set is read and written here, through
 * the adapter's own connection, in keyv's row format: key `<namespace>:pushed:<ioc key>`, value
 * `{"value":<pushed at, epoch ms>,"expires":<epoch ms>}`. keyv still reads these rows.
 * Each statement is one implicit transaction over a whole chunk of keys, passed as one JSON array.
 */

/** Rows of `?2 || key` for each key of the JSON array ?3, whose record has not expired at ?4. */
export function selectLiveKeysSql(table: string): string {
  return `SELECT substr(t.key, ?1) AS k FROM ${table} AS t
    WHERE t.key IN (SELECT ?2 || j.value FROM json_each(?3) AS j)
      AND (json_extract(t.value, '$.expires') IS NULL OR json_extract(t.value, '$.expires') > ?4)`;
}

/** Writes `?1 || key` = ?2 for each key of the JSON array ?3, replacing older records. */
export function upsertKeysSql(table: string): string {
  return `INSERT OR REPLACE INTO ${table} (key, value)
    SELECT ?1 || j.value, ?2 FROM json_each(?3) AS j`;
}

/**
 * Deletes the records of one namespace's pushed set that expired at ?3. The key range
 * [?1, ?2) is `<ns>:pushed:` up to `<ns>:pushed;` (`;` follows `:`), so the primary key index
 * bounds the scan to that namespace.
 */
export function purgeExpiredSql(table: string): string {
  return `DELETE FROM ${table}
    WHERE key >= ?1 AND key < ?2 AND json_extract(value, '$.expires') <= ?3`;
}
