import { ConfigurationError } from '../../../src/errors';
import {
  MispModuleConfiguration,
  MispTriggerConfiguration,
  normaliseConfiguration,
  publishDaysOf,
} from '../../../src/trigger/config';
import {
  catchUpWarning,
  computeWindow,
  CURSOR_OVERLAP_MS,
  historyNotice,
  pushedKeyTtlMs,
  toEpochSeconds,
  validUntilOf,
} from '../../../src/trigger/window';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 28, 8, 0, 0);

describe('computeWindow: history on demand', () => {
  const cursor = NOW - 300_000;

  it('reads the raised window once when publish_timestamp is larger than the window applied', () => {
    const window = computeWindow(NOW, cursor, 7, 1);
    expect(window).toMatchObject({ startMs: NOW - 7 * DAY, endMs: NOW, historyFromDays: 1 });
    expect(historyNotice(window, 7)).toBe(
      'publish_timestamp was raised from 1 to 7 days: this cycle reads the events published since ' +
        '2026-11-21 08:00 UTC once (values already pushed are skipped), then the trigger goes on from where it stopped.',
    );
  });

  it.each([
    ['the same window', 7, 7],
    ['a smaller window', 3, 7],
    ['a window unknown (state of 1.0.x)', 7, undefined],
  ])('goes on from the cursor with %s', (_case, publishDays, applied) => {
    const window = computeWindow(NOW, cursor, publishDays, applied);
    expect(window).toEqual({ startMs: cursor - CURSOR_OVERLAP_MS, endMs: NOW, capDays: 30 });
    expect(historyNotice(window, publishDays)).toBeUndefined();
  });

  it('reads no history on a first run: the window is publish_timestamp already', () => {
    expect(computeWindow(NOW, undefined, 7, 1).historyFromDays).toBeUndefined();
  });

  it('tells, after a long stop, how to read what the cap left out', () => {
    const warning = catchUpWarning(computeWindow(NOW, NOW - 45 * DAY, 1, 1));
    expect(warning).toMatch(
      /raise publish_timestamp above 30 days \(up to 365\); the next cycle reads that history once\.$/,
    );
  });
});

describe('computeWindow', () => {
  it('looks back publish_timestamp days on the first run', () => {
    const window = computeWindow(NOW, undefined, 3);
    expect(window).toMatchObject({ startMs: NOW - 3 * DAY, endMs: NOW });
    expect(catchUpWarning(window)).toBeUndefined();
  });

  it('does not cap a first run that asks for more than 30 days', () => {
    expect(computeWindow(NOW, undefined, 90).startMs).toBe(NOW - 90 * DAY);
  });

  it('starts from the cursor minus the 10-minute overlap on later runs', () => {
    const cursor = NOW - 5 * 60_000;
    const window = computeWindow(NOW, cursor, 1);
    expect(CURSOR_OVERLAP_MS).toBe(10 * 60_000);
    expect(window).toMatchObject({ startMs: cursor - CURSOR_OVERLAP_MS, endMs: NOW });
    expect(window.cappedAfterDays).toBeUndefined();
  });

  it('catches up a stop longer than the publish window, up to 30 days', () => {
    const cursor = NOW - 20 * DAY;
    expect(computeWindow(NOW, cursor, 1).startMs).toBe(cursor - CURSOR_OVERLAP_MS);
  });

  it('caps the catch-up at 30 days and says so', () => {
    const window = computeWindow(NOW, NOW - 45 * DAY, 1);
    expect(window.startMs).toBe(NOW - 30 * DAY);
    expect(window.cappedAfterDays).toBe(45);
    expect(catchUpWarning(window)).toMatch(
      /^The trigger was stopped 45 days; only the last 30 days are read \(events published since 2026-10-29 08:00 UTC\)/,
    );
  });

  it('uses the publish window as the cap when it is longer than 30 days', () => {
    const window = computeWindow(NOW, NOW - 100 * DAY, 60);
    expect(window.startMs).toBe(NOW - 60 * DAY);
    expect(catchUpWarning(window)).toContain('only the last 60 days');
  });

  it('never starts after now when the cursor is in the future (clock moved back)', () => {
    const window = computeWindow(NOW, NOW + 3_600_000, 1);
    expect(window.startMs).toBeLessThanOrEqual(NOW);
  });

  it('gives MISP epoch seconds', () => {
    expect(toEpochSeconds(NOW + 999)).toBe(NOW / 1000);
  });
});

describe('pushedKeyTtlMs', () => {
  it('is half of ioc_validity_days so an IOC seen again is re-pushed with half its validity left', () => {
    expect(pushedKeyTtlMs('ipv4-addr.value', 10)).toBe(5 * DAY);
    expect(pushedKeyTtlMs('domain-name.value', 10)).toBe(5 * DAY);
  });
  it('is at least one day', () => {
    expect(pushedKeyTtlMs('url.value', 1)).toBe(DAY);
  });
  it("without validity, never outlives Sekoia.io's default validity of the type (half of it)", () => {
    // 30 days for IP addresses: a key kept 30 days or more would skip an IP Sekoia.io already expired.
    expect(pushedKeyTtlMs('ipv4-addr.value', undefined)).toBe(15 * DAY);
    expect(pushedKeyTtlMs('ipv6-addr.value', undefined)).toBe(15 * DAY);
    // 6 months for domains and URLs.
    expect(pushedKeyTtlMs('domain-name.value', undefined)).toBe(90 * DAY);
    expect(pushedKeyTtlMs('url.value', undefined)).toBe(90 * DAY);
    // No documented default: the shortest documented one is assumed.
    expect(pushedKeyTtlMs('file.hashes', undefined)).toBe(15 * DAY);
    expect(pushedKeyTtlMs('email-addr.value', undefined)).toBe(15 * DAY);
  });
});

describe('validUntilOf', () => {
  it('is now + validity in ISO UTC without milliseconds', () => {
    expect(validUntilOf(NOW + 123, 3)).toBe('2026-12-01T08:00:00Z');
  });
  it('is undefined without validity', () => {
    expect(validUntilOf(NOW, undefined)).toBeUndefined();
  });
});

describe('configuration', () => {
  const module: MispModuleConfiguration = {
    misp_url: 'https://misp.example.com/',
    misp_api_key: 'misp-key',
    sekoia_api_key: 'sekoia-key',
    https_proxy: '',
  };
  const trigger: MispTriggerConfiguration = {
    ioc_collection_server: 'https://api.sekoia.io',
    sekoia_region: 'FRA1 (app.sekoia.io)',
    ioc_collection_uuid: 'ioc-collection--00000000-0000-4000-8000-000000000001',
    publish_timestamp: '1',
    sleep_time: 300,
    attribute_types: ['ip-dst', 'domain'],
    enforce_warninglist: true,
    reconcile_every_hours: 24,
    collection_check_every_hours: 24,
    revoke_withdrawn: false,
  };

  it('accepts publish_timestamp "1" as the Python trigger did', () => {
    expect(publishDaysOf('1')).toBe(1);
    expect(publishDaysOf(' 7 ')).toBe(7);
    expect(publishDaysOf(30)).toBe(30);
    expect(normaliseConfiguration(module, trigger, { dryRun: false }).publishDays).toBe(1);
  });

  it('refuses a publish_timestamp that is not a whole number of days, naming the field', () => {
    expect(() => publishDaysOf('1d')).toThrow(/publish_timestamp/);
    expect(() => publishDaysOf(0)).toThrow(ConfigurationError);
  });

  it('normalises empty proxies to none, and the URL without a trailing slash', () => {
    const settings = normaliseConfiguration(module, trigger, { dryRun: false });
    expect(settings.httpsProxy).toBeUndefined();
    expect(settings.mispUrl).toBe('https://misp.example.com');
    expect([...settings.attributeTypes]).toEqual(['ip-dst', 'domain']);
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('requires sekoia_api_key to push, and says where to add it', () => {
    const withoutKey = { ...module, sekoia_api_key: undefined };
    let caught: unknown;
    try {
      normaliseConfiguration(withoutKey, trigger, { dryRun: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as ConfigurationError).fields).toEqual(['sekoia_api_key']);
    expect((caught as Error).message).toMatch(/sekoia_api_key.*account form/);
    expect((caught as ConfigurationError).fatal).toBe(true);
  });

  it('does not require sekoia_api_key in a dry run', () => {
    const settings = normaliseConfiguration({ ...module, sekoia_api_key: '  ' }, trigger, { dryRun: true });
    expect(settings.sekoiaApiKey).toBeUndefined();
  });
});
