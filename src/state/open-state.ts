import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Keyv from 'keyv';
import { KeyvSqlite } from '@keyv/sqlite';
import { DAY_MS, systemClock, type Clock } from '../clock';
import { DATA_FOLDER_FIX, StateError } from './errors';
import { messageOf } from '../errors';
import { SqliteTriggerState, type SqlQuery } from './sqlite-state';

/** The state file's name, under the data path. */
export const STATE_FILE_NAME = 'misp-ids-to-ioc.sqlite';
/** Namespace used when the runtime gives no trigger_configuration_uuid. */
export const DEFAULT_NAMESPACE = 'default';
/** Namespaces are UUIDs or "default": nothing that could reach into another namespace's key range. */
const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export interface TriggerStateOptions {
  /** Directory holding the state file; created if missing. */
  dataPath: string;
  /** One per trigger configuration (its trigger_configuration_uuid), so triggers sharing a volume never mix. */
  namespace: string;
  /** Time for TTLs and purges. @default systemClock */
  clock?: Clock;
  /** @default STATE_FILE_NAME ("misp-ids-to-ioc.sqlite") */
  fileName?: string;
  /** Expired pushed records are deleted on open and then at most this often. @default 86400000 (one day) */
  purgeIntervalMs?: number;
  /** How long to wait for another process holding the file's write lock. @default 10000 */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the state file `<dataPath>/misp-ids-to-ioc.sqlite` for one trigger
 * configuration: WAL journal, expired records purged. Rejects with StateError when the file cannot
 * be opened or written.
 */
export async function openTriggerState(options: TriggerStateOptions): Promise<SqliteTriggerState> {
  const {
    dataPath,
    namespace,
    clock = systemClock,
    purgeIntervalMs = DAY_MS,
    busyTimeoutMs = 10_000,
  } = options;
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new RangeError(
      `State namespace must be 1 to 100 letters, digits, "-" or "_", got ${JSON.stringify(namespace)}`,
    );
  }
  const filePath = path.resolve(dataPath, options.fileName ?? STATE_FILE_NAME);
  try {
    mkdirSync(path.dirname(filePath), { recursive: true });
  } catch (error) {
    throw new StateError(
      `Could not create the data directory ${path.dirname(filePath)}: ${messageOf(error)}. ${DATA_FOLDER_FIX}`,
      filePath,
      error,
      true,
    );
  }
  const store = new KeyvSqlite({ uri: `sqlite://${filePath}`, busyTimeout: busyTimeoutMs });
  // The store is always given: keyv never falls back to its in-memory Map; errors throw.
  const keyv = new Keyv(store, { namespace, throwOnErrors: true });
  const query: SqlQuery = (sql, ...parameters) => store.query(sql, ...parameters);
  const state = new SqliteTriggerState(filePath, keyv, query, namespace, clock, purgeIntervalMs);
  try {
    // The first query also surfaces a failed open (the adapter connects in the background).
    await query('PRAGMA journal_mode = WAL');
    // In WAL mode, NORMAL survives a process crash; only a power loss may undo the last commits,
    // which at worst pushes a batch again.
    await query('PRAGMA synchronous = NORMAL');
    await state.open();
  } catch (error) {
    await keyv.disconnect().catch(() => undefined);
    if (error instanceof StateError)
      throw new StateError(`${error.message}. ${DATA_FOLDER_FIX}`, filePath, error, true);
    throw new StateError(
      `Could not open the state file ${filePath}: ${messageOf(error)}. ${DATA_FOLDER_FIX}`,
      filePath,
      error,
      true,
    );
  }
  return state;
}
