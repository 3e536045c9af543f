import { SEKOIA_FORMATS, type SekoiaFormat } from '../sekoia/types';
import type { Ioc } from './types';

/** Joins format and value in a key. No Sekoia format holds a `|`, so the first one splits the key. */
export const IOC_KEY_SEPARATOR = '|';

/**
 * The deduplication key of an IOC (docs/architecture.md#state-and-its-guarantees): format + normalised value, so the same value
 * from two attributes, or from domain|ip and domain, is one key.
 */
export function iocKey(ioc: Ioc): string {
  return `${ioc.format}${IOC_KEY_SEPARATOR}${ioc.value}`;
}

/**
 * The IOC a key was made from (the reconciliation revokes values the state holds as keys), or
 * undefined when `key` is not an IOC key.
 */
export function parseIocKey(key: string): Ioc | undefined {
  const at = key.indexOf(IOC_KEY_SEPARATOR);
  if (at < 0) return undefined;
  const format = key.slice(0, at);
  const value = key.slice(at + 1);
  if (!(SEKOIA_FORMATS as readonly string[]).includes(format) || value === '') return undefined;
  return { format: format as SekoiaFormat, value };
}
