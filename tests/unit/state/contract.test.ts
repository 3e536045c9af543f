import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTriggerState } from '../../../src/state/open-state';
import { openS3TriggerState } from '../../../src/state/s3';
import { TestS3Server } from '../../../tools/s3/server';
import { MemoryState } from '../../helpers/fakes';
import { NAMESPACE, tempDataPath } from './helpers';
import { describeTriggerStateContract, StateImplementation } from './trigger-state-contract';

const memory: StateImplementation = {
  name: 'memory (the fake the cycle tests use)',
  open: async (clock) => ({ state: new MemoryState(clock) }),
};

let sqlitePaths: ReturnType<typeof tempDataPath> | undefined;
const sqlite: StateImplementation = {
  name: 'SQLite',
  open: async (clock) => {
    sqlitePaths = tempDataPath();
    const options = { dataPath: sqlitePaths.dataPath, namespace: NAMESPACE, clock };
    return { state: await openTriggerState(options), reopen: () => openTriggerState(options) };
  },
  cleanup: () => sqlitePaths?.cleanup(),
};

/** Kept in a bucket of an S3-protocol server on loopback; each open (a reopen too) with an empty local folder. */
let s3: { server: TestS3Server; folders: string[] } | undefined;
const s3Backed: StateImplementation = {
  name: 'S3 (s3rver on loopback)',
  open: async (clock) => {
    const current = { server: await new TestS3Server().start(), folders: [] as string[] };
    s3 = current;
    const open = () => {
      const localPath = mkdtempSync(path.join(os.tmpdir(), 's3-contract-'));
      current.folders.push(localPath);
      return openS3TriggerState({
        storage: current.server.storage(),
        localPath,
        namespace: NAMESPACE,
        clock,
        tuning: { maxAttempts: 1 },
      });
    };
    return { state: await open(), reopen: open };
  },
  cleanup: async () => {
    await s3?.server.dispose();
    for (const folder of s3?.folders ?? []) rmSync(folder, { recursive: true, force: true });
  },
};

/** Every TriggerState implementation: a new one is one more entry here. */
const IMPLEMENTATIONS: StateImplementation[] = [memory, sqlite, s3Backed];

for (const implementation of IMPLEMENTATIONS) describeTriggerStateContract(implementation);
