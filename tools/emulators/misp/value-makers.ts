import { pick, randomHex, randomInt, type Random } from '../prng';

/** Made-up syllables: generated names look like domains without being anyone's real domain. */
const SYLLABLES = [
  'zor',
  'vex',
  'lum',
  'tra',
  'qin',
  'mal',
  'dex',
  'ori',
  'pax',
  'sul',
  'kri',
  'ven',
  'bho',
  'yat',
];
const TLDS = ['com', 'net', 'org', 'info', 'xyz', 'top', 'ru', 'cn', 'io', 'biz'];
const EXTENSIONS = ['exe', 'dll', 'doc', 'xls', 'js', 'ps1', 'zip', 'lnk', 'hta', 'bin'];
const PATHS = ['gate.php', 'admin/login', 'wp-content/upd.bin', 'api/v2/beacon', 'download', 'invoice.pdf'];
const HASH_LENGTHS: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

export interface ValueShares {
  ipv6: number;
  cidr: number;
  upperCaseHash: number;
  spacedComposite: number;
}

function word(random: Random): string {
  return (
    pick(random, SYLLABLES) +
    pick(random, SYLLABLES) +
    (random() < 0.3 ? String(randomInt(random, 1, 99)) : '')
  );
}

export function makeDomain(random: Random): string {
  return `${word(random)}.${pick(random, TLDS)}`;
}

export function makeIpv4(random: Random): string {
  let first = randomInt(random, 1, 223);
  if (first === 10 || first === 127) first += 1;
  return `${first}.${randomInt(random, 0, 255)}.${randomInt(random, 0, 255)}.${randomInt(random, 1, 254)}`;
}

export function makeIpv6(random: Random): string {
  return `2001:db8:${randomHex(random, 4)}:${randomHex(random, 3)}::${randomHex(random, 2)}`;
}

function makeIp(random: Random, shares: ValueShares): string {
  const draw = random();
  if (draw < shares.cidr) return `${makeIpv4(random).replace(/\.\d+$/, '.0')}/24`;
  if (draw < shares.cidr + shares.ipv6) return makeIpv6(random);
  return makeIpv4(random);
}

function makeHash(random: Random, type: string, shares: ValueShares): string {
  const hash = randomHex(random, HASH_LENGTHS[type]);
  return random() < shares.upperCaseHash ? hash.toUpperCase() : hash;
}

function composite(random: Random, left: string, right: string, shares: ValueShares): string {
  return random() < shares.spacedComposite ? `${left} | ${right}` : `${left}|${right}`;
}

function makeFilename(random: Random): string {
  return `${word(random)}_${randomInt(random, 1, 9999)}.${pick(random, EXTENSIONS)}`;
}

/** A realistic value for a MISP type (every type the generator's mix can hold). */
export function makeValue(random: Random, type: string, shares: ValueShares): string {
  switch (type) {
    case 'ip-dst':
    case 'ip-src':
      return makeIp(random, shares);
    case 'ip-dst|port':
    case 'ip-src|port':
      return composite(
        random,
        makeIp(random, shares),
        String(pick(random, [80, 443, 8080, 4444, 53])),
        shares,
      );
    case 'domain':
      return makeDomain(random);
    case 'hostname':
      return `${pick(random, ['mail', 'cdn', 'update', 'c2', 'vpn'])}.${makeDomain(random)}`;
    case 'domain|ip':
      return composite(random, makeDomain(random), makeIpv4(random), shares);
    case 'url':
      return `${pick(random, ['http', 'https'])}://${makeDomain(random)}/${pick(random, PATHS)}`;
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return makeHash(random, type, shares);
    case 'filename|md5':
    case 'filename|sha1':
    case 'filename|sha256':
      return composite(random, makeFilename(random), makeHash(random, type.slice(9), shares), shares);
    case 'email':
    case 'email-src':
    case 'email-dst':
      return `${word(random)}.${word(random)}@${makeDomain(random)}`;
    case 'filename':
      return makeFilename(random);
    case 'yara':
      return `rule ${word(random)} { strings: $a = "${randomHex(random, 12)}" condition: $a }`;
    case 'AS':
      return `AS${randomInt(random, 1000, 65000)}`;
    case 'link':
      return `https://blog.${makeDomain(random)}/report/${randomInt(random, 100, 9999)}`;
    default:
      return `Observed in campaign ${word(random)} (${randomHex(random, 6)})`;
  }
}

/** A value MISP let through but no IOC format accepts (wrong length, bad address, bare IP as url). */
export function makeJunk(random: Random, type: string): string {
  if (type in HASH_LENGTHS || type.startsWith('filename|')) return randomHex(random, 31);
  if (type.startsWith('ip-')) return `${randomInt(random, 256, 999)}.1.2.3`;
  if (type === 'url') return `${randomInt(random, 1, 223)}.${randomInt(random, 0, 255)}.86`;
  if (type.startsWith('email')) return `${word(random)}-at-${word(random)}`;
  if (type === 'domain' || type === 'hostname' || type === 'domain|ip')
    return `${word(random)} ${word(random)}`;
  return '';
}

/** MISP's default category of a type. */
export function categoryOf(type: string): string {
  if (/^(md5|sha|filename)/.test(type)) return 'Payload delivery';
  if (type.startsWith('email')) return 'Payload delivery';
  if (type === 'yara') return 'Payload installation';
  if (type === 'link') return 'External analysis';
  if (type === 'text') return 'Other';
  return 'Network activity';
}
