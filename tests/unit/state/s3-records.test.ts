import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeRecords, encodeRecords, type RecordGroup } from '../../../src/state/s3/records';

async function decode(body: Buffer): Promise<RecordGroup[]> {
  const groups: RecordGroup[] = [];
  for await (const group of decodeRecords(Readable.from([body]), 'delta-test')) groups.push(group);
  return groups;
}

describe('the lines of a saved object', () => {
  it('reads a line written by 1.1 (expiry and keys only) as keys of unknown record', async () => {
    const body = gzipSync('{"e":1700000000000,"k":["ipv4-addr.value|192.0.2.1","url.value|http://x/"]}\n');
    expect(await decode(body)).toEqual([
      { expires: 1700000000000, keys: ['ipv4-addr.value|192.0.2.1', 'url.value|http://x/'] },
    ]);
  });

  it('writes a batch without record as 1.1 did, and reads back validity, sources and forgets', async () => {
    const groups: RecordGroup[] = [
      { expires: 5, keys: ['a'] },
      {
        expires: 9,
        keys: ['b', 'c', 'd'],
        validUntil: 20,
        publishedAfter: 3,
        sources: [['uuid-b', '12'], null, ['uuid-d', '13', 4]],
      },
      { expires: 0, keys: ['b'], forget: true },
    ];
    const { body, keys } = await encodeRecords([groups]);
    expect(keys).toBe(5);
    expect(gunzipSync(body).toString('utf8').split('\n')[0]).toBe('{"e":5,"k":["a"]}');
    expect(await decode(body)).toEqual(groups);
  });

  it('groups exported records by expiry, validity and publish time, each key with its source', async () => {
    const { body } = await encodeRecords(
      (async function* () {
        yield [
          { key: 'a', expires: 5, validUntil: 20, publishedAfter: 3 },
          {
            key: 'b',
            expires: 5,
            validUntil: 20,
            publishedAfter: 3,
            source: ['uuid-b', '7'] as [string, string],
          },
          { key: 'c', expires: 5 },
        ];
      })(),
    );
    expect(await decode(body)).toEqual([
      { expires: 5, keys: ['a', 'b'], validUntil: 20, publishedAfter: 3, sources: [null, ['uuid-b', '7']] },
      { expires: 5, keys: ['c'] },
    ]);
  });

  it('a line whose sources do not match its keys is not a record group', async () => {
    const body = gzipSync('{"e":1,"k":["a","b"],"s":[["uuid","1"]]}\n');
    await expect(decode(body)).rejects.toThrow('line 1 of delta-test is not a record group');
  });
});
