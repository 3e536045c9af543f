import { parseCliArgs } from '../../../tools/emulators/cli';
import { parseFaultRules } from '../../../tools/emulators/faults';
import { readUuid, writeUuid } from '../../../tools/emulators/misp/uuid-bytes';
import { Warninglist } from '../../../tools/emulators/misp/warninglist';
import { mulberry32, randomUuid } from '../../../tools/emulators/prng';
import { isValidIndicator } from '../../../tools/emulators/sekoia';

describe('prng and uuids', () => {
  it('replays the same sequence for a seed', () => {
    const a = mulberry32(11);
    const b = mulberry32(11);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(mulberry32(12)()).not.toBe(mulberry32(11)());
  });

  it('packs uuids in 16 bytes and back, refusing non-canonical ones', () => {
    const uuid = randomUuid(mulberry32(1));
    const bytes = new Uint8Array(32);
    expect(writeUuid(uuid, bytes, 16)).toBe(true);
    expect(readUuid(bytes, 16)).toBe(uuid);
    expect(writeUuid('5A3CD5B6-9568-4342-BD0D-4C62950D210F', bytes, 0)).toBe(true);
    expect(readUuid(bytes, 0)).toBe('5a3cd5b6-9568-4342-bd0d-4c62950d210f');
    expect(writeUuid('not-a-uuid', bytes, 0)).toBe(false);
    expect(writeUuid('5a3cd5b6x9568-4342-bd0d-4c62950d210f', bytes, 0)).toBe(false);
  });
});

describe('warninglist', () => {
  it('matches values, parts of composite values and URL hosts, in any case', () => {
    const list = new Warninglist();
    expect(list.matches('8.8.8.8')).toBe(true);
    expect(list.matches('Google.com')).toBe(true);
    expect(list.matches('evil.example | 1.1.1.1')).toBe(true);
    expect(list.matches('https://www.microsoft.com/x')).toBe(true);
    expect(list.matches('198.51.100.1')).toBe(false);
  });
});

describe('Sekoia indicator validation', () => {
  it.each([
    ['ipv4-addr.value', '198.51.100.1', true],
    ['ipv4-addr.value', '198.51.100.0/24', true],
    ['ipv4-addr.value', '256.1.1.1', false],
    ['ipv6-addr.value', '2001:db8::1', true],
    ['ipv6-addr.value', '198.51.100.1', false],
    ['domain-name.value', 'a.example', true],
    ['domain-name.value', 'no spaces.example', false],
    ['url.value', 'https://a.example/x?y=1', true],
    ['url.value', '107.183.86', false],
    ['email-addr.value', 'a@b.example', true],
    ['email-addr.value', 'a-at-b', false],
    ['file.hashes', 'a'.repeat(64), true],
    ['file.hashes', 'A'.repeat(40), true],
    ['file.hashes', 'a'.repeat(31), false],
  ] as const)('%s %s -> %s', (format, value, valid) => {
    expect(isValidIndicator(format, value)).toBe(valid);
  });
});

describe('fault rules parsing', () => {
  it('accepts one rule, a list or {rules}', () => {
    expect(parseFaultRules({ latencyMs: [1, 2] })).toEqual([{ latencyMs: [1, 2] }]);
    expect(
      parseFaultRules({ rules: [{ prefix: '/a', failNext: { count: 2, fault: { kind: 'drop' } } }] }),
    ).toEqual([{ prefix: '/a', failNext: { count: 2, fault: { kind: 'drop' } }, latencyMs: undefined }]);
  });

  it.each([
    [{ latencyMs: -1 }, 'rule.latencyMs'],
    [{ latencyMs: [5, 1] }, 'rule.latencyMs'],
    [{ failNext: { count: 1, fault: { kind: 'explode' } } }, 'rule.failNext.fault.kind must be one of'],
    [{ failNext: { count: 1, fault: { kind: 'status', status: 200 } } }, 'rule.failNext.fault.status'],
    [{ random: [{ rate: 0.1, fault: { kind: 'rate-limit', retryAfterForm: 'weeks' } }] }, 'retryAfterForm'],
    [[{ prefix: 3 }], 'rules[0].prefix'],
  ])('refuses %p naming the field', (rule, message) => {
    expect(() => parseFaultRules(rule)).toThrow(message);
  });
});

describe('emulators CLI arguments', () => {
  it('reads the options, with defaults', () => {
    expect(parseCliArgs([])).toMatchObject({
      misp: true,
      sekoia: true,
      seed: 1,
      attributes: undefined,
      host: '127.0.0.1',
    });
    expect(
      parseCliArgs(['--only', 'misp', '--attributes', '1000', '--seed', '9', '--misp-port', '0']),
    ).toMatchObject({
      misp: true,
      sekoia: false,
      attributes: 1000,
      seed: 9,
    });
  });

  it('refuses bad values naming the option', () => {
    expect(() => parseCliArgs(['--attributes', 'many'])).toThrow('--attributes must be a whole number');
    expect(() => parseCliArgs(['--only', 'both'])).toThrow('--only must be');
    expect(() => parseCliArgs(['--unknown'])).toThrow();
  });
});
