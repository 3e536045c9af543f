/** An inclusive window of epoch seconds; `from > to` (or +Infinity) matches nothing. */
export interface TimeBound {
  from: number;
  to: number;
}

/** Any invalid value: matches no timestamp. */
export const NOTHING: TimeBound = Object.freeze({ from: Number.POSITIVE_INFINITY, to: -1 });

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };

/**
 * One time value as MISP's resolveTimeDelta reads it: epoch seconds (number or digit string),
 * `<n>d|h|m|s` before now, or a date strtotime understands. Anything else is undefined: MISP
 * resolves it past now, so that an invalid filter matches nothing instead of everything.
 */
export function resolveTime(value: unknown, nowSeconds: number): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const delta = /^(\d+(?:\.\d+)?)([dhms])$/i.exec(text);
  if (delta) return nowSeconds - Math.round(Number(delta[1]) * UNIT_SECONDS[delta[2].toLowerCase()]);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : Math.floor(parsed / 1000);
}

/**
 * A timestamp / publish_timestamp filter: one value (from it on) or a [from, to] pair. Returns
 * undefined when the filter is absent (null, undefined or empty string, as MISP skips those).
 */
export function parseTimeFilter(value: unknown, nowSeconds: number): TimeBound | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const pair = Array.isArray(value) ? value : [value, undefined];
  if (pair.length !== 2) return NOTHING;
  const from = resolveTime(pair[0], nowSeconds);
  const to = pair[1] === undefined ? Number.MAX_SAFE_INTEGER : resolveTime(pair[1], nowSeconds);
  return from === undefined || to === undefined ? NOTHING : { from, to };
}
