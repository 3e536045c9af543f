import { domainToASCII } from 'node:url';
import { HYPHEN, isDigit, isLowerLetter } from '../code-units';
import { accepted, refused, type ValueCheck } from './check';
import { canonicalIpv6, isIpv4Address } from './ip';

/** DNS limits (RFC 1035): 253 characters in text form, 63 per label. */
const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const NON_ASCII = /[\u0080-\uffff]/;

// The name checks below loop over code units (they run for every domain value read); the tests
// hold each to the regex it stands for.
/** [a-z0-9_] */
const isLabelEnd = (code: number): boolean => isLowerLetter(code) || isDigit(code) || code === 95;

/**
 * name[start, end) is a label: /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/, letters, digits, `_`
 * (found in real names, e.g. `_dmarc`), `-` not at either end.
 */
function isLabel(name: string, start: number, end: number): boolean {
  if (!isLabelEnd(name.charCodeAt(start)) || !isLabelEnd(name.charCodeAt(end - 1))) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const code = name.charCodeAt(i);
    if (!isLabelEnd(code) && code !== HYPHEN) return false;
  }
  return true;
}

/**
 * name[start, end) is a top-level domain: letters, or an IDN TLD in punycode
 * (/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/). Rules out bare IPs and file names like `a.1`.
 */
function isTopLevelLabel(name: string, start: number, end: number): boolean {
  const length = end - start;
  if (name.startsWith('xn--', start) && length >= 5 && length <= 63) {
    for (let i = start + 4; i < end; i++) {
      const code = name.charCodeAt(i);
      if (!isLowerLetter(code) && !isDigit(code) && code !== HYPHEN) return false;
    }
    return true;
  }
  if (length < 2 || length > 63) return false;
  for (let i = start; i < end; i++) if (!isLowerLetter(name.charCodeAt(i))) return false;
  return true;
}

/** Why `name` (lower-case ASCII, no trailing dot) is not a DNS name, or undefined when it is one. */
function asciiNameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} characters`;
  if (!name.includes('.')) return 'a single label, not a domain name';
  let start = 0;
  // Each label in turn, at the dot that ends it (the end of the name ends the last one).
  for (let end = name.indexOf('.'); ; end = name.indexOf('.', start)) {
    if (end < 0) end = name.length;
    if (end === start) return 'empty label (two dots in a row, or a leading dot)';
    if (end - start > MAX_LABEL_LENGTH) return `label longer than ${MAX_LABEL_LENGTH} characters`;
    if (!isLabel(name, start, end)) {
      return 'invalid label (letters, digits, "-" and "_" only; no "-" at either end)';
    }
    if (end === name.length) break;
    start = end + 1;
  }
  if (!isTopLevelLabel(name, start, name.length)) {
    return 'invalid top-level domain (letters, or xn-- punycode)';
  }
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
