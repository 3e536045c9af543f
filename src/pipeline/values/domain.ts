import { domainToASCII } from 'node:url';
import { accepted, refused, type ValueCheck } from './check';
import { canonicalIpv6, isIpv4Address } from './ip';

/** DNS limits (RFC 1035): 253 characters in text form, 63 per label. */
const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
/** Letters, digits, `_` (found in real names, e.g. `_dmarc`), `-` not at either end. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
/** A top-level domain: letters, or an IDN TLD in punycode. Rules out bare IPs and file names like `a.1`. */
const TOP_LEVEL_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const NON_ASCII = /[\u0080-\uffff]/;

/** Why `name` (lower-case ASCII, no trailing dot) is not a DNS name, or undefined when it is one. */
function asciiNameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} characters`;
  const labels = name.split('.');
  if (labels.length < 2) return 'a single label, not a domain name';
  for (const label of labels) {
    if (label === '') return 'empty label (two dots in a row, or a leading dot)';
    if (label.length > MAX_LABEL_LENGTH) return `label longer than ${MAX_LABEL_LENGTH} characters`;
    if (!LABEL.test(label)) return 'invalid label (letters, digits, "-" and "_" only; no "-" at either end)';
  }
  const tld = labels[labels.length - 1] ?? '';
  if (!TOP_LEVEL_LABEL.test(tld)) return 'invalid top-level domain (letters, or xn-- punycode)';
  return undefined;
}

/**
 * The normalised form of a domain or host name, as DNS logs show it: lower case, no trailing dot,
 * internationalised names in punycode (`bücher.de` -> `xn--bcher-kva.de`).
 * Spaces, wildcards, URLs, e-mail addresses and bare IP addresses are refused.
 */
export function normaliseDomainName(text: string): { name: string } | { problem: string } {
  if (text === '') return { problem: 'empty name' };
  if (/\s/.test(text)) return { problem: 'contains a space' };
  if (text.includes('*')) return { problem: 'wildcard, not a domain name' };
  if (isIpv4Address(text) || canonicalIpv6(text) !== undefined) {
    return { problem: 'an IP address, not a domain name' };
  }
  if (/[/:@?#]/.test(text)) return { problem: 'not a domain name (looks like a URL or an e-mail address)' };
  let name = text.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (NON_ASCII.test(name)) {
    name = domainToASCII(name);
    if (name === '') return { problem: 'invalid internationalised domain name' };
  }
  const problem = asciiNameProblem(name);
  return problem === undefined ? { name } : { problem };
}

/** Checks a MISP domain or hostname value: domain-name.value, normalised. */
export function checkDomainName(text: string): ValueCheck {
  const result = normaliseDomainName(text);
  return 'name' in result ? accepted('domain-name.value', result.name) : refused(result.problem);
}
