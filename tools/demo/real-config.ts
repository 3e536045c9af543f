import fs from 'node:fs';
import path from 'node:path';
import { defaultConfigSource } from '../../src/runtime/config-values';

/** Where the demo keeps the state of a local run against real servers, unless told otherwise. */
export const LOCAL_REAL_DATA_PATH = path.join('.demo-data', 'real');

/** Where a real configuration was found, for the one line the demo prints; undefined when none. */
export function findRealConfiguration(env: NodeJS.ProcessEnv): string | undefined {
  if ((env.MODULE_CONFIGURATION ?? '').trim() !== '') return 'the MODULE_CONFIGURATION variable';
  const file = path.join(defaultConfigSource(env).volumePath, 'module_configuration');
  return fs.existsSync(file) ? `the file ${file}` : undefined;
}

/**
 * The environment for a local run against real servers: as given, with SYMPHONY_DATA_PATH
 * defaulted to a writable folder under `cwd` (the image's /symphony_data rarely exists locally).
 */
export function realRunEnv(
  env: NodeJS.ProcessEnv,
  cwd: string,
): { env: NodeJS.ProcessEnv; dataPath: string } {
  const given = env.SYMPHONY_DATA_PATH?.trim();
  const dataPath = given ? given : path.resolve(cwd, LOCAL_REAL_DATA_PATH);
  if (!given) fs.mkdirSync(dataPath, { recursive: true });
  return { env: { ...env, SYMPHONY_DATA_PATH: dataPath }, dataPath };
}
