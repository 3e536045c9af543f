import type { MispAttributeJson, MispEventDocument, MispEventJson } from '../../tools/emulators/misp';

/**
 * What the IOC Collection should hold after a full sync of some MISP events, computed here with a
 * small mapping of our own (docs/user-guide.md#supported-types) for the cases the team's sample holds, not with
 * the pipeline's code, so that a mapping bug shows as a difference.
 */
export interface ExpectedIoc {
  format: string;
  value: string;
}

/** trigger_misp_ids_to_ioc.json's default attribute_types. */
export const DEFAULT_TYPES: readonly string[] = [
  'ip-dst',
  'domain',
  'url',
  'sha256',
  'md5',
  'sha1',
  'ip-dst|port',
  'domain|ip',
  'filename|md5',
  'filename|sha1',
  'filename|sha256',
];

const HASH_LENGTHS: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

function ip(text: string): ExpectedIoc[] {
  const value = text.trim().toLowerCase();
  if (value.includes('/')) return []; // a CIDR range is not an IOC
  if (value.includes(':')) {
    // Written in its RFC 5952 form, as the WHATWG URL parser writes a host.
    const compact = new URL(`http://[${value}]/`).hostname.slice(1, -1);
    return [{ format: 'ipv6-addr.value', value: compact }];
  }
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(value) ? [{ format: 'ipv4-addr.value', value }] : [];
}

function hash(text: string, kind: string): ExpectedIoc[] {
  const value = text.trim().toLowerCase();
  return new RegExp(`^[0-9a-f]{${HASH_LENGTHS[kind]}}$`).test(value)
    ? [{ format: 'file.hashes', value }]
    : [];
}

function parts(value: string): [string, string] {
  const at = value.indexOf('|');
  return [value.slice(0, at).trim(), value.slice(at + 1).trim()];
}

/** The IOCs one attribute gives, or [] when it gives none (junk). */
export function expectedOf(type: string, value: string): ExpectedIoc[] {
  if (type === 'ip-dst' || type === 'ip-src') return ip(value);
  if (type.endsWith('|port')) return ip(parts(value)[0]);
  if (type === 'domain' || type === 'hostname') {
    return [{ format: 'domain-name.value', value: value.trim().toLowerCase().replace(/\.$/, '') }];
  }
  if (type === 'domain|ip') {
    const [domain, address] = parts(value);
    return [{ format: 'domain-name.value', value: domain.toLowerCase() }, ...ip(address)];
  }
  if (type === 'url') return /^https?:\/\/[^/\s]+/.test(value) ? [{ format: 'url.value', value }] : [];
  if (type in HASH_LENGTHS) return hash(value, type);
  if (type.startsWith('filename|')) return hash(parts(value)[1], type.slice('filename|'.length));
  if (type === 'email-src' || type === 'email-dst' || type === 'email') {
    return [{ format: 'email-addr.value', value: value.trim().toLowerCase() }];
  }
  throw new Error(`expectedOf: no expectation written for type ${type}`);
}

function eventOf(document: MispEventDocument): MispEventJson {
  return ('Event' in document ? document.Event : document) as MispEventJson;
}

/** The attributes a restSearch with to_ids, published, the types and a warninglist returns. */
export function selectedAttributes(
  documents: readonly MispEventDocument[],
  types: readonly string[],
  warninglist: readonly string[],
): MispAttributeJson[] {
  const listed = new Set(warninglist.map((entry) => entry.toLowerCase()));
  const selected: MispAttributeJson[] = [];
  for (const event of documents.map(eventOf)) {
    if (!truthy(event.published)) continue;
    const all = [
      ...(event.Attribute ?? []),
      ...(event.Object ?? []).flatMap((object) => object.Attribute ?? []),
    ];
    for (const attribute of all) {
      if (!truthy(attribute.to_ids) || truthy(attribute.deleted) || !types.includes(attribute.type)) continue;
      if (attribute.value.split('|').some((part) => listed.has(part.trim().toLowerCase()))) continue;
      selected.push(attribute);
    }
  }
  return selected;
}

/** Distinct expected IOCs, sorted, plus how many selected attributes were junk (gave nothing). */
export function expectedCollection(
  documents: readonly MispEventDocument[],
  types: readonly string[],
  warninglist: readonly string[],
): { iocs: ExpectedIoc[]; junk: number } {
  const byKey = new Map<string, ExpectedIoc>();
  let junk = 0;
  for (const attribute of selectedAttributes(documents, types, warninglist)) {
    const iocs = expectedOf(attribute.type, attribute.value);
    if (iocs.length === 0) junk += 1;
    for (const ioc of iocs) byKey.set(`${ioc.format} ${ioc.value}`, ioc);
  }
  return { iocs: sortIocs([...byKey.values()]), junk };
}

export function sortIocs<T extends ExpectedIoc>(iocs: readonly T[]): ExpectedIoc[] {
  return iocs
    .map(({ format, value }) => ({ format, value }))
    .sort((a, b) => `${a.format} ${a.value}`.localeCompare(`${b.format} ${b.value}`));
}

/** Counts by format. */
export function countByFormat(iocs: readonly ExpectedIoc[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const ioc of iocs) counts[ioc.format] = (counts[ioc.format] ?? 0) + 1;
  return counts;
}
