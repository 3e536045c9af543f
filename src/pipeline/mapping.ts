import type { Ioc, MappedAttribute, SkipReason } from './types';
import { describeRaw, hasUnsafeCharacter, printableExcerpt, splitComposite } from './text';
import type { ValueCheck } from './values/check';
import { refused } from './values/check';
import { checkDomainName } from './values/domain';
import { checkEmailAddress } from './values/email';
import { checkHash } from './values/hash';
import { addressOfIpPort, checkIpAddress } from './values/ip';
import { refang } from './values/refang';
import { checkUrl } from './values/url';

/**
 * The MISP attribute types this trigger pushes (docs/user-guide.md#supported-types), in the order of the
 * `attribute_types` enum of trigger_misp_ids_to_ioc.json; a unit test keeps the two equal.
 */
export const SUPPORTED_ATTRIBUTE_TYPES = [
  'ip-dst',
  'ip-src',
  'ip-dst|port',
  'ip-src|port',
  'domain',
  'hostname',
  'domain|ip',
  'url',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'filename|md5',
  'filename|sha1',
  'filename|sha256',
  'email-src',
  'email-dst',
] as const;
export type SupportedAttributeType = (typeof SUPPORTED_ATTRIBUTE_TYPES)[number];

/** Longest value read, in UTF-8 bytes: URLs can be long, other values never are. */
export const MAX_VALUE_BYTES = 4096;
export const MAX_URL_BYTES = 8192;

/** Types whose values may come defanged (hxxp://, [.]): restored before they are checked. */
const REFANGED_TYPES: ReadonlySet<SupportedAttributeType> = new Set([
  'url',
  'domain',
  'hostname',
  'domain|ip',
]);

/** What `type` is reported as when the attribute has none. */
export const MISSING_TYPE = '<missing>';

const ipPort = (value: string): ValueCheck[] => {
  const parts = splitComposite(value);
  const address = addressOfIpPort(parts ? parts[0] : value, parts !== undefined);
  return [address === '' ? refused('port without an address') : checkIpAddress(address)];
};

const afterPipe =
  (check: (text: string) => ValueCheck, expected: string) =>
  (value: string): ValueCheck[] => {
    const parts = splitComposite(value);
    return [parts ? check(parts[1]) : refused(`expected ${expected} (two parts joined by |)`)];
  };

const domainAndIp = (value: string): ValueCheck[] => {
  const parts = splitComposite(value);
  if (!parts) return [refused('expected domain|ip (two parts joined by |)')];
  const [domain, ip] = [checkDomainName(parts[0]), checkIpAddress(parts[1])];
  // Name the failing part: the other one is still pushed.
  return [
    domain.ok ? domain : refused(`domain part: ${domain.detail}`),
    ip.ok ? ip : refused(`IP part: ${ip.detail}`),
  ];
};

/** One checker per supported type: the values an attribute yields, each accepted or refused. */
const CHECKS: Readonly<Record<SupportedAttributeType, (value: string) => ValueCheck[]>> = {
  'ip-dst': (value) => [checkIpAddress(value)],
  'ip-src': (value) => [checkIpAddress(value)],
  'ip-dst|port': ipPort,
  'ip-src|port': ipPort,
  domain: (value) => [checkDomainName(value)],
  hostname: (value) => [checkDomainName(value)],
  'domain|ip': domainAndIp,
  url: (value) => [checkUrl(value)],
  md5: (value) => [checkHash('md5', value)],
  sha1: (value) => [checkHash('sha1', value)],
  sha256: (value) => [checkHash('sha256', value)],
  sha512: (value) => [checkHash('sha512', value)],
  'filename|md5': afterPipe((hash) => checkHash('md5', hash), 'filename|md5'),
  'filename|sha1': afterPipe((hash) => checkHash('sha1', hash), 'filename|sha1'),
  'filename|sha256': afterPipe((hash) => checkHash('sha256', hash), 'filename|sha256'),
  'email-src': (value) => [checkEmailAddress(value)],
  'email-dst': (value) => [checkEmailAddress(value)],
};

/**
 * MISP adds `email` to a search asking for email-src or email-dst (docs/apis.md#restsearch-filters): such an
 * attribute is an email address MISP matched the request with, read as one of them.
 */
function asRequestedType(type: string, enabledTypes: ReadonlySet<string>): string {
  if (type !== 'email') return type;
  if (enabledTypes.has('email-src')) return 'email-src';
  return enabledTypes.has('email-dst') ? 'email-dst' : type;
}

function isSupportedType(type: string): type is SupportedAttributeType {
  return Object.prototype.hasOwnProperty.call(CHECKS, type);
}

function skip(reason: SkipReason, type: string, rawValue: unknown, detail: string): MappedAttribute {
  return { iocs: [], skipped: { reason, type, example: describeRaw(rawValue), detail } };
}

/** Why `value` is too long to be a real value of `type`, or undefined. Cheap on megabyte strings. */
function lengthProblem(type: SupportedAttributeType, value: string): string | undefined {
  const limit = type === 'url' ? MAX_URL_BYTES : MAX_VALUE_BYTES;
  // A UTF-16 code unit is one to three UTF-8 bytes: count bytes only when the length leaves a doubt.
  if (value.length > limit || (value.length * 3 > limit && Buffer.byteLength(value, 'utf8') > limit)) {
    return `value longer than ${limit} bytes`;
  }
  return undefined;
}

/**
 * Maps one MISP attribute, as restSearch sent it (not validated), to the IOCs to push.
 * Never throws: an attribute that is not an object, or has no string `type` or `value`, is skipped
 * as `invalid_value` (type `<missing>` when there is none); a type that is not supported, or not
 * in `enabledTypes`, as `unsupported_type`; a malformed value as `invalid_value` with what is
 * wrong. Defanged URLs and domain names (hxxp://, [.]) are refanged first, and say so. `domain|ip`
 * may both yield an IOC and report its other part as skipped. Ids, timestamps
 * and every other field are ignored, whatever their JSON type.
 */
export function mapAttribute(raw: unknown, enabledTypes: ReadonlySet<string>): MappedAttribute {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return skip('invalid_value', MISSING_TYPE, raw, 'attribute is not a JSON object');
  }
  const { type: sentType, value } = raw as { type?: unknown; value?: unknown };
  if (typeof sentType !== 'string' || sentType.trim() === '') {
    const detail =
      sentType === undefined || sentType === '' ? 'type missing' : 'type is not a non-empty string';
    return skip('invalid_value', MISSING_TYPE, value, detail);
  }
  const type = asRequestedType(sentType, enabledTypes);
  if (!isSupportedType(type)) {
    return skip('unsupported_type', printableExcerpt(type, 40), value, 'type not supported by this trigger');
  }
  if (!enabledTypes.has(type)) {
    return skip('unsupported_type', type, value, "type not enabled in the trigger's attribute_types");
  }
  if (typeof value !== 'string') {
    return skip(
      'invalid_value',
      type,
      value,
      value === undefined ? 'value missing' : 'value is not a string',
    );
  }
  const tooLong = lengthProblem(type, value);
  if (tooLong !== undefined) return skip('invalid_value', type, value, tooLong);

  const restored = REFANGED_TYPES.has(type) ? refang(value.trim()) : { text: value.trim(), refanged: false };
  const iocs: Ioc[] = [];
  const problems: string[] = [];
  for (const check of CHECKS[type](restored.text)) {
    // Last guard: Sekoia's text import is one value per line.
    if (check.ok && (check.ioc.value === '' || hasUnsafeCharacter(check.ioc.value))) {
      problems.push('contains a control character');
    } else if (check.ok) {
      iocs.push(check.ioc);
    } else {
      problems.push(check.detail);
    }
  }
  const refanged: { refanged?: true } = restored.refanged && iocs.length > 0 ? { refanged: true } : {};
  if (problems.length === 0) return { iocs, ...refanged };
  return {
    iocs,
    ...refanged,
    skipped: { reason: 'invalid_value', type, example: describeRaw(value), detail: problems.join('; ') },
  };
}
