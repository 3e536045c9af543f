/** One restSearch page request's filters (design section 5). */
export interface MispAttributeQuery {
  /** Publish window, epoch seconds, inclusive: sent as publish_timestamp [from, to]. */
  publishFrom: number;
  publishTo: number;
  /** MISP attribute types, filtered server-side (`type`). */
  types: readonly string[];
  /** enforceWarninglist. */
  enforceWarninglist: boolean;
  /** Attributes carrying at least one of these tags (tags.OR); empty or absent: no filter. */
  includeTags?: readonly string[];
  /** Attributes carrying none of these tags (tags.NOT). */
  excludeTags?: readonly string[];
  /** limit: attributes per page. */
  pageSize: number;
}

/** One page of restSearch. A short page is not the end: only an empty page is. */
export interface MispPage {
  /** 1-based page number. */
  page: number;
  /**
   * The attributes as MISP sent them, not validated: the pipeline's mapping checks each one and
   * counts the malformed ones, so one bad attribute never costs the page.
   */
  attributes: readonly unknown[];
  /** X-Skipped-Elements-Count (values dropped by warninglists), 0 when absent. */
  warninglistSkipped: number;
}

/** MISP, as the trigger sees it. Implemented by the MISP client; faked in tests. */
export interface MispClient {
  /** GET /servers/getVersion: the version string, e.g. "2.5.1". Throws a fatal MispError on 403. */
  getVersion(signal?: AbortSignal): Promise<string>;
  /**
   * POST /attributes/restSearch, page after page (order Attribute.id asc) until an empty page.
   * Holds one page in memory at a time. Throws MispError (fatal on a bad key), or AbortedError.
   */
  searchAttributes(query: MispAttributeQuery, signal?: AbortSignal): AsyncIterable<MispPage>;
}
