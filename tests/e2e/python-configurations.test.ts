import { startForwardProxy, type LoopbackProxy } from '../helpers/proxy-server';
import {
  E2E_COLLECTION,
  E2E_MISP_KEY,
  E2E_SECRETS,
  E2E_SEKOIA_KEY,
  E2eWorld,
  PLACEHOLDER,
} from '../helpers/e2e-world';

/**
 * Configurations of the Python trigger, as its users have them, run unchanged (docs/user-guide.md#configurations-carried-over-from-the-previous-trigger):
 * nothing to edit when moving to this version, and the logs say what was read differently.
 */
describe('configurations carried over from the Python trigger (e2e)', () => {
  let world: E2eWorld;
  let proxy: LoopbackProxy;
  beforeEach(async () => {
    world = await E2eWorld.start();
    proxy = await startForwardProxy();
  });
  afterEach(async () => {
    await proxy.close();
    await world.close();
  });

  const shipped = (): string =>
    world.sekoia
      .logs()
      .map((log) => `${log.level} ${log.message}`)
      .join('\n');

  it('2.8.11: lookback_days as a digit string, verify_ssl false, sleep_time "600", a proxy without a scheme', async () => {
    const proxyWithoutScheme = proxy.url.replace(/^http:\/\//, '');
    // The proxies are secrets: the platform hands them over through url_secrets, like the keys.
    world.sekoia.settings.secrets = {
      misp_api_key: E2E_MISP_KEY,
      sekoia_api_key: E2E_SEKOIA_KEY,
      http_proxy: proxyWithoutScheme,
      https_proxy: proxyWithoutScheme,
    };
    const run = world.run(['--once'], {
      module: {
        misp_url: world.misp.url,
        misp_api_key: PLACEHOLDER,
        sekoia_api_key: PLACEHOLDER,
        http_proxy: PLACEHOLDER,
        https_proxy: PLACEHOLDER,
      },
      trigger: {
        ioc_collection_server: world.sekoia.url,
        ioc_collection_uuid: E2E_COLLECTION,
        lookback_days: '7',
        sleep_time: '600',
        verify_ssl: false,
      },
      // The proxy is on loopback: let the account's proxy apply to it.
      extra: { NO_PROXY: undefined },
    });
    await expect(run.exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
    // MISP was read through the proxy given without a scheme.
    expect(proxy.requests.some((request) => request.target.includes('/attributes/restSearch'))).toBe(true);

    const logs = shipped();
    expect(logs).toContain(
      'info lookback_days "7" (the Python trigger\'s name) is read as publish_timestamp.',
    );
    expect(logs).toMatch(/first run reads the last 7 day\(s\)/);
    expect(logs).toMatch(/poll every 600 s/);
    expect(logs).toMatch(/warning verify_ssl is false, but this trigger always verifies TLS certificates/);
    expect(logs).not.toMatch(/does not know/);
    expect(logs).not.toMatch(/^(error|critical) /m);
    for (const secret of [...E2E_SECRETS, proxyWithoutScheme]) {
      expect(world.everythingCaptured()).not.toContain(secret);
    }
  });

  it('the version of Sekoia.io\'s page: publish_timestamp "1", sleep_time 300, proxies left empty (null or "")', async () => {
    const run = world.run(['--once'], {
      module: {
        misp_url: world.misp.url,
        misp_api_key: PLACEHOLDER,
        sekoia_api_key: PLACEHOLDER,
        http_proxy: null,
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
    expect(proxy.requests).toEqual([]);
    const logs = shipped();
    expect(logs).not.toMatch(/does not know|lookback_days|verify_ssl/);
    expect(logs).not.toMatch(/^(error|critical) /m);
  });

  it('a field the form does not know is named once, with the field it is likely a typo of', async () => {
    const run = world.run(['--once'], {
      trigger: {
        ioc_collection_server: world.sekoia.url,
        ioc_collection_uuid: E2E_COLLECTION,
        publish_timestamps: 7,
      },
    });
    await expect(run.exit).resolves.toBe(0);
    expect(shipped()).toContain(
      'warning The trigger configuration holds a field this trigger does not know, ignored: "publish_timestamps" ' +
        '(did you mean "publish_timestamp"?). Correct or remove it in the trigger configuration.',
    );
  });

  it('--once exits non-zero when its cycle did not complete (MISP answering 503), 0 when it did', async () => {
    world.misp.faults.set([
      { prefix: '/attributes', failNext: { count: 100, fault: { kind: 'status', status: 503 } } },
    ]);
    const failed = world.run(['--once']);
    await expect(failed.exit).resolves.toBe(3);
    world.misp.faults.set([]);
    await expect(world.run(['--once']).exit).resolves.toBe(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
  });
});
