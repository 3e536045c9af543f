import { SEKOIA_FORMATS, type SekoiaFormat } from '../sekoia/types';

/**
 * Counts as one readable phrase for the cycle summary, e.g. `ipv4-addr.value 300, url.value 12`;
 * zero counts left out, `none` when nothing is left. Keys follow `order` first, then the rest as
 * given.
 */
export function formatCounts(
  counts: Readonly<Record<string, number>>,
  order: readonly string[] = [],
): string {
  const keys = [
    ...order.filter((k) => k in counts),
    ...Object.keys(counts).filter((k) => !order.includes(k)),
  ];
  const parts = keys.filter((k) => (counts[k] ?? 0) > 0).map((k) => `${k} ${counts[k]}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** IOCs by Sekoia format, in SEKOIA_FORMATS order: `ipv4-addr.value 300, url.value 12`. */
export function formatCountsByFormat(counts: Readonly<Partial<Record<SekoiaFormat, number>>>): string {
  return formatCounts(counts as Record<string, number>, SEKOIA_FORMATS);
}

/** Adds `n` IOCs of `format` to `counts`, e.g. the values of an accepted batch. */
export function addFormatCount(
  counts: Partial<Record<SekoiaFormat, number>>,
  format: SekoiaFormat,
  n = 1,
): void {
  counts[format] = (counts[format] ?? 0) + n;
}
