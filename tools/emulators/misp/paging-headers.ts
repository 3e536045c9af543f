/**
 * The paging headers of attributes/restSearch as each MISP version writes them (Attribute model's
 * fetch loop, AppController::restSearch):
 * - up to 2.4.194, X-Result-Count counts from the first row: `limit * (page - 1) + rows`;
 * - from 2.4.195, the page's own rows (the loop pages by id from an offset);
 * - both add 1 when the rows returned (after the warninglists; up to 2.4.194 after the Allowedlist
 *   too) fill the page or are none (MISP's "there may be more"), not on a short page;
 * - X-Skipped-Elements-Count (rows the warninglists dropped after the query) from 2.4.196 on.
 */

/** -1, 0 or 1 as version a is before, equal to or after b ("2.4.194" < "2.4.195" < "2.5.1"). */
export function compareMispVersions(a: string, b: string): number {
  const parts = (version: string): number[] =>
    version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * X-Result-Count of a page asked with limit and page, where the query matched `rows` and
 * `returned` were left after the warninglists (and the Allowedlist, up to 2.4.194).
 */
export function mispResultCount(
  version: string,
  limit: number,
  page: number,
  rows: number,
  returned = rows,
): number {
  const more = returned === 0 || returned >= limit ? 1 : 0;
  const before = compareMispVersions(version, '2.4.195') < 0 ? limit * (page - 1) : 0;
  return before + rows + more;
}

/** Whether this version sends X-Skipped-Elements-Count. */
export function sendsSkippedCount(version: string): boolean {
  return compareMispVersions(version, '2.4.196') >= 0;
}
