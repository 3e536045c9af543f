import fc from 'fast-check';
import { mapAttribute, SUPPORTED_ATTRIBUTE_TYPES } from '../../src/pipeline/mapping';
import type { Ioc, MappedAttribute } from '../../src/pipeline/types';
import { SEKOIA_FORMATS } from '../../src/sekoia/types';

const ALL = new Set<string>(SUPPORTED_ATTRIBUTE_TYPES);
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_OR_SEPARATOR = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const MEGABYTE = 1 << 20;

/** Characters that break naive parsers and log lines. */
const hostileChar = fc.constantFrom(
  '|',
  ' ',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '[',
  ']',
  ':',
  '/',
  '.',
  '@',
  '%',
  '*',
  '😀',
  'é',
  'ß',
  'İ',
);
const hostileString = fc.string({ unit: fc.oneof(hostileChar, fc.string({ minLength: 1, maxLength: 1 })) });

/** Values that look right, so the checks past the first line are reached too. */
const plausibleValue = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.domain(),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.emailAddress(),
  fc.stringMatching(/^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{40}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{128}$/),
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 70000 })).map(([ip, port]) => `${ip}:${port}`),
);

const value = fc.oneof(
  plausibleValue,
  // `|` in odd places, spaces around it, several of them.
  fc
    .tuple(
      fc.oneof(plausibleValue, hostileString),
      fc.constantFrom('|', ' | ', '||', '| |'),
      fc.oneof(plausibleValue, hostileString),
    )
    .map(([a, pipe, b]) => `${a}${pipe}${b}`),
  fc.tuple(plausibleValue, hostileString).map(([a, b]) => `${a}${b}`),
  hostileString,
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'a'.repeat(MEGABYTE),
    `1.2.3.4|${'4'.repeat(MEGABYTE)}`,
    `http://a.example/${'é'.repeat(MEGABYTE)}`,
  ),
  fc.anything(),
);

const randomCase = (text: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const hex = (length: number): fc.Arbitrary<string> =>
  fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${length}}$`));
const ip = fc.oneof(fc.ipV4(), fc.ipV6().chain(randomCase));
const domain = fc.tuple(fc.domain(), fc.constantFrom('', '.')).chain(([d, dot]) => randomCase(`${d}${dot}`));
const pipe = fc.constantFrom('|', ' | ', '|  ', ' |');
const composite = (a: fc.Arbitrary<string>, b: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(a, pipe, b).map(([x, p, y]) => `${x}${p}${y}`);
const filename = fc.string({ minLength: 1, maxLength: 20 }).filter((f) => !f.includes('|'));

/** A value MISP would hold for each supported type (random case, spaces around |, trailing dots). */
const WELL_FORMED: Readonly<Record<(typeof SUPPORTED_ATTRIBUTE_TYPES)[number], fc.Arbitrary<string>>> = {
  'ip-dst': ip,
  'ip-src': ip,
  'ip-dst|port': composite(ip, fc.integer({ min: 1, max: 65535 }).map(String)),
  'ip-src|port': composite(ip, fc.integer({ min: 1, max: 65535 }).map(String)),
  domain,
  hostname: domain,
  'domain|ip': composite(domain, ip),
  url: fc.webUrl({ withQueryParameters: true, withFragments: true }),
  md5: hex(32),
  sha1: hex(40),
  sha256: hex(64),
  sha512: hex(128),
  'filename|md5': composite(filename, hex(32)),
  'filename|sha1': composite(filename, hex(40)),
  'filename|sha256': composite(filename, hex(64)),
  'email-src': fc.emailAddress().chain(randomCase),
  'email-dst': fc.emailAddress().chain(randomCase),
};
const wellFormedAttribute = fc
  .constantFrom(...SUPPORTED_ATTRIBUTE_TYPES)
  .chain((t) => WELL_FORMED[t].map((v) => ({ type: t, value: v })));

const type = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...SUPPORTED_ATTRIBUTE_TYPES) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('ssdeep', 'link', '', 'IP-DST', '__proto__', 'toString', 'ip-dst '),
  },
  { weight: 1, arbitrary: fc.oneof(hostileString, fc.anything()) },
);

const attribute: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        type,
        value,
        id: fc.oneof(fc.nat().map(String), fc.nat(), fc.constant(null)),
        timestamp: fc.oneof(fc.nat().map(String), fc.nat()),
        to_ids: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.array(fc.record({ type, value })) },
);

/** The simple MISP type whose mapping gives back an IOC of this format. */
function typeOf(ioc: Ioc): string {
  switch (ioc.format) {
    case 'ipv4-addr.value':
    case 'ipv6-addr.value':
      return 'ip-dst';
    case 'domain-name.value':
      return 'domain';
    case 'url.value':
      return 'url';
    case 'email-addr.value':
      return 'email-src';
    case 'file.hashes':
      return { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' }[ioc.value.length] ?? 'unknown-hash';
  }
}

function checkResult(raw: unknown, result: MappedAttribute): void {
  expect(Array.isArray(result.iocs)).toBe(true);
  // Either mapped, or counted as skipped (domain|ip may do both).
  expect(result.iocs.length > 0 || result.skipped !== undefined).toBe(true);
  if (result.iocs.length > 0 && result.skipped !== undefined) {
    expect((raw as { type?: unknown }).type).toBe('domain|ip');
  }
  for (const ioc of result.iocs) {
    expect(SEKOIA_FORMATS).toContain(ioc.format);
    expect(ioc.value).not.toBe('');
    expect(ioc.value).not.toMatch(CONTROL_OR_SEPARATOR);
    expect(ioc.value).not.toMatch(/\s|\p{Cs}/u);
  }
  if (result.skipped) {
    expect(['unsupported_type', 'invalid_value']).toContain(result.skipped.reason);
    for (const text of [result.skipped.example, result.skipped.type, result.skipped.detail]) {
      expect(typeof text).toBe('string');
      expect(text).not.toMatch(CONTROL_OR_SEPARATOR);
    }
    expect(result.skipped.example.length).toBeLessThanOrEqual(80);
    expect(result.skipped.type.length).toBeLessThanOrEqual(40);
  }
}

describe('mapAttribute on random and hostile attributes', () => {
  it('never throws; every attribute is mapped or skipped; every value is one clean line of a known format', () => {
    fc.assert(
      fc.property(attribute, (raw) => {
        checkResult(raw, mapAttribute(raw, ALL));
      }),
      { numRuns: 3000 },
    );
  });

  it('is idempotent on its own output: an IOC mapped again as its type is the same IOC', () => {
    let iocs = 0;
    const anyAttribute = fc.oneof(
      wellFormedAttribute,
      fc.record({ type: fc.constantFrom(...SUPPORTED_ATTRIBUTE_TYPES), value }),
    );
    fc.assert(
      fc.property(anyAttribute, (raw) => {
        for (const ioc of mapAttribute(raw, ALL).iocs) {
          iocs += 1;
          expect(mapAttribute({ type: typeOf(ioc), value: ioc.value }, ALL)).toEqual({ iocs: [ioc] });
        }
      }),
      { numRuns: 2000 },
    );
    // Guard against a vacuous pass: most of these attributes do yield IOCs.
    expect(iocs).toBeGreaterThan(1000);
  });

  it('skips every type that is not enabled, whatever the value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SUPPORTED_ATTRIBUTE_TYPES), value, (attributeType, attributeValue) => {
        const enabled = new Set<string>(SUPPORTED_ATTRIBUTE_TYPES.filter((t) => t !== attributeType));
        const result = mapAttribute({ type: attributeType, value: attributeValue }, enabled);
        expect(result.iocs).toEqual([]);
        expect(result.skipped?.reason).toBe('unsupported_type');
      }),
      { numRuns: 300 },
    );
  });
});

describe('mapAttribute on well-formed values', () => {
  it('maps every well-formed value of every type, without a skip', () => {
    fc.assert(
      fc.property(wellFormedAttribute, (raw) => {
        const result = mapAttribute(raw, ALL);
        expect(result.skipped).toBeUndefined();
        expect(result.iocs).toHaveLength(raw.type === 'domain|ip' ? 2 : 1);
      }),
      { numRuns: 2000 },
    );
  });

  it('maps every IPv4 address to itself', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(mapAttribute({ type: 'ip-src', value: ip }, ALL)).toEqual({
          iocs: [{ format: 'ipv4-addr.value', value: ip }],
        });
      }),
    );
  });

  it('maps every IPv6 address, in any case, to one lower-case compressed form', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const lower = mapAttribute({ type: 'ip-dst', value: ip.toLowerCase() }, ALL);
        const upper = mapAttribute({ type: 'ip-dst', value: ip.toUpperCase() }, ALL);
        expect(lower.iocs).toHaveLength(1);
        expect(upper).toEqual(lower);
        expect(lower.iocs[0]?.format).toBe('ipv6-addr.value');
        expect(lower.iocs[0]?.value).not.toMatch(/[A-F]|:0[0-9a-f]|:::/);
      }),
    );
  });

  it('maps domain|ip to both parts, whatever the spaces around |', () => {
    fc.assert(
      fc.property(fc.domain(), fc.ipV4(), fc.constantFrom('|', ' |', '| ', '  |  '), (domain, ip, pipe) => {
        const result = mapAttribute({ type: 'domain|ip', value: `${domain}${pipe}${ip}` }, ALL);
        expect(result.skipped).toBeUndefined();
        expect(result.iocs.map((i) => i.format)).toEqual(['domain-name.value', 'ipv4-addr.value']);
      }),
    );
  });
});
