import { carryOverConfiguration } from '../../../src/trigger/carry-over';
import { normaliseConfiguration, proxyUrlOf, sekoiaServerOf } from '../../../src/trigger/config';
import { SEKOIA_REGION_APIS } from '../../../src/trigger/regions';
import triggerJson from '../../../trigger_misp_ids_to_ioc.json';
import { moduleConfiguration, triggerConfiguration } from './support';

const account = { misp_url: 'https://misp.example.com', misp_api_key: 'k', sekoia_api_key: 's' };

describe('carryOverConfiguration (configurations of the Python trigger)', () => {
  it('reads lookback_days as publish_timestamp, and says so', () => {
    const carried = carryOverConfiguration({
      module: account,
      trigger: { lookback_days: '7', sleep_time: '600' },
    });
    expect(carried.trigger).toEqual({ publish_timestamp: '7', sleep_time: '600' });
    expect(carried.notices).toEqual([
      {
        level: 'info',
        message: 'lookback_days "7" (the Python trigger\'s name) is read as publish_timestamp.',
      },
    ]);
  });

  it('keeps publish_timestamp when both are set, with a warning', () => {
    const carried = carryOverConfiguration({
      module: account,
      trigger: { lookback_days: '7', publish_timestamp: 3 },
    });
    expect(carried.trigger).toEqual({ publish_timestamp: 3 });
    expect(carried.notices).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(/publish_timestamp is used/),
      }),
    ]);
  });

  it('takes lookback_days when publish_timestamp is left empty', () => {
    const carried = carryOverConfiguration({
      module: account,
      trigger: { lookback_days: 7, publish_timestamp: null },
    });
    expect(carried.trigger).toEqual({ publish_timestamp: 7 });
  });

  it.each([false, 'false', 0, '0'])('warns once that TLS is always verified for verify_ssl %p', (value) => {
    const carried = carryOverConfiguration({ module: account, trigger: { verify_ssl: value } });
    expect(carried.trigger).toEqual({});
    expect(carried.notices).toHaveLength(1);
    expect(carried.notices[0].level).toBe('warning');
    expect(carried.notices[0].message).toMatch(/always verifies TLS.*MISP CA Certificate \(PEM\)/);
  });

  it('drops verify_ssl true without a word: it is what the trigger does', () => {
    expect(carryOverConfiguration({ module: account, trigger: { verify_ssl: true } })).toEqual({
      module: account,
      trigger: {},
      notices: [],
    });
  });

  it('changes nothing in a configuration of this version', () => {
    const trigger = { ioc_collection_uuid: 'x', publish_timestamp: 2 };
    expect(carryOverConfiguration({ module: account, trigger })).toEqual({
      module: account,
      trigger,
      notices: [],
    });
  });
});

describe('proxies and the Sekoia.io server in the settings', () => {
  it.each([
    ['proxy.corp:3128', 'http://proxy.corp:3128'],
    ['user:secret@proxy.corp:3128', 'http://user:secret@proxy.corp:3128'],
    ['https://proxy.corp:3128', 'https://proxy.corp:3128'],
    [' http://proxy.corp:8080 ', 'http://proxy.corp:8080'],
    ['', undefined],
    [undefined, undefined],
  ])('proxy %p is used as %p', (given, used) => {
    expect(proxyUrlOf(given)).toBe(used);
  });

  it('reads the account proxies through proxyUrlOf', () => {
    const settings = normaliseConfiguration(
      moduleConfiguration({ https_proxy: 'proxy.corp:3128' }),
      triggerConfiguration(),
      { dryRun: false },
    );
    expect(settings.httpsProxy).toBe('http://proxy.corp:3128');
  });

  it('offers in the form exactly the regions the code knows, FRA1 by default', () => {
    const region = triggerJson.arguments.properties.sekoia_region;
    expect(region.enum).toEqual(Object.keys(SEKOIA_REGION_APIS));
    expect(region.default).toBe('FRA1 (app.sekoia.io)');
  });

  it.each(Object.entries(SEKOIA_REGION_APIS))('region %s pushes to %s', (region, api) => {
    expect(sekoiaServerOf(triggerConfiguration({ sekoia_region: region }))).toBe(api);
  });

  it('lets a custom ioc_collection_server win over the region', () => {
    const trigger = triggerConfiguration({
      sekoia_region: 'USA1 (app.usa1.sekoia.io)',
      ioc_collection_server: 'https://gateway.example.com/sekoia',
    });
    expect(sekoiaServerOf(trigger)).toBe('https://gateway.example.com/sekoia');
    expect(sekoiaServerOf(triggerConfiguration())).toBe('https://api.sekoia.io');
  });
});
