import { isIPv4, isIPv6 } from 'node:net';
import type { SekoiaFormat } from '../../../src/sekoia/types';

/** Strips an optional "/prefix" (STIX address values may be CIDR blocks) within `max` bits. */
function withoutPrefix(value: string, max: number): string | undefined {
  const slash = value.indexOf('/');
  if (slash === -1) return value;
  const bits = value.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max ? value.slice(0, slash) : undefined;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128})$/i;

function isUrl(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

/** Whether Sekoia's text import would take `value` as an indicator of `format` (the emulator's reading). */
export function isValidIndicator(format: SekoiaFormat, value: string): boolean {
  switch (format) {
    case 'ipv4-addr.value': {
      const address = withoutPrefix(value, 32);
      return address !== undefined && isIPv4(address);
    }
    case 'ipv6-addr.value': {
      const address = withoutPrefix(value, 128);
      return address !== undefined && isIPv6(address);
    }
    case 'domain-name.value':
      return DOMAIN.test(value);
    case 'url.value':
      return isUrl(value);
    case 'email-addr.value':
      return EMAIL.test(value);
    case 'file.hashes':
      return HASH.test(value);
  }
}
