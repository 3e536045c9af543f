import fs from 'node:fs';
import path from 'node:path';
import { ConfigurationError, messageOf } from '../errors';
import { isRecord } from '../json';

/** A JSON schema as found in the module files; validated by ajv, so kept loose here. */
export type JsonSchema = Record<string, unknown>;

/** The parts of manifest.json the runtime uses. */
export interface Manifest {
  name?: string;
  version?: string;
  /** The account schema; `secrets` lists the fields whose values are never printed. */
  configuration: JsonSchema & { secrets?: string[] };
}

/** The parts of a trigger JSON file the runtime uses. */
export interface TriggerFile {
  name?: string;
  docker_parameters?: string;
  arguments: JsonSchema;
  results?: JsonSchema;
}

function readJsonFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}): the image is incomplete, ` +
        'it must hold the module files in its working directory.',
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigurationError(`${file} is not valid JSON (${messageOf(error)}).`);
  }
  throw new ConfigurationError(`${file} must hold a JSON object.`);
}

/** Reads manifest.json from `cwd`. */
export function loadManifest(cwd: string = process.cwd()): Manifest {
  const file = path.join(cwd, 'manifest.json');
  const manifest = readJsonFile(file);
  const configuration = manifest.configuration ?? { type: 'object', properties: {} };
  if (!isRecord(configuration))
    throw new ConfigurationError(`${file}: "configuration" must be a JSON schema object.`);
  const secrets = configuration.secrets;
  if (
    secrets !== undefined &&
    !(Array.isArray(secrets) && secrets.every((name) => typeof name === 'string'))
  ) {
    throw new ConfigurationError(`${file}: "configuration.secrets" must be a list of field names.`);
  }
  return { ...manifest, configuration } as Manifest;
}

/** Reads the trigger JSON file (e.g. trigger_misp_ids_to_ioc.json) from `cwd`. */
export function loadTriggerFile(triggerFile: string, cwd: string = process.cwd()): TriggerFile {
  const file = path.resolve(cwd, triggerFile);
  const trigger = readJsonFile(file);
  const args = trigger.arguments ?? { type: 'object', properties: {} };
  if (!isRecord(args)) throw new ConfigurationError(`${file}: "arguments" must be a JSON schema object.`);
  if (trigger.results !== undefined && !isRecord(trigger.results)) {
    throw new ConfigurationError(`${file}: "results" must be a JSON schema object.`);
  }
  return { ...trigger, arguments: args } as TriggerFile;
}

/** The manifest's secret field names. */
export function secretFieldsOf(manifest: Manifest): string[] {
  return manifest.configuration.secrets ?? [];
}
