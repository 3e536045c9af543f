import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import triggerJson from '../../trigger_misp_ids_to_ioc.json';
import { SUPPORTED_TYPES } from '../../tools/emulators/misp';
import { countByFormat } from '../helpers/e2e-expected';
import { E2E_COLLECTION, E2E_SECRETS, E2eWorld, PLACEHOLDER } from '../helpers/e2e-world';

/** The results schema, compiled here: the event must be valid for the platform, not just for our code. */
function validateResult(event: unknown): string | undefined {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(triggerJson.results);
  return validate(event) ? undefined : ajv.errorsText(validate.errors);
}

describe('a full cycle against the team sample (in process, through main)', () => {
  let world: E2eWorld;
  beforeEach(async () => (world = await E2eWorld.start()));
  afterEach(() => world.close());

  it('fills the collection with exactly the expected IOCs, reports a valid event and ships the summary', async () => {
    const run = world.run(['--once']);
    await expect(run.exit).resolves.toBe(0);

    const expected = world.expected();
    expect(world.collectionIocs()).toEqual(expected.iocs);
    // The cases the sample was written for, spelled out.
    const held = world.collectionIocs().map((ioc) => `${ioc.format} ${ioc.value}`);
    expect(held).toEqual(
      expect.arrayContaining([
        'ipv6-addr.value 2001:db8:7a1::23',
        'ipv4-addr.value 198.51.100.24', // ip-dst|port: the address only
        'domain-name.value update.glasswing.test', // domain|ip: both parts
        'ipv4-addr.value 192.0.2.45',
        'file.hashes dc6e14131c4c113b8dff375da0ce43c4be7b7d98417303e450a866373ba296be', // lower-cased
        'file.hashes 9a02f67af46220338c183a8e774352c09f96e1fd78e310742b3c60ff7a3a301f', // filename|sha256
      ]),
    );
    const heldValues = world.collectionIocs().map((ioc) => ioc.value);
    for (const absent of [
      '192.0.2.200', // not IDS
      'example.com', // not IDS
      '198.51.100.99', // unpublished event
      'news-watering.example.net', // unpublished event
      '203.0.113.0/24', // CIDR junk
      '107.183.86', // url junk
      '7e38a74e1ee0f5b39df4e689a25b9a1', // truncated md5
      '98d14b33d8b9cff1f1952621cf7569c1a9e479e045099c8a6c5a1d9fd9af80b6', // deleted
      '8.8.8.8', // warninglisted
      'google.com', // warninglisted
      'AS64500', // unsupported type
    ]) {
      expect(heldValues).not.toContain(absent.toLowerCase());
    }

    const events = world.sekoia.events();
    expect(events).toHaveLength(1);
    expect(events[0].name).toBe('MISP IDS attributes pushed');
    expect(validateResult(events[0].event)).toBeUndefined();
    expect(events[0].event).toMatchObject({
      iocs_pushed: expected.iocs.length,
      iocs_by_format: countByFormat(expected.iocs),
      skipped: { invalid_value: expected.junk, already_pushed: 0, rejected: 0 },
    });
    const shipped = world.sekoia.logs();
    for (const log of shipped) {
      expect(log).toEqual({
        date: expect.stringMatching(/Z$/),
        level: expect.any(String),
        message: expect.any(String),
      });
    }
    expect(shipped.map((log) => log.message).join('\n')).toMatch(
      new RegExp(`Cycle done in .*pushed ${expected.iocs.length} IOCs`),
    );
    expect(world.collectionIocs().length).toBeGreaterThan(15);
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
  });

  it('pushes every supported type, e-mail addresses and sha512 included, when attribute_types lists them all', async () => {
    const run = world.run(['--once'], {
      trigger: {
        ioc_collection_server: world.sekoia.url,
        ioc_collection_uuid: E2E_COLLECTION,
        attribute_types: [...SUPPORTED_TYPES],
      },
    });
    await expect(run.exit).resolves.toBe(0);
    const expected = world.expected(SUPPORTED_TYPES);
    expect(world.collectionIocs()).toEqual(expected.iocs);
    expect(Object.keys(countByFormat(expected.iocs)).sort()).toEqual([
      'domain-name.value',
      'email-addr.value',
      'file.hashes',
      'ipv4-addr.value',
      'ipv6-addr.value',
      'url.value',
    ]);
  });

  it('accepts a configuration carried over from the Python trigger (publish_timestamp "1", seed fields only)', async () => {
    const run = world.run(['--once'], {
      module: {
        misp_url: world.misp.url,
        misp_api_key: PLACEHOLDER,
        sekoia_api_key: PLACEHOLDER,
        http_proxy: '',
        https_proxy: '',
      },
      trigger: {
        ioc_collection_server: world.sekoia.url,
        ioc_collection_uuid: E2E_COLLECTION,
        publish_timestamp: '1',
        sleep_time: 300,
      },
    });
    await expect(run.exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
    expect(run.console.text).not.toMatch(/CRITICAL|ERROR/);
  });

  it('pushes nothing in a dry run, and the trigger says what it would push', async () => {
    const run = world.run(['--once', '--dry-run']);
    await expect(run.exit).resolves.toBe(0);
    expect(world.sekoia.collection(E2E_COLLECTION).valuesReceived).toBe(0);
    expect(world.sekoia.events()).toEqual([]);
    expect(run.console.text).toContain('Would push: ipv4-addr.value');
    expect(run.console.text).toContain('"2001:db8:7a1::23"');
    // The dry run recorded nothing: a real run afterwards pushes everything.
    await expect(world.run(['--once']).exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
  });
});
