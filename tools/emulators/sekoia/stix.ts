import type { SekoiaFormat } from '../../../src/sekoia/types';
import { isValidIndicator } from './indicator-validation';

/** The STIX object type and property a pattern compares, per text-import format. */
const OBSERVABLE: Record<SekoiaFormat, string> = {
  'ipv4-addr.value': 'ipv4-addr',
  'ipv6-addr.value': 'ipv6-addr',
  'domain-name.value': 'domain-name',
  'url.value': 'url',
  'email-addr.value': 'email-addr',
  'file.hashes': 'file',
};

const HASH_NAMES: Record<number, string> = { 32: 'MD5', 40: 'SHA-1', 64: 'SHA-256', 128: 'SHA-512' };

/** Quotes a value inside a STIX pattern (backslash and quote escaped). */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The STIX pattern Sekoia.io shows for an indicator, e.g. [ipv4-addr:value = '198.51.100.1']. */
export function patternOf(format: SekoiaFormat, value: string): string {
  if (format === 'file.hashes') {
    const hashes = value.split(',').map((hash) => hash.trim());
    const parts = hashes.map(
      (hash) => `file:hashes.'${HASH_NAMES[hash.length] ?? 'UNKNOWN'}' = ${quoted(hash)}`,
    );
    return `[${parts.join(' OR ')}]`;
  }
  return `[${OBSERVABLE[format]}:value = ${quoted(value)}]`;
}

export function observableTypeOf(format: SekoiaFormat): string {
  return OBSERVABLE[format];
}

/** Order in which the JSON import's type inference tries the formats (URL before domain). */
const INFERENCE_ORDER: readonly SekoiaFormat[] = [
  'ipv4-addr.value',
  'ipv6-addr.value',
  'file.hashes',
  'url.value',
  'email-addr.value',
  'domain-name.value',
];

/** The JSON import has no `format`: Sekoia.io infers the type from the value. Undefined when none fits. */
export function inferFormat(value: string): SekoiaFormat | undefined {
  return INFERENCE_ORDER.find((format) => isValidIndicator(format, value));
}
