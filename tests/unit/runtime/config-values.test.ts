import fs from 'node:fs';
import path from 'node:path';
import { readJsonObject, readString } from '../../../src/runtime/config-values';
import { readRuntimeSettings } from '../../../src/runtime/settings';
import { ConfigurationError } from '../../../src/errors';
import { makeVolume } from '../../helpers/runtime-fixtures';

describe('configuration values', () => {
  const emptyVolume = path.join(makeVolume({}), 'nothing-here');

  it('takes the file over the environment variable', () => {
    const volumePath = makeVolume({
      token: ' from-file \n',
      module_configuration: '{"misp_url":"https://file"}',
    });
    const env = { TOKEN: 'from-env', MODULE_CONFIGURATION: '{"misp_url":"https://env"}' };
    expect(readString({ env, volumePath }, 'token')).toBe('from-file');
    expect(readJsonObject({ env, volumePath }, 'module_configuration')).toEqual({ misp_url: 'https://file' });
  });

  it('falls back to the upper-cased variable, ignoring empty ones', () => {
    expect(readString({ env: { TOKEN: 'abc' }, volumePath: emptyVolume }, 'token')).toBe('abc');
    expect(readString({ env: { TOKEN: '  ' }, volumePath: emptyVolume }, 'token')).toBeUndefined();
  });

  it('reads JSON and base64 of JSON from the environment', () => {
    const json = '{"sleep_time": 60, "ioc_collection_uuid": "x"}';
    const base64 = Buffer.from(json).toString('base64');
    expect(
      readJsonObject(
        { env: { TRIGGER_CONFIGURATION: json }, volumePath: emptyVolume },
        'trigger_configuration',
      ),
    ).toEqual({
      sleep_time: 60,
      ioc_collection_uuid: 'x',
    });
    expect(
      readJsonObject(
        { env: { TRIGGER_CONFIGURATION: base64 }, volumePath: emptyVolume },
        'trigger_configuration',
      ),
    ).toEqual({ sleep_time: 60, ioc_collection_uuid: 'x' });
  });

  it('refuses a value that is not a JSON object, without quoting it', () => {
    const env = { MODULE_CONFIGURATION: 'misp_api_key=secret-value-123' };
    const read = () => readJsonObject({ env, volumePath: emptyVolume }, 'module_configuration');
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(/module_configuration .*variable MODULE_CONFIGURATION.* not valid JSON nor base64/);
    expect(read).not.toThrow(/secret-value-123/);
    expect(() =>
      readJsonObject(
        { env: { MODULE_CONFIGURATION: '[1]' }, volumePath: emptyVolume },
        'module_configuration',
      ),
    ).toThrow(/must be a JSON object, not an array/);
  });

  it('derives the logs and secrets URLs from url_callback, defaults the ports and the data path', () => {
    const settings = readRuntimeSettings({
      env: { URL_CALLBACK: 'https://runtime/api/v1/triggers/abc/callback' },
      volumePath: emptyVolume,
    });
    expect(settings.urlLogs).toBe('https://runtime/api/v1/triggers/abc/logs');
    expect(settings.urlSecrets).toBe('https://runtime/api/v1/triggers/abc/secrets');
    expect(settings.livenessPort).toBe(8000);
    expect(settings.metricsPort).toBe(8020);
    expect(settings.dataPath).toBe('/symphony_data');
  });

  it('honours explicit URLs, ports, sub_folder and SYMPHONY_DATA_PATH', () => {
    const volumePath = makeVolume({
      url_logs: 'https://logs/here',
      liveness_port: '9000',
      sub_folder: 'abc',
    });
    const env = {
      URL_CALLBACK: 'https://runtime/callback',
      METRICS_PORT: '9020',
      TRIGGER_CONFIGURATION_UUID: 'u-1',
    };
    const settings = readRuntimeSettings({ env, volumePath });
    expect(settings).toMatchObject({
      urlLogs: 'https://logs/here',
      urlSecrets: 'https://runtime/secrets',
      livenessPort: 9000,
      metricsPort: 9020,
      triggerConfigurationUuid: 'u-1',
      dataPath: '/symphony_data/abc',
    });
    expect(readRuntimeSettings({ env: { SYMPHONY_DATA_PATH: '/tmp/data' }, volumePath }).dataPath).toBe(
      '/tmp/data',
    );
  });

  it('falls back to the default port, with a warning, on a value that is not a port', () => {
    const settings = readRuntimeSettings({ env: { LIVENESS_PORT: 'eighty' }, volumePath: emptyVolume });
    expect(settings.livenessPort).toBe(8000);
    expect(settings.warnings).toEqual([
      'liveness_port "eighty" is not a port number (0 to 65535): using 8000 instead.',
    ]);
  });

  it('reports an unreadable file instead of silently using the environment', () => {
    const volumePath = makeVolume({});
    fs.mkdirSync(path.join(volumePath, 'token'));
    expect(() => readString({ env: { TOKEN: 'x' }, volumePath }, 'token')).toThrow(
      /Cannot read the runtime file .*token \(EISDIR\)/,
    );
  });

  it('goes on with a warning when a plain value cannot be read at all', () => {
    const volumePath = makeVolume({});
    fs.mkdirSync(path.join(volumePath, 'url_callback'));
    const settings = readRuntimeSettings({ env: { URL_CALLBACK: 'https://x/callback' }, volumePath });
    expect(settings.urlCallback).toBeUndefined();
    expect(settings.warnings).toEqual([
      expect.stringMatching(/url_callback \(EISDIR\).* Going on without url_callback\./),
    ]);
  });
});
