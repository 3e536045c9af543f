import { iocKey, parseIocKey } from '../../../src/pipeline/keys';
import { SEKOIA_FORMATS } from '../../../src/sekoia/types';

describe('iocKey', () => {
  it('joins format and value with a separator no format contains', () => {
    expect(iocKey({ format: 'ipv6-addr.value', value: '2001:db8::1' })).toBe('ipv6-addr.value|2001:db8::1');
    for (const format of SEKOIA_FORMATS) expect(format).not.toContain('|');
  });

  it('tells the same value of two formats apart, and round-trips', () => {
    const domain = iocKey({ format: 'domain-name.value', value: 'a.example' });
    const url = iocKey({ format: 'url.value', value: 'a.example' });
    expect(domain).not.toBe(url);
    const withPipe = { format: 'url.value' as const, value: 'http://a.example/?q=a|b' };
    expect(parseIocKey(iocKey(withPipe))).toEqual(withPipe);
  });

  it('parses nothing that is not an IOC key', () => {
    expect(parseIocKey('no separator')).toBeUndefined();
    expect(parseIocKey('ipv4-addr|1.2.3.4')).toBeUndefined();
    expect(parseIocKey('url.value|')).toBeUndefined();
  });
});
