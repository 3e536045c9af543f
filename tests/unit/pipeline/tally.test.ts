import { SkipTally, formatInvalidValuesWarning } from '../../../src/pipeline/tally';
import { formatCountsByFormat } from '../../../src/pipeline/summary';
import type { SekoiaFormat } from '../../../src/sekoia/types';

const invalid = (type: string, example: string, detail: string) =>
  ({ reason: 'invalid_value', type, example, detail }) as const;

describe('SkipTally', () => {
  it('counts by reason, invalid values by type, and keeps at most 3 examples per type', () => {
    const tally = new SkipTally();
    for (let i = 0; i < 10; i += 1)
      tally.record(invalid('ip-dst', `10.${i}.0.0/16`, 'CIDR range, not an address'));
    tally.record(invalid('url', '107.183.86', 'not a URL'));
    tally.record(invalid('url', 'igfxtray.exe', 'not a URL'));
    tally.record({ reason: 'unsupported_type', type: 'ssdeep', example: 'x', detail: 'not supported' });
    tally.count('already_pushed', 40);
    tally.count('rejected', 0);
    expect(tally.counts()).toEqual({ invalid_value: 12, unsupported_type: 1, already_pushed: 40 });
    expect(tally.invalidCountsByType()).toEqual([
      ['ip-dst', 10],
      ['url', 2],
    ]);
    // One example of each type first, most frequent type first.
    expect(tally.examples().map((e) => e.example)).toEqual(['10.0.0.0/16', '107.183.86', '10.1.0.0/16']);
  });

  it('formats the one warning line of a cycle', () => {
    const tally = new SkipTally();
    for (let i = 0; i < 10; i += 1)
      tally.record(invalid('ip-dst', '10.0.0.0/8', 'CIDR range, not an address'));
    tally.record(
      invalid('url', '107.183.86', 'not a URL: no scheme (e.g. http://) and no host name or address'),
    );
    tally.record(
      invalid('url', 'Data/glp.uin', 'not a URL: no scheme (e.g. http://) and no host name or address'),
    );
    expect(formatInvalidValuesWarning(tally)).toBe(
      '12 MISP attribute values were skipped because they are invalid (ip-dst: 10, url: 2), ' +
        'e.g. ip-dst "10.0.0.0/8" (CIDR range, not an address); ' +
        'url "107.183.86" (not a URL: no scheme (e.g. http://) and no host name or address); ' +
        'ip-dst "10.0.0.0/8" (CIDR range, not an address). The other attributes were processed. ' +
        'Fix these values in MISP, or clear their IDS flag (to_ids), to silence this warning.',
    );
  });

  it('says it in the singular for one value, and says nothing without invalid values', () => {
    const tally = new SkipTally();
    tally.record({ reason: 'unsupported_type', type: 'ssdeep', example: 'x', detail: 'not supported' });
    expect(formatInvalidValuesWarning(tally)).toBeUndefined();
    tally.record(invalid('md5', 'abc', 'md5 hash of 3 hexadecimal characters, expected 32'));
    expect(formatInvalidValuesWarning(tally)).toMatch(
      /^1 MISP attribute value was skipped because it is invalid \(md5: 1\)/,
    );
  });
});

describe('formatCountsByFormat', () => {
  it('lists formats in the SEKOIA_FORMATS order, zeros left out', () => {
    const counts: Partial<Record<SekoiaFormat, number>> = {
      'url.value': 12,
      'ipv4-addr.value': 300,
      'file.hashes': 0,
    };
    expect(formatCountsByFormat(counts)).toBe('ipv4-addr.value 300, url.value 12');
    expect(formatCountsByFormat({})).toBe('none');
  });
});
