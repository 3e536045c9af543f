import fs from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../errors';

/** Where the runtime's configuration values come from. */
export interface ConfigSource {
  /** Environment variables, read as `<NAME>` upper-cased. @default process.env */
  env: NodeJS.ProcessEnv;
  /** Directory holding one file per value. @default SYMPHONY_VOLUME_PATH, else /symphony */
  volumePath: string;
}

export const DEFAULT_VOLUME_PATH = '/symphony';

export function defaultConfigSource(env: NodeJS.ProcessEnv = process.env): ConfigSource {
  const volume = env.SYMPHONY_VOLUME_PATH?.trim();
  return { env, volumePath: volume ? volume : DEFAULT_VOLUME_PATH };
}

/** A raw value and where it was found, so errors can say where to look. */
export interface RawValue {
  text: string;
  origin: string;
}

/** The file `<volume>/<name>` wins; else the non-empty environment variable `<NAME>`. */
export function readRawValue(source: ConfigSource, name: string): RawValue | undefined {
  const file = path.join(source.volumePath, name);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new ConfigurationError(`Cannot read the runtime file ${file} (${code ?? String(error)}).`, [
        name,
      ]);
    }
  }
  if (text !== undefined) return { text, origin: `file ${file}` };
  const variable = name.toUpperCase();
  const fromEnv = source.env[variable];
  if (fromEnv !== undefined && fromEnv.trim() !== '')
    return { text: fromEnv, origin: `variable ${variable}` };
  return undefined;
}

/** A string value, trimmed; undefined when absent or empty. */
export function readString(source: ConfigSource, name: string): string | undefined {
  const raw = readRawValue(source, name);
  const text = raw?.text.trim();
  return text ? text : undefined;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * A JSON object value. From a file: JSON. From the environment: JSON, or base64 of JSON (the
 * platform and shells mangle quotes less in base64). Undefined when absent.
 */
export function readJsonObject(source: ConfigSource, name: string): Record<string, unknown> | undefined {
  const raw = readRawValue(source, name);
  if (!raw) return undefined;
  const text = raw.text.trim();
  let parsed = tryParseJson(text);
  if (!parsed.ok && raw.origin.startsWith('variable') && BASE64.test(text)) {
    parsed = tryParseJson(Buffer.from(text, 'base64').toString('utf8'));
  }
  if (!parsed.ok) {
    // The text itself is never quoted: a configuration may hold secrets.
    throw new ConfigurationError(
      `The ${name} given by the runtime (${raw.origin}) is not valid JSON` +
        (raw.origin.startsWith('variable') ? ' nor base64 of JSON' : '') +
        `. Save the configuration again in Sekoia.io; for a local run, put a JSON object there.`,
      [name],
    );
  }
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigurationError(
      `The ${name} given by the runtime (${raw.origin}) must be a JSON object, not ${describeJsonKind(value)}.`,
      [name],
    );
  }
  return value as Record<string, unknown>;
}

function describeJsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
