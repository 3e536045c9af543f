import { mapAttribute, SUPPORTED_ATTRIBUTE_TYPES } from '../../../src/pipeline/mapping';
import { refang } from '../../../src/pipeline/values/refang';

const ALL = new Set<string>(SUPPORTED_ATTRIBUTE_TYPES);

describe('refang', () => {
  it.each([
    ['hxxp://evil[.]example[.]com/a.php', 'http://evil.example.com/a.php'],
    ['hxxps://evil.example.com', 'https://evil.example.com'],
    ['hXXps://198.51.100.7:8443/x', 'https://198.51.100.7:8443/x'],
    ['hxxp[://]evil(.)example{.}org', 'http://evil.example.org'],
    ['evil[dot]example[.]net', 'evil.example.net'],
    ['http[:]//evil.example.com', 'http://evil.example.com'],
  ])('restores %p as %p', (given, restored) => {
    expect(refang(given)).toEqual({ text: restored, refanged: true });
  });

  it.each(['https://example.com/search?q=[x]', 'evil.example.com', 'https://hxxp.example.com/'])(
    'leaves %p as it is',
    (value) => {
      expect(refang(value)).toEqual({ text: value, refanged: false });
    },
  );
});

describe('mapping defanged values', () => {
  it.each([
    ['url', 'hxxp://evil[.]example[.]com/a.php', ['url.value http://evil.example.com/a.php']],
    ['url', 'hxxps://198.51.100.7/gate', ['url.value https://198.51.100.7/gate']],
    ['domain', 'Evil[.]Example[.]com', ['domain-name.value evil.example.com']],
    ['hostname', 'c2[.]example[.]net', ['domain-name.value c2.example.net']],
    [
      'domain|ip',
      'login[.]example[.]org|198.51.100.23',
      ['domain-name.value login.example.org', 'ipv4-addr.value 198.51.100.23'],
    ],
  ])('%s %p is pushed refanged, and counted so', (type, value, expected) => {
    const mapped = mapAttribute({ type, value, to_ids: true }, ALL);
    expect(mapped.iocs.map((ioc) => `${ioc.format} ${ioc.value}`)).toEqual(expected);
    expect(mapped.refanged).toBe(true);
    expect(mapped.skipped).toBeUndefined();
  });

  it('does not mark a plain value, nor one still invalid once refanged', () => {
    expect(mapAttribute({ type: 'url', value: 'https://example.com/x' }, ALL).refanged).toBeUndefined();
    const invalid = mapAttribute({ type: 'domain', value: 'nodot[.]' }, ALL);
    expect(invalid.refanged).toBeUndefined();
    expect(invalid.skipped?.reason).toBe('invalid_value');
  });
});
