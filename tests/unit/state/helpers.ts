import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Keyv from 'keyv';
import { KeyvSqlite } from '@keyv/sqlite';
import { FakeClock as SharedFakeClock } from '../../helpers/fake-clock';
import { STATE_FILE_NAME } from '../../../src/state/open-state';

/** The tests' one fake clock, at the state tests' own start time. */
export class FakeClock extends SharedFakeClock {
  constructor(time = Date.parse('2026-01-15T10:00:00Z')) {
    super(time);
  }
}

export const NAMESPACE = '7d8e3f2a-1b4c-4d5e-9f60-718293a4b5c6';
export const OTHER_NAMESPACE = 'c0ffee00-1b4c-4d5e-9f60-718293a4b5c6';

/** A fresh temporary data path; removed by the returned cleanup. */
export function tempDataPath(): { dataPath: string; filePath: string; cleanup: () => void } {
  const dataPath = mkdtempSync(path.join(os.tmpdir(), 'misp-state-'));
  return {
    dataPath,
    filePath: path.join(dataPath, STATE_FILE_NAME),
    cleanup: () => rmSync(dataPath, { recursive: true, force: true }),
  };
}

/**
 * A second, independent connection on the state file, through plain keyv as another reader would
 * use it, to look at or damage its rows.
 */
export function openRaw(
  filePath: string,
  namespace: string = NAMESPACE,
): {
  keyv: Keyv;
  query: (sql: string, ...parameters: unknown[]) => Promise<Array<Record<string, unknown>>>;
  close: () => Promise<void>;
} {
  const store = new KeyvSqlite({ uri: `sqlite://${filePath}` });
  const keyv = new Keyv(store, { namespace, throwOnErrors: true });
  return {
    keyv,
    query: (sql, ...parameters) => store.query(sql, ...parameters) as Promise<Array<Record<string, unknown>>>,
    close: () => keyv.disconnect(),
  };
}
