import { ConfigurationError } from '../../../src/errors';
import { patternTemplate } from '../../../src/runtime/config-problems';
import { loadManifest, loadTriggerFile } from '../../../src/runtime/module-files';
import { createAjv } from '../../../src/runtime/schema';
import { validateConfigurations } from '../../../src/runtime/validate-configuration';
import { MISP_KEY, REPO_ROOT, TRIGGER_FILE, VALID_COLLECTION } from '../../helpers/runtime-fixtures';

const manifest = loadManifest(REPO_ROOT);
const triggerFile = loadTriggerFile(TRIGGER_FILE, REPO_ROOT);
const goodModule = { misp_url: 'https://misp.example.com', misp_api_key: MISP_KEY };

function validate(
  moduleConfiguration: Record<string, unknown>,
  triggerConfiguration: Record<string, unknown>,
) {
  return validateConfigurations<Record<string, unknown>, Record<string, unknown>>({
    ajv: createAjv(),
    manifest,
    triggerFile,
    moduleConfiguration,
    triggerConfiguration,
  });
}

function problemOf(
  moduleConfiguration: Record<string, unknown>,
  triggerConfiguration: Record<string, unknown>,
) {
  try {
    validate(moduleConfiguration, triggerConfiguration);
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
      ioc_collection_server: 'https://api.sekoia.io',
      publish_timestamp: 1,
      sleep_time: 300,
      enforce_warninglist: true,
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
      /"yesterday"; it must be as the form describes it: "How many days back/,
    ],
    [
      // The schema's maximum applies to numbers only: its pattern bounds the string form too.
      { ioc_collection_uuid: VALID_COLLECTION, publish_timestamp: '500' },
      'publish_timestamp',
      /"500"; it must be as the form describes it: "How many days back/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, publish_timestamp: 0 },
      'publish_timestamp',
      /is 0; it must be at least 1/,
    ],
    [
      { ioc_collection_uuid: VALID_COLLECTION, sleep_time: '300' },
      'sleep_time',
      /is "300"; it must be a whole number/,
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
    const error = problemOf({ misp_api_key: MISP_KEY }, { ioc_collection_uuid: 'x', sleep_time: 1 });
    expect(error.fields).toEqual(['misp_url', 'ioc_collection_uuid', 'sleep_time']);
    expect(error.message).toMatch(
      /\(3 problems\): \(1\) misp_url .* \(2\) ioc_collection_uuid .* \(3\) sleep_time/,
    );
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
