import type { Ioc } from './types';

/** Joins format and value in a key. No Sekoia format holds a `|`: a key stands for one format and value. */
export const IOC_KEY_SEPARATOR = '|';

/**
 * The deduplication key of an IOC (design section 8): format + normalised value, so the same value
 * from two attributes, or from domain|ip and domain, is one key.
 */
export function iocKey(ioc: Ioc): string {
  return `${ioc.format}${IOC_KEY_SEPARATOR}${ioc.value}`;
}
