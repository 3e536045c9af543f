import { DOT, isDigit } from '../code-units';
import { accepted, refused, type ValueCheck } from './check';

const IPV6_CHARACTERS = /^[0-9a-f:.]+$/i;

/**
 * Four runs of 1 to 3 digits joined by dots, nothing else (/^\d{1,3}(\.\d{1,3}){3}$/). Loops over
 * the code units rather than a regex and a split: this runs for every IP value read.
 */
function isDottedQuad(text: string): boolean {
  let dots = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isDigit(code) && run < 3) run += 1;
    else if (code === DOT && run > 0 && dots < 3) {
      dots += 1;
      run = 0;
    } else return false;
  }
  return dots === 3 && run > 0;
}

/** Why a dotted quad is not an IPv4 address, or undefined when it is one. */
function ipv4Problem(text: string): string | undefined {
  if (!isDottedQuad(text)) return 'not an IPv4 or IPv6 address';
  // Each octet in turn, at the dot that ends it (the end of the text ends the last one).
  let value = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : DOT;
    if (code !== DOT) {
      if (digits === 0) leadingZero = code === 48;
      value = value * 10 + (code - 48);
      digits += 1;
      continue;
    }
    // Leading zeros are read as octal by some tools (010 = 8): refuse rather than guess.
    if (digits > 1 && leadingZero) return 'IPv4 octet with a leading zero';
    if (value > 255) return 'IPv4 octet above 255';
    value = 0;
    digits = 0;
  }
  return undefined;
}

export function isIpv4Address(text: string): boolean {
  return ipv4Problem(text) === undefined;
}

/**
 * The canonical text of an IPv6 address (RFC 5952: lower case, leading zeros dropped, the first
 * longest run of zero groups compressed), or undefined when `text` is not one. The WHATWG URL
 * parser does exactly this serialisation; an embedded IPv4 tail comes out as two hex groups.
 */
export function canonicalIpv6(text: string): string | undefined {
  if (!text.includes(':') || !IPV6_CHARACTERS.test(text)) return undefined;
  try {
    const host = new URL(`http://[${text}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return undefined;
  }
}

/**
 * Checks one IP address as MISP's ip-src/ip-dst hold it: IPv4 goes to ipv4-addr.value, IPv6 (any
 * case, compressed or not, brackets tolerated) to ipv6-addr.value in canonical form. A CIDR range
 * is not an address and is refused.
 */
export function checkIpAddress(text: string): ValueCheck {
  if (text === '') return refused('empty address');
  if (text.includes('/')) return refused('CIDR range, not an address');
  if (text.includes('%')) return refused('IPv6 address with a zone index');
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (unbracketed.includes(':')) {
    const canonical = canonicalIpv6(unbracketed);
    return canonical === undefined
      ? refused('not a valid IPv6 address')
      : accepted('ipv6-addr.value', canonical);
  }
  const problem = ipv4Problem(unbracketed);
  return problem === undefined ? accepted('ipv4-addr.value', unbracketed) : refused(problem);
}

const IPV4_WITH_PORT = /^([\d.]+):\d*$/;
const BRACKETED_WITH_PORT = /^\[([^\]]*)\](?::\d*)?$/;

/**
 * The address of an `ip|port` value. MISP's form is `address|port` (split on the first `|` by the
 * caller); without a pipe, the usual `1.2.3.4:443` and `[2001:db8::1]:443` forms, or a bare
 * address, are read too. The port is not pushed, so it is not checked.
 */
export function addressOfIpPort(value: string, hasPipe: boolean): string {
  if (hasPipe) return value;
  const v4 = IPV4_WITH_PORT.exec(value);
  if (v4) return v4[1] ?? '';
  const v6 = BRACKETED_WITH_PORT.exec(value);
  if (v6) return v6[1] ?? '';
  return value;
}
