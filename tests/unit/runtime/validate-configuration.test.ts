import { ConfigurationError } from '../../../src/errors';
import { patternTemplate } from '../../../src/runtime/config-problems';
import { loadManifest, loadTriggerFile } from '../../../src/runtime/module-files';
import { createAjv } from '../../../src/runtime/schema';
import { validateConfigurations } from '../../../src/runtime/validate-configuration';
import {
  MISP_KEY,
  REPO_ROOT,
  SEKOIA_KEY,
  TRIGGER_FILE,
  VALID_COLLECTION,
} from '../../helpers/runtime-fixtures';

const manifest = loadManifest(REPO_ROOT);
const triggerFile = loadTriggerFile(TRIGGER_FILE, REPO_ROOT);
const goodModule = {
  misp_url: 'https://misp.example.com',
  misp_api_key: MISP_KEY,
  sekoia_api_key: SEKOIA_KEY,
};

function validate(
  moduleConfiguration: Record<string, unknown>,
  triggerConfiguration: Record<string, unknown>,
  optionalAccountFields: string[] = [],
) {
  return validateConfigurations<Record<string, unknown>, Record<string, unknown>>({
    ajv: createAjv(),
    manifest,
    triggerFile,
    moduleConfiguration,
    triggerConfiguration,
    optionalAccountFields,
  });
}

function problemOf(
  moduleConfiguration: Record<string, unknown>,
  triggerConfiguration: Record<string, unknown>,
  optionalAccountFields: string[] = [],
) {
  try {
    validate(moduleConfiguration, triggerConfiguration, optionalAccountFields);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('validateConfigurations (with the repository schemas)', () => {
  it('applies the defaults of the trigger schema and freezes the result', () => {
    const input = { ioc_collection_uuid: VALID_COLLECTION };
    const { triggerConfiguration, moduleConfiguration } = validate(goodModule, input);
    expect(triggerConfiguration).toMatchObject({
      sekoia_region: 'FRA1 (app.sekoia.io)',
      publish_timestamp: 1,
      sleep_time: 300,
      enforce_warninglist: true,
      reconcile_every_hours: 24,
      revoke_withdrawn: false,
    });
    const properties = triggerFile.arguments.properties as Record<string, { default?: unknown }>;
    expect(triggerConfiguration.attribute_types).toEqual(properties.attribute_types.default);
    expect(triggerConfiguration.attribute_types).toContain('ip-dst');
    expect(Object.isFrozen(triggerConfiguration)).toBe(true);
    expect(Object.isFrozen(triggerConfiguration.attribute_types)).toBe(true);
    expect(Object.isFrozen(moduleConfiguration)).toBe(true);
    expect(input).toEqual({ ioc_collection_uuid: VALID_COLLECTION });
  });

  it('accepts publish_timestamp as a numeric string and leaves it as given', () => {
    const { triggerConfiguration } = validate(goodModule, {
      ioc_collection_uuid: VALID_COLLECTION,
      publish_timestamp: '1',
    });
    expect(triggerConfiguration.publish_timestamp).toBe('1');
  });

  it.each([
    [
      { ioc_collection_uuid: 'ioc-collection--nope' },
      'ioc_collection_uuid',
      /"ioc-collection--nope"; it must be of the form ioc-collection--xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx \(each x a hexadecimal digit, 0-9 or a-f\)\. Fix/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, sleep_time: 10 },
      'sleep_time',
      /sleep_time \("Sleep Time"\) is 10; it must be at least 60/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, publish_timestamp: 'yesterday' },
      'publish_timestamp',
      /"yesterday"; it must be as the form describes it: "A number of days, 1 to 365/,
    ],
    [
      // The schema's maximum applies to numbers only: its pattern bounds the string form too.
      { ioc_collection_uuid: VALID_COLLECTION, publish_timestamp: '500' },
      'publish_timestamp',
      /"500"; it must be as the form describes it: "A number of days, 1 to 365/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, publish_timestamp: 0 },
      'publish_timestamp',
      /is 0; it must be at least 1/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, sleep_time: '5 minutes' },
      'sleep_time',
      /is "5 minutes"; it must be a whole number/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, sleep_time: '30' },
      'sleep_time',
      /sleep_time \("Sleep Time"\) is 30; it must be at least 60/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, sekoia_region: 'EU' },
      'sekoia_region',
      /"EU"; it must be one of "FRA1 \(app.sekoia.io\)"/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, attribute_types: ['ip-dst', 'bogus'] },
      'attribute_types[1]',
      /"bogus"; it must be one of "ip-dst"/,
    ],
    [
      {},
      'ioc_collection_uuid',
      /ioc_collection_uuid \("IOC Collection UUID"\) is missing; it is required\. Set it in the trigger configuration/,
    ],
  ])('names the one invalid trigger field %#', (trigger, field, message) => {
    const error = problemOf(goodModule, trigger);
    expect(error.fields).toEqual([field]);
    expect(error.message).toMatch(/^Invalid configuration, the trigger cannot start \(1 problem\): /);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(
      /Fix it in the trigger configuration\.|Set it in the trigger configuration\./,
    );
  });

  it('names an invalid account field and where to fix it', () => {
    const error = problemOf(
      { ...goodModule, misp_url: 'misp.example.com' },
      { ioc_collection_uuid: VALID_COLLECTION },
    );
    expect(error.fields).toEqual(['misp_url']);
    expect(error.message).toMatch(
      /misp_url \("MISP URL"\) is "misp.example.com"; it must be a URL starting with http:\/\/ or https:\/\/\. Fix it in the account form\./,
    );
  });

  it('never prints the value of a secret field', () => {
    const badKey = { misp_url: 'https://misp.example.com', misp_api_key: 42, sekoia_api_key: '' };
    const error = problemOf(badKey, { ioc_collection_uuid: VALID_COLLECTION });
    expect(error.fields).toEqual(['misp_api_key', 'sekoia_api_key']);
    expect(error.message).toMatch(/misp_api_key \("MISP API Key"\) is \(value hidden\); it must be text/);
    expect(error.message).toMatch(
      /sekoia_api_key \("Sekoia API Key"\) is \(value hidden\); it must be not empty/,
    );
    expect(error.message).not.toMatch(/42/);
  });

  it('lists every problem of both configurations in one error', () => {
    const error = problemOf(
      { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY },
      { ioc_collection_uuid: 'x', sleep_time: 1 },
    );
    expect(error.fields).toEqual(['misp_url', 'ioc_collection_uuid', 'sleep_time']);
    expect(error.message).toMatch(
      /\(3 problems\): \(1\) misp_url .* \(2\) ioc_collection_uuid .* \(3\) sleep_time/,
    );
  });
});

const accountProperties = manifest.configuration.properties as Record<string, unknown>;
const triggerProperties = triggerFile.arguments.properties as Record<string, unknown>;
const accountRequired = manifest.configuration.required as string[];
const triggerRequired = triggerFile.arguments.required as string[];
const optionalAccount = Object.keys(accountProperties).filter((field) => !accountRequired.includes(field));
const optionalTrigger = Object.keys(triggerProperties).filter((field) => !triggerRequired.includes(field));

describe('empty optional fields, as the platform sends them (docs/apis.md#command-and-configuration-values)', () => {
  const goodTrigger = { ioc_collection_uuid: VALID_COLLECTION };
  const defaults = validate(goodModule, goodTrigger);

  it('covers every optional field of both forms', () => {
    expect(optionalAccount).toEqual(
      expect.arrayContaining(['misp_ca_certificate', 'http_proxy', 'https_proxy']),
    );
    expect(optionalTrigger).toEqual(
      expect.arrayContaining(['publish_timestamp', 'sleep_time', 'ioc_validity_days', 'include_tags']),
    );
  });

  describe.each([null, '', '  '])('given as %p', (empty) => {
    it.each(optionalAccount)('account field %s is absent', (field) => {
      const { moduleConfiguration } = validate({ ...goodModule, [field]: empty }, goodTrigger);
      expect(moduleConfiguration).toEqual(defaults.moduleConfiguration);
      expect(field in moduleConfiguration).toBe(false);
    });

    it.each(optionalTrigger)('trigger field %s is absent, or takes its default', (field) => {
      const { triggerConfiguration } = validate(goodModule, { ...goodTrigger, [field]: empty });
      expect(triggerConfiguration).toEqual(defaults.triggerConfiguration);
    });
  });

  it.each(accountRequired)('a required account field given as null is missing: %s', (field) => {
    const error = problemOf({ ...goodModule, [field]: null }, goodTrigger);
    expect(error.fields).toEqual([field]);
    expect(error.message).toMatch(new RegExp(`${field} \\(".*"\\) is missing; it is required`));
  });

  it('a required field given as empty text stays an error (a real one)', () => {
    expect(problemOf(goodModule, { ioc_collection_uuid: '' }).fields).toEqual(['ioc_collection_uuid']);
    expect(problemOf({ ...goodModule, misp_url: '' }, goodTrigger).fields).toEqual(['misp_url']);
  });

  it('a wrong value of an optional field stays an error', () => {
    expect(problemOf(goodModule, { ...goodTrigger, ioc_validity_days: 0 }).fields).toEqual([
      'ioc_validity_days',
    ]);
    expect(problemOf({ ...goodModule, https_proxy: 'socks5://proxy:1080' }, goodTrigger).message).toMatch(
      /https_proxy \("HTTPS Proxy"\) is \(value hidden\); it must be empty, or a proxy address/,
    );
  });
});

describe('values carried over from the Python trigger', () => {
  it('reads digit strings of integer fields as numbers', () => {
    const { triggerConfiguration } = validate(goodModule, {
      ioc_collection_uuid: VALID_COLLECTION,
      sleep_time: '600',
      ioc_validity_days: ' 90 ',
    });
    expect(triggerConfiguration).toMatchObject({ sleep_time: 600, ioc_validity_days: 90 });
  });

  it('accepts proxies without a scheme, and with user:password@', () => {
    const { moduleConfiguration } = validate(
      { ...goodModule, https_proxy: 'proxy.corp:3128', http_proxy: 'http://user:pw@proxy.corp:3128' },
      { ioc_collection_uuid: VALID_COLLECTION },
    );
    expect(moduleConfiguration).toMatchObject({ https_proxy: 'proxy.corp:3128' });
  });
});

describe('sekoia_api_key', () => {
  it('is required by the account form', () => {
    const { sekoia_api_key: _key, ...withoutKey } = goodModule;
    expect(problemOf(withoutKey, { ioc_collection_uuid: VALID_COLLECTION }).fields).toEqual([
      'sekoia_api_key',
    ]);
  });

  it('may be left out when the run says so (a dry run)', () => {
    const { sekoia_api_key: _key, ...withoutKey } = goodModule;
    const { moduleConfiguration } = validate(withoutKey, { ioc_collection_uuid: VALID_COLLECTION }, [
      'sekoia_api_key',
    ]);
    expect(moduleConfiguration.sekoia_api_key).toBeUndefined();
  });
});

describe('fields the forms do not know', () => {
  it('are named in one warning per form, with the known field they are likely a typo of', () => {
    const { warnings, triggerConfiguration } = validate(
      { ...goodModule, sleep_time: 300 },
      { ioc_collection_uuid: VALID_COLLECTION, publish_timestamps: 7, colour: 'blue' },
    );
    expect(warnings).toEqual([
      'The account form holds a field this trigger does not know, ignored: "sleep_time" (a field of the ' +
        'trigger configuration: set it there). Correct or remove it in the account form.',
      'The trigger configuration holds fields this trigger does not know, ignored: "publish_timestamps" ' +
        '(did you mean "publish_timestamp"?), "colour". Correct or remove them in the trigger configuration.',
    ]);
    expect(triggerConfiguration.publish_timestamp).toBe(1);
  });

  it('give no warning when every field is known', () => {
    expect(validate(goodModule, { ioc_collection_uuid: VALID_COLLECTION }).warnings).toEqual([]);
  });
});

describe('patternTemplate', () => {
  it('reads literal and hex patterns as a template, and gives up on anything else', () => {
    expect(patternTemplate('^ab-[0-9a-f]{2}\\.c$')).toBe('ab-xx.c (each x a hexadecimal digit, 0-9 or a-f)');
    expect(patternTemplate('^abc$')).toBe('abc');
    expect(patternTemplate('^a+$')).toBeUndefined();
    expect(patternTemplate('abc')).toBeUndefined();
  });
});
