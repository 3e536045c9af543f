import { Redactor, secretValuesOf } from '../../src/redactor';

describe('Redactor', () => {
  it('masks each secret wherever it appears, also in its JSON and URL forms', () => {
    const redactor = new Redactor(['abc"def/ghi', 'plainsecret']);
    expect(redactor.redact('x plainsecret y plainsecret')).toBe('x *** y ***');
    expect(redactor.redact(JSON.stringify({ key: 'abc"def/ghi' }))).toBe('{"key":"***"}');
    expect(redactor.redact(`https://h/?k=${encodeURIComponent('abc"def/ghi')}`)).toBe('https://h/?k=***');
  });

  it('masks the longest secret first, ignores short values and non-strings', () => {
    const redactor = new Redactor(['secret-one', 'secret-one-longer', 'short', 42, undefined]);
    expect(redactor.redact('secret-one-longer and secret-one, short')).toBe('*** and ***, short');
  });

  it('masks user:password in URLs', () => {
    expect(new Redactor().redact('via https://bob:hunter2@proxy:8080/x')).toBe(
      'via https://***@proxy:8080/x',
    );
    expect(new Redactor().redact('https://proxy:8080/x')).toBe('https://proxy:8080/x');
  });

  it('picks the values of the secret fields', () => {
    expect(secretValuesOf({ a: 'x', b: 'y', c: 'z' }, ['a', 'c'])).toEqual(['x', 'z']);
  });
});
