import fc from 'fast-check';
import { sourceOfAttribute } from '../../src/pipeline/source';
import { hasUnsafeCharacter } from '../../src/pipeline/text';
import { checkDomainName } from '../../src/pipeline/values/domain';
import { checkIpAddress, isIpv4Address } from '../../src/pipeline/values/ip';

/**
 * The character loops that replaced regexes in the mapping's hot path (for the trigger's CPU) say
 * exactly what the regexes said: each is checked here against the regex it replaced.
 */

const RUNS = { numRuns: 5000 };

/** Strings mostly made of `alphabet`, with now and then any other UTF-16 code unit. */
function stringsOf(alphabet: string, maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...alphabet.split('')) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
  );
  return fc.array(unit, { maxLength }).map((units) => units.join(''));
}

/** What ipv4Problem said with a regex and a split. */
function ipv4ProblemByRegex(text: string): string | undefined {
  if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(text)) return 'not an IPv4 or IPv6 address';
  for (const octet of text.split('.')) {
    if (octet.length > 1 && octet.startsWith('0')) return 'IPv4 octet with a leading zero';
    if (Number(octet) > 255) return 'IPv4 octet above 255';
  }
  return undefined;
}

/** Near-quads: three to five runs of zero to four digits (zeros often), joined by dots. */
const quads = fc
  .array(stringsOf('0012345679', 4), { minLength: 3, maxLength: 5 })
  .map((runs) => runs.join('.'));

describe('the IPv4 check', () => {
  it('accepts and refuses (with the same reason) what the regex did', () => {
    fc.assert(
      fc.property(fc.oneof(stringsOf('0123456789.', 20), quads), (text) => {
        // Without ':', '/', '%', '[': checkIpAddress goes straight to the IPv4 check.
        fc.pre(!/[:/%[]/.test(text) && text !== '');
        const problem = ipv4ProblemByRegex(text);
        const check = checkIpAddress(text);
        expect(check.ok ? undefined : check.detail).toBe(problem);
      }),
      RUNS,
    );
  });

  it('tells each reason on the octet that has it', () => {
    expect(checkIpAddress('1.2.3.4')).toEqual({
      ok: true,
      ioc: { format: 'ipv4-addr.value', value: '1.2.3.4' },
    });
    for (const text of [
      '1.2.3',
      '1.2.3.4.5',
      '1..3.4',
      '.1.2.3',
      '1.2.3.',
      '1.2.3.1234',
      '1.2.3.x',
      '१.2.3.4',
    ]) {
      expect(checkIpAddress(text)).toMatchObject({ ok: false, detail: 'not an IPv4 or IPv6 address' });
    }
    expect(checkIpAddress('256.01.1.1')).toMatchObject({ detail: 'IPv4 octet above 255' });
    expect(checkIpAddress('1.01.256.1')).toMatchObject({ detail: 'IPv4 octet with a leading zero' });
    expect(checkIpAddress('1.2.3.00')).toMatchObject({ detail: 'IPv4 octet with a leading zero' });
    expect(checkIpAddress('0.0.0.0')).toMatchObject({ ok: true });
  });
});

describe('the source of an attribute', () => {
  it('takes the uuid and the event id that the regexes took', () => {
    const uuids = fc.oneof(
      stringsOf('0123456789abcdefABCXYZxyz-', 70),
      fc.constantFrom('a'.repeat(64), 'a'.repeat(65), ''),
    );
    const ids = fc.oneof(stringsOf('0123456789', 22), fc.integer(), fc.double());
    fc.assert(
      fc.property(uuids, ids, (uuid, eventId) => {
        const id = String(eventId);
        const expected = /^[0-9A-Za-z-]{1,64}$/.test(uuid) && /^\d{1,19}$/.test(id);
        const source = sourceOfAttribute({ uuid, event_id: eventId });
        expect(source).toEqual(expected ? { attributeUuid: uuid, eventId: id } : undefined);
      }),
      RUNS,
    );
  });
});

describe('hasUnsafeCharacter', () => {
  it('finds what the regex alone found', () => {
    const unsafe =
      // eslint-disable-next-line no-control-regex -- the regex the loop stands before
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
    const texts = fc.oneof(
      stringsOf('ab.-/:1 ~\u007f\u0080\u009f\u00a0\u2028\u200e\u202a\u2066\ud800\udc00é', 30),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(hasUnsafeCharacter(text)).toBe(unsafe.test(text));
      }),
      RUNS,
    );
  });
});

/** What asciiNameProblem said with a split and regexes. */
function asciiNameProblemByRegex(name: string): string | undefined {
  if (name.length > 253) return 'longer than 253 characters';
  const labels = name.split('.');
  if (labels.length < 2) return 'a single label, not a domain name';
  for (const label of labels) {
    if (label === '') return 'empty label (two dots in a row, or a leading dot)';
    if (label.length > 63) return 'label longer than 63 characters';
    if (!/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(label)) {
      return 'invalid label (letters, digits, "-" and "_" only; no "-" at either end)';
    }
  }
  const tld = labels[labels.length - 1] ?? '';
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld)) {
    return 'invalid top-level domain (letters, or xn-- punycode)';
  }
  return undefined;
}

describe('the domain name check', () => {
  it('accepts and refuses (with the same reason) what the regexes did', () => {
    const long = fc.constantFrom(
      'a'.repeat(63),
      'b'.repeat(64),
      'c'.repeat(59),
      'xn--' + 'd'.repeat(59),
      'e'.repeat(250),
    );
    const parts = fc.oneof(
      { weight: 4, arbitrary: stringsOf('abxnz019_-', 8) },
      { weight: 1, arbitrary: long },
    );
    const names = fc.oneof(
      fc.array(parts, { minLength: 1, maxLength: 5 }).map((labels) => labels.join('.')),
      stringsOf('abxn01_-.', 20),
    );
    fc.assert(
      fc.property(names, (text) => {
        // What normaliseDomainName refuses before the name check, or changes, is not generated.
        fc.pre(text !== '' && !/[\s*/:@?#A-Z\u0080-\uffff]/.test(text) && !isIpv4Address(text));
        const name = text.endsWith('.') ? text.slice(0, -1) : text;
        const problem = asciiNameProblemByRegex(name);
        const check = checkDomainName(text);
        expect(check.ok ? undefined : check.detail).toBe(problem);
      }),
      RUNS,
    );
  });
});
