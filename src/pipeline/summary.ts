import { SEKOIA_FORMATS, type SekoiaFormat } from '../sekoia/types';

/**
 * IOCs by Sekoia format as one readable phrase for the cycle summary, in SEKOIA_FORMATS order:
 * `ipv4-addr.value 300, url.value 12`; zero counts left out, `none` when nothing is left.
 */
export function formatCountsByFormat(counts: Readonly<Partial<Record<SekoiaFormat, number>>>): string {
  const parts = SEKOIA_FORMATS.filter((format) => (counts[format] ?? 0) > 0).map(
    (format) => `${format} ${counts[format]}`,
  );
  return parts.length === 0 ? 'none' : parts.join(', ');
}
