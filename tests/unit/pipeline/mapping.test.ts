import {
  mapAttribute,
  SUPPORTED_ATTRIBUTE_TYPES,
  MAX_URL_BYTES,
  MAX_VALUE_BYTES,
} from '../../../src/pipeline/mapping';
import type { MappedAttribute } from '../../../src/pipeline/types';

const ALL = new Set<string>(SUPPORTED_ATTRIBUTE_TYPES);

/** A restSearch attribute as most servers send it: string ids and timestamps. */
function attribute(
  type: string,
  value: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: '1234',
    event_id: '12',
    object_id: '0',
    category: 'Network activity',
    type,
    value,
    to_ids: true,
    uuid: '5c3b9d2a-0f7c-4d4e-9f0b-1f2e3d4c5b6a',
    timestamp: '1700000000',
    distribution: '5',
    deleted: false,
    ...extra,
  };
}

function map(type: string, value: string): MappedAttribute {
  return mapAttribute(attribute(type, value), ALL);
}

function expectMapped(type: string, value: string, ...expected: Array<[string, string]>): void {
  const result = map(type, value);
  expect(result.skipped).toBeUndefined();
  expect(result.iocs.map((ioc) => [ioc.format, ioc.value])).toEqual(expected);
}

function expectInvalid(type: string, value: string, detail: RegExp): void {
  const result = map(type, value);
  expect(result.iocs).toEqual([]);
  expect(result.skipped).toMatchObject({ reason: 'invalid_value', type });
  expect(result.skipped?.detail).toMatch(detail);
}

describe('mapAttribute: ip-dst and ip-src', () => {
  it.each(['ip-dst', 'ip-src'])('maps IPv4 to ipv4-addr.value (%s)', (type) => {
    expectMapped(type, '185.156.173.70', ['ipv4-addr.value', '185.156.173.70']);
    expectMapped(type, ' 0.0.0.0 ', ['ipv4-addr.value', '0.0.0.0']);
    expectMapped(type, '255.255.255.255', ['ipv4-addr.value', '255.255.255.255']);
  });

  it('maps IPv6, compressed or full, any case, to the canonical lower-case compressed form', () => {
    expectMapped('ip-dst', '2001:db8::1', ['ipv6-addr.value', '2001:db8::1']);
    expectMapped('ip-dst', '2001:0DB8:0000:0000:0000:0000:0000:0001', ['ipv6-addr.value', '2001:db8::1']);
    expectMapped('ip-src', 'FE80:0:0:0:1:0:0:0', ['ipv6-addr.value', 'fe80::1:0:0:0']);
    expectMapped('ip-dst', '[::1]', ['ipv6-addr.value', '::1']);
  });

  it('skips CIDR ranges, v4 and v6', () => {
    expectInvalid('ip-dst', '10.0.0.0/8', /^CIDR range, not an address$/);
    expectInvalid('ip-src', '2001:db8::/32', /^CIDR range/);
  });

  it('refuses IPv4 with leading zeros, out-of-range octets, or the wrong number of octets', () => {
    expectInvalid('ip-dst', '010.1.1.1', /leading zero/);
    expectInvalid('ip-dst', '1.2.3.256', /above 255/);
    expectInvalid('ip-dst', '107.183.86', /not an IPv4 or IPv6 address/);
    expectInvalid('ip-dst', 'example.com', /not an IPv4 or IPv6 address/);
    expectInvalid('ip-dst', '1::2::3', /not a valid IPv6/);
    expectInvalid('ip-dst', 'fe80::1%eth0', /zone index/);
    expectInvalid('ip-dst', '   ', /empty/);
  });
});

describe('mapAttribute: ip|port', () => {
  it('keeps the part before |, spaces around | trimmed', () => {
    expectMapped('ip-dst|port', '125.212.132.222|443', ['ipv4-addr.value', '125.212.132.222']);
    expectMapped('ip-src|port', '10.10.30.110 | 1992', ['ipv4-addr.value', '10.10.30.110']);
    expectMapped('ip-dst|port', '2001:DB8::5|8080', ['ipv6-addr.value', '2001:db8::5']);
    expectMapped('ip-dst|port', '[2001:db8::5]|8080', ['ipv6-addr.value', '2001:db8::5']);
  });

  it('reads the address:port and [v6]:port forms, and a bare address', () => {
    expectMapped('ip-dst|port', '1.2.3.4:443', ['ipv4-addr.value', '1.2.3.4']);
    expectMapped('ip-dst|port', '[2001:db8::5]:443', ['ipv6-addr.value', '2001:db8::5']);
    expectMapped('ip-dst|port', '1.2.3.4', ['ipv4-addr.value', '1.2.3.4']);
    expectMapped('ip-dst|port', '2001:db8::5', ['ipv6-addr.value', '2001:db8::5']);
  });

  it('skips a port alone and a CIDR before |', () => {
    expectInvalid('ip-dst|port', '|443', /port without an address/);
    expectInvalid('ip-dst|port', '10.0.0.0/8|443', /CIDR range/);
  });
});

describe('mapAttribute: domain and hostname', () => {
  it('lower-cases and removes the trailing dot', () => {
    expectMapped('domain', 'WWW.Circl.LU.', ['domain-name.value', 'www.circl.lu']);
    expectMapped('hostname', 'webmonder.gicp.net', ['domain-name.value', 'webmonder.gicp.net']);
    expectMapped('domain', '_dmarc.example.com', ['domain-name.value', '_dmarc.example.com']);
  });

  it('converts internationalised names to punycode and accepts punycode', () => {
    expectMapped('domain', 'Bücher.de', ['domain-name.value', 'xn--bcher-kva.de']);
    expectMapped('domain', 'xn--bcher-kva.xn--p1ai', ['domain-name.value', 'xn--bcher-kva.xn--p1ai']);
  });

  it('refuses spaces, wildcards, bare IPs, single labels, bad labels and URLs', () => {
    expectInvalid('domain', 'exa mple.com', /space/);
    expectInvalid('domain', '*.example.com', /wildcard/);
    expectInvalid('hostname', '1.2.3.4', /an IP address/);
    expectInvalid('domain', '2001:db8::1', /an IP address/);
    expectInvalid('domain', 'localhost', /single label/);
    expectInvalid('domain', '-bad.example.com', /invalid label/);
    expectInvalid('domain', 'a..example.com', /empty label/);
    expectInvalid('domain', 'example.c0m', /top-level/);
    expectInvalid('domain', 'http://example.com/', /looks like a URL/);
    expectInvalid('domain', `${'a'.repeat(64)}.com`, /label longer than 63/);
    expectInvalid('domain', `${'abcdefghi.'.repeat(26)}com`, /longer than 253/);
  });
});

describe('mapAttribute: domain|ip', () => {
  it('pushes both parts', () => {
    expectMapped(
      'domain|ip',
      'www.circl.lu|1.2.3.4',
      ['domain-name.value', 'www.circl.lu'],
      ['ipv4-addr.value', '1.2.3.4'],
    );
    expectMapped(
      'domain|ip',
      'Example.COM. | 2001:DB8::1',
      ['domain-name.value', 'example.com'],
      ['ipv6-addr.value', '2001:db8::1'],
    );
  });

  it('pushes the valid part and reports the other as invalid', () => {
    const badIp = map('domain|ip', 'www.circl.lu|10.0.0.0/8');
    expect(badIp.iocs).toEqual([{ format: 'domain-name.value', value: 'www.circl.lu' }]);
    expect(badIp.skipped).toEqual({
      reason: 'invalid_value',
      type: 'domain|ip',
      example: 'www.circl.lu|10.0.0.0/8',
      detail: 'IP part: CIDR range, not an address',
    });
    const badDomain = map('domain|ip', '*.evil.com|1.2.3.4');
    expect(badDomain.iocs).toEqual([{ format: 'ipv4-addr.value', value: '1.2.3.4' }]);
    expect(badDomain.skipped?.detail).toBe('domain part: wildcard, not a domain name');
  });

  it('skips when both parts are bad or there is no |', () => {
    expectInvalid('domain|ip', 'bad domain|1.2.3', /^domain part: .*; IP part: /);
    expectInvalid('domain|ip', 'www.circl.lu', /expected domain\|ip/);
  });
});

describe('mapAttribute: url', () => {
  it('keeps URLs with a scheme and a host, as is after trimming', () => {
    expectMapped('url', ' https://www.circl.lu/team ', ['url.value', 'https://www.circl.lu/team']);
    expectMapped('url', 'http://1.2.3.4:8080/a?b=c#d', ['url.value', 'http://1.2.3.4:8080/a?b=c#d']);
    expectMapped('url', 'http://[2001:db8::1]/x', ['url.value', 'http://[2001:db8::1]/x']);
    expectMapped('url', 'HXXP://Evil.example/Path', ['url.value', 'HXXP://Evil.example/Path']);
    expectMapped('url', 'ftp://user@files.example.org', ['url.value', 'ftp://user@files.example.org']);
  });

  it('keeps schemeless host[:port][/path] values, bare hosts included (real C2 data has them)', () => {
    expectMapped('url', 'evil.example.com/gate.php', ['url.value', 'evil.example.com/gate.php']);
    expectMapped('url', '1.2.3.4:8080/x', ['url.value', '1.2.3.4:8080/x']);
    expectMapped('url', 'www.whitewall.top', ['url.value', 'www.whitewall.top']);
    expectMapped('url', 'files.example.zip', ['url.value', 'files.example.zip']);
    expectMapped('url', 'evil.example.com/igfxtray.exe', ['url.value', 'evil.example.com/igfxtray.exe']);
  });

  it('refuses junk seen in real MISP data, empty values and whitespace', () => {
    expectInvalid('url', '107.183.86', /not a URL/);
    expectInvalid('url', 'igfxtray.exe', /a file name, not a URL/);
    expectInvalid('url', 'Report.PDF', /a file name/);
    expectInvalid('url', 'bill@yahoo.com', /looks like an e-mail address/);
    expectInvalid('url', 'Data/glp.uin', /not a URL/);
    expectInvalid('url', '107.183.86/x', /not a URL/);
    expectInvalid('url', '', /empty URL/);
    expectInvalid('url', 'http://a.example/x y', /space or a control character/);
    expectInvalid('url', 'http://a.example/x\ny', /space or a control character/);
    expectInvalid('url', 'http://a.example/\ud800', /space or a control character/);
    expectInvalid('url', 'http://a.example/\u202egpj.exe', /space or a control character/);
    expectInvalid('url', 'http:///path', /without a host/);
    expectInvalid('url', 'http://[zz::1]/', /invalid host/);
  });
});

describe('mapAttribute: hashes', () => {
  it.each([
    ['md5', 32],
    ['sha1', 40],
    ['sha256', 64],
    ['sha512', 128],
  ])('lower-cases a %s hash of %i hex characters to file.hashes', (type, length) => {
    const hash = 'aB0'.repeat(64).slice(0, length);
    expectMapped(type, ` ${hash} `, ['file.hashes', hash.toLowerCase()]);
  });

  it('refuses wrong lengths and non-hex characters', () => {
    expectInvalid('sha256', 'a'.repeat(63), /63 hexadecimal characters, expected 64/);
    expectInvalid('md5', 'a'.repeat(40), /expected 32/);
    expectInvalid('sha1', 'g'.repeat(40), /non-hexadecimal/);
    expectInvalid('sha512', '', /empty sha512/);
  });

  it('takes the part after | of filename|hash', () => {
    const md5 = '46C7D064A34C4E02BB2DF56E0F8470C0';
    expectMapped('filename|md5', `IEChecker.exe|${md5}`, ['file.hashes', md5.toLowerCase()]);
    expectMapped('filename|sha1', `oui | ${'5898fc860300e228dcd54c0b1045b5fa0dcda502'}`, [
      'file.hashes',
      '5898fc860300e228dcd54c0b1045b5fa0dcda502',
    ]);
    expectMapped('filename|sha256', `brochure .doc|${'c'.repeat(64)}`, ['file.hashes', 'c'.repeat(64)]);
    expectInvalid('filename|sha256', `tnyjs.dll|${'5'.repeat(60)}`, /expected 64/);
    expectInvalid('filename|md5', 'a'.repeat(32), /expected filename\|md5/);
  });
});

describe('mapAttribute: e-mail addresses', () => {
  it.each(['email-src', 'email-dst'])('lower-cases %s to email-addr.value', (type) => {
    expectMapped(type, 'Bill_Clay6801@Yahoo.COM', ['email-addr.value', 'bill_clay6801@yahoo.com']);
    expectMapped(type, 'a.b+tag@sub.example.org.', ['email-addr.value', 'a.b+tag@sub.example.org']);
  });

  it('refuses malformed addresses', () => {
    expectInvalid('email-src', 'no-at.example.com', /without @/);
    expectInvalid('email-src', 'a@b@example.com', /more than one @/);
    expectInvalid('email-dst', 'John <john@example.com>', /before the @/);
    expectInvalid('email-dst', '.a@example.com', /before the @/);
    expectInvalid('email-dst', 'a@localhost', /e-mail domain: a single label/);
  });
});

describe('mapAttribute: types', () => {
  it('skips a type that is not supported', () => {
    const result = map('ssdeep', '1536:qJhDLw1yDhhzoN');
    expect(result).toEqual({
      iocs: [],
      skipped: {
        reason: 'unsupported_type',
        type: 'ssdeep',
        example: '1536:qJhDLw1yDhhzoN',
        detail: 'type not supported by this trigger',
      },
    });
  });

  it('skips a supported type that is not enabled', () => {
    const result = mapAttribute(attribute('ip-src', '1.2.3.4'), new Set(['ip-dst']));
    expect(result.iocs).toEqual([]);
    expect(result.skipped).toMatchObject({ reason: 'unsupported_type', type: 'ip-src' });
    expect(result.skipped?.detail).toMatch(/not enabled/);
  });

  it('does not read prototype properties as types', () => {
    expect(map('constructor', 'x').skipped?.reason).toBe('unsupported_type');
    expect(map('__proto__', 'x').skipped?.reason).toBe('unsupported_type');
  });
});

describe('mapAttribute: malformed attributes', () => {
  it.each([
    [null, '<missing>', 'attribute is not a JSON object'],
    ['1.2.3.4', '<missing>', 'attribute is not a JSON object'],
    [[{ type: 'ip-dst', value: '1.2.3.4' }], '<missing>', 'attribute is not a JSON object'],
    [{ value: '1.2.3.4' }, '<missing>', 'type missing'],
    [{ type: 42, value: '1.2.3.4' }, '<missing>', 'type is not a non-empty string'],
    [{ type: 'ip-dst' }, 'ip-dst', 'value missing'],
    [{ type: 'ip-dst', value: 16909060 }, 'ip-dst', 'value is not a string'],
  ])('skips %j as invalid_value', (raw, type, detail) => {
    expect(mapAttribute(raw, ALL)).toMatchObject({
      iocs: [],
      skipped: { reason: 'invalid_value', type, detail },
    });
  });

  it('refuses values over the size limits, and shows a short example', () => {
    const longDomain = map('domain', `${'a'.repeat(MAX_VALUE_BYTES)}.com`);
    expect(longDomain.skipped?.detail).toBe(`value longer than ${MAX_VALUE_BYTES} bytes`);
    expect(longDomain.skipped?.example.length).toBeLessThanOrEqual(80);
    const longUrl = map('url', `http://a.example/${'é'.repeat(MAX_URL_BYTES / 2)}`);
    expect(longUrl.skipped?.detail).toBe(`value longer than ${MAX_URL_BYTES} bytes`);
    expectMapped('url', `http://a.example/${'x'.repeat(6000)}`, [
      'url.value',
      `http://a.example/${'x'.repeat(6000)}`,
    ]);
  });

  it('escapes control characters in examples', () => {
    const result = map('domain', 'evil\u0000.com\n');
    expect(result.skipped?.example).toBe('evil\\u0000.com\\n');
  });

  it('ignores ids and timestamps, whether strings or numbers', () => {
    const asStrings = mapAttribute(attribute('ip-dst', '1.2.3.4'), ALL);
    const asNumbers = mapAttribute(
      attribute('ip-dst', '1.2.3.4', {
        id: 1234,
        event_id: 12,
        object_id: 0,
        timestamp: 1700000000,
        distribution: 5,
      }),
      ALL,
    );
    const withNulls = mapAttribute(
      attribute('ip-dst', '1.2.3.4', { id: null, timestamp: null, first_seen: null }),
      ALL,
    );
    expect(asStrings).toEqual({ iocs: [{ format: 'ipv4-addr.value', value: '1.2.3.4' }] });
    expect(asNumbers).toEqual(asStrings);
    expect(withNulls).toEqual(asStrings);
  });
});
