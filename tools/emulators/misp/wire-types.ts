/**
 * MISP event JSON as the emulator accepts it (an export, a feed file, or the team's own data).
 * Ids and timestamps may be digit strings or numbers; missing ones are assigned on load.
 */
export interface MispTagJson {
  id?: string | number;
  name: string;
  colour?: string;
  [key: string]: unknown;
}

export interface MispAttributeJson {
  id?: string | number;
  event_id?: string | number;
  object_id?: string | number;
  object_relation?: string | null;
  category?: string;
  type: string;
  value: string;
  to_ids?: boolean | number | string;
  uuid?: string;
  timestamp?: string | number;
  distribution?: string | number;
  sharing_group_id?: string | number;
  comment?: string;
  deleted?: boolean | number | string;
  disable_correlation?: boolean | number | string;
  first_seen?: string | null;
  last_seen?: string | null;
  Tag?: MispTagJson[];
  [key: string]: unknown;
}

export interface MispObjectJson {
  id?: string | number;
  name?: string;
  Attribute?: MispAttributeJson[];
  [key: string]: unknown;
}

export interface MispEventJson {
  id?: string | number;
  uuid?: string;
  info: string;
  org_id?: string | number;
  orgc_id?: string | number;
  distribution?: string | number;
  published?: boolean | number | string;
  /** Epoch seconds of the last publication; "0" when never published. */
  publish_timestamp?: string | number;
  timestamp?: string | number;
  date?: string;
  Tag?: MispTagJson[];
  Attribute?: MispAttributeJson[];
  Object?: MispObjectJson[];
  [key: string]: unknown;
}

/** An event file: `{"Event": {...}}` or the bare event. */
export type MispEventDocument = { Event: MispEventJson } | MispEventJson;

export function unwrapEvent(document: MispEventDocument): MispEventJson {
  return 'Event' in document && typeof document.Event === 'object' && document.Event !== null
    ? (document.Event as MispEventJson)
    : (document as MispEventJson);
}

/** MISP booleans arrive as true/false, 0/1 or "0"/"1". */
export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

/** A non-negative integer from a number or a digit string; `fallback` otherwise. */
export function toInteger(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return fallback;
}
