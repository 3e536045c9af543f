/**
 * The bench's S3 step (a child process): the state the sync left in its SQLite file is saved to an
 * S3-protocol server on loopback (s3rver, in this process) the way the trigger saves it during a
 * first sync (markPushed by batches of 1,000 with their records, a save every SAVE_EVERY_KEYS marks and at the end),
 * then a cycle of 300 new IOCs, a quiet cycle, and a new process's restore from the bucket with an
 * empty local folder. Prints one JSON line. Usage: node s3-save.js <dataPath> <namespace>
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openTriggerState } from '../../src/state';
import { openS3TriggerState, type S3TriggerState } from '../../src/state/s3';
import type { PushRecord } from '../../src/state/types';
import { TestS3Server } from '../s3/server';

const BATCH = 1000;
const CYCLE_IOCS = 300;
const TTL_MS = 30 * 86_400_000;

export interface S3SaveMeasures {
  keys: number;
  /** Time in saves during the first sync (deltas and compactions), in seconds. */
  sync_save_s: number;
  sync_uploaded_mb: number;
  base_mb: number;
  cycle_300: { save_ms: number; uploaded_kb: number };
  quiet_cycle: { uploaded_bytes: number };
  restore_s: number;
}

/** What the trigger records with a batch: its validity and each key's MISP attribute (an event per 50 keys). */
function recordOf(count: number, batch: number): PushRecord {
  const now = Date.now();
  return {
    validUntilMs: now + TTL_MS,
    publishedAfterMs: now - 86_400_000,
    sources: Array.from({ length: count }, (_, i) => ({
      attributeUuid: randomUUID(),
      eventId: String(batch * 20 + Math.floor(i / 50)),
      publishedAtMs: now - 3_600_000 * (Math.floor(i / 50) % 7),
    })),
  };
}

function round(value: number, decimals: number): number {
  return Math.round(value * 10 ** decimals) / 10 ** decimals;
}

async function fill(state: S3TriggerState, dataPath: string, namespace: string): Promise<number> {
  const source = await openTriggerState({ dataPath, namespace });
  let keys = 0;
  try {
    for await (const page of source.exportPushed()) {
      for (let i = 0; i < page.length; i += BATCH) {
        const batch = page.slice(i, i + BATCH).map((record) => record.key);
        await state.markPushed(batch, TTL_MS, recordOf(batch.length, keys / BATCH));
        keys += Math.min(BATCH, page.length - i);
      }
    }
  } finally {
    await source.close();
  }
  await state.setCursor(Date.now());
  await state.save();
  return keys;
}

async function measure(dataPath: string, namespace: string): Promise<S3SaveMeasures> {
  const server = await new TestS3Server().start();
  const folders = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), 'bench-s3-local-')));
  const open = (localPath: string) =>
    openS3TriggerState({ storage: server.storage(), localPath, namespace: 'bench' });
  try {
    const state = await open(folders[0]);
    const keys = await fill(state, dataPath, namespace);
    const sync = { ...state.totals };
    await state.markPushed(
      Array.from({ length: CYCLE_IOCS }, (_, i) => `domain-name.value|bench-${i}.example.net`),
      TTL_MS,
      recordOf(CYCLE_IOCS, 1e6),
    );
    await state.setCursor(Date.now());
    await state.save();
    const cycle = { ms: state.totals.ms - sync.ms, bytes: state.totals.bytes - sync.bytes };
    const beforeQuiet = state.totals.bytes;
    await state.setCursor(Date.now());
    await state.save();
    const quietBytes = state.totals.bytes - beforeQuiet;
    const baseBytes = state.savedManifest.base?.bytes ?? 0;
    await state.close();
    const restoreStart = performance.now();
    const restored = await open(folders[1]);
    const restoreMs = performance.now() - restoreStart;
    await restored.close();
    return {
      keys,
      sync_save_s: round(sync.ms / 1000, 2),
      sync_uploaded_mb: round(sync.bytes / 1e6, 1),
      base_mb: round(baseBytes / 1e6, 1),
      cycle_300: { save_ms: round(cycle.ms, 1), uploaded_kb: round(cycle.bytes / 1000, 1) },
      quiet_cycle: { uploaded_bytes: quietBytes },
      restore_s: round(restoreMs / 1000, 2),
    };
  } finally {
    await server.dispose();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [dataPath, namespace = 'default'] = process.argv.slice(2);
  measure(dataPath, namespace).then(
    (measures) => process.stdout.write(`${JSON.stringify(measures)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
