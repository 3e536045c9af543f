import path from 'node:path';
import { ConfigSource, readString } from './config-values';
import { messageOf } from '../errors';

/** The runtime's plain values: where to call back, ports, identifiers. */
export interface RuntimeSettings {
  token: string | undefined;
  urlCallback: string | undefined;
  /** url_logs, else url_callback with /callback replaced by /logs. */
  urlLogs: string | undefined;
  /** url_secrets, else url_callback with /callback replaced by /secrets. */
  urlSecrets: string | undefined;
  /** @default 8000 */
  livenessPort: number;
  /** @default 8020 */
  metricsPort: number;
  triggerConfigurationUuid: string | undefined;
  communityUuid: string | undefined;
  subFolder: string | undefined;
  fileBackend: string | undefined;
  /** SYMPHONY_DATA_PATH, else /symphony_data (+ sub_folder). */
  dataPath: string;
  /** Values that were unreadable and replaced by their default, to be logged as warnings. */
  warnings: string[];
}

export const DEFAULT_LIVENESS_PORT = 8000;
export const DEFAULT_METRICS_PORT = 8020;
export const DEFAULT_DATA_PATH = '/symphony_data';

function derivedUrl(callback: string | undefined, replacement: string): string | undefined {
  if (!callback) return undefined;
  return callback.includes('/callback') ? callback.replace('/callback', replacement) : undefined;
}

/** A value whose file cannot be read is a platform defect: warn and go on without it. */
function readSafely(source: ConfigSource, name: string, warnings: string[]): string | undefined {
  try {
    return readString(source, name);
  } catch (error) {
    warnings.push(`${messageOf(error)} Going on without ${name}.`);
    return undefined;
  }
}

function readPort(source: ConfigSource, name: string, fallback: number, warnings: string[]): number {
  const text = readSafely(source, name, warnings);
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    warnings.push(`${name} "${text}" is not a port number (0 to 65535): using ${fallback} instead.`);
    return fallback;
  }
  return port;
}

/** Reads every plain runtime value. Never throws for a bad value: it falls back and warns. */
export function readRuntimeSettings(source: ConfigSource): RuntimeSettings {
  const warnings: string[] = [];
  const urlCallback = readSafely(source, 'url_callback', warnings);
  const subFolder = readSafely(source, 'sub_folder', warnings);
  const dataOverride = source.env.SYMPHONY_DATA_PATH?.trim();
  return {
    token: readSafely(source, 'token', warnings),
    urlCallback,
    urlLogs: readSafely(source, 'url_logs', warnings) ?? derivedUrl(urlCallback, '/logs'),
    urlSecrets: readSafely(source, 'url_secrets', warnings) ?? derivedUrl(urlCallback, '/secrets'),
    livenessPort: readPort(source, 'liveness_port', DEFAULT_LIVENESS_PORT, warnings),
    metricsPort: readPort(source, 'metrics_port', DEFAULT_METRICS_PORT, warnings),
    triggerConfigurationUuid: readSafely(source, 'trigger_configuration_uuid', warnings),
    communityUuid: readSafely(source, 'community_uuid', warnings),
    subFolder,
    fileBackend: readSafely(source, 'file_backend', warnings),
    dataPath: dataOverride
      ? dataOverride
      : subFolder
        ? path.join(DEFAULT_DATA_PATH, subFolder)
        : DEFAULT_DATA_PATH,
    warnings,
  };
}
