/** One restSearch page request's filters (docs/apis.md#restsearch-filters). */
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

/** One published event, as events/restSearch lists it with `metadata: true`. */
export interface MispEventSummary {
  id: string;
  /** Empty when MISP sent none. */
  uuid: string;
  published: boolean;
  /** Epoch seconds of its last publication. */
  publishTimestamp: number;
  /** Epoch seconds of its last change. */
  timestamp: number;
  /**
   * Its attributes not deleted (MISP's counter, objects' attributes included): an upper bound of
   * the rows a search of this event can match. Infinity when MISP sent none.
   */
  attributeCount: number;
}

/**
 * Attributes of whole events: one request's answer (a group of events read in one page), or one
 * page of a big event read alone. `events` lists the events complete once this item and every
 * item before it are processed (empty on the pages of a big event but its last).
 */
export interface MispEventGroup extends MispPage {
  events: readonly MispEventSummary[];
}

/** What readWindow may be told besides the query. */
export interface ReadWindowOptions {
  /**
   * Keeps the events to read among those published in the window (e.g. drops the ones a
   * previous cycle read whole). @default every event
   */
  selectEvents?: (events: readonly MispEventSummary[]) => Promise<readonly MispEventSummary[]>;
  /** Told how many events the window holds and how many are read, before the first group. */
  onEventsListed?: (listed: number, selected: number) => void;
}

/** MISP, as the trigger sees it. Implemented by the MISP client; faked in tests. */
export interface MispClient {
  /** GET /servers/getVersion: the version string, e.g. "2.5.1". Throws a fatal MispError on 403. */
  getVersion(signal?: AbortSignal): Promise<string>;
  /**
   * Every attribute `query` matches in events published in its window, read by events so that
   * nothing is missed when the set changes between two requests, whatever the server's order,
   * and when rows are removed after the query (see src/misp/window-reader.ts). `query.pageSize`
   * bounds the attributes of one answer. Holds one answer in memory at a time.
   */
  readWindow(
    query: MispAttributeQuery,
    options?: ReadWindowOptions,
    signal?: AbortSignal,
  ): AsyncIterable<MispEventGroup>;
  /**
   * POST /events/restSearch (metadata) of these event ids, as MISP holds them now; an event gone
   * (deleted, or no longer visible to the key) is absent from the answer. Throws MispError.
   */
  listEvents(ids: readonly string[], signal?: AbortSignal): Promise<MispEventSummary[]>;
}
