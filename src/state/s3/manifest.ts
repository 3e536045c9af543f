import type { SweepMarks } from '../types';

/**
 * The state kept in S3 is a few immutable objects and one small manifest that names them: a base
 * copy of the pushed set, then the deltas saved since, in order, and the cursor. An object is
 * written under a name never used before, and the manifest (one PUT, which S3 applies whole) is
 * written after the objects it names: a crash at any point leaves the previous manifest, whole,
 * naming whole objects.
 */
export interface StateManifest {
  format: 1;
  /** The cursor saved with the last delta (or alone, at most every CURSOR_SAVE_INTERVAL_MS). */
  cursor?: number;
  /** The publish window applied (days), saved at the next save after it grew. */
  appliedWindowDays?: number;
  /** The reconciliation sweep's marks (docs/architecture.md#state-on-s3), saved at the next save after they changed. */
  sweepMarks?: SweepMarks;
  /** The values the sweep revoked (key -> epoch ms), saved with the sweep's marks. */
  revocations?: Record<string, number>;
  /** When the manifest was written (epoch ms). */
  savedAt: number;
  /** The base copy, absent until the first compaction. */
  base?: { name: string; bytes: number; keys: number };
  /** Delta objects saved since the base, oldest first. */
  deltas: string[];
  /** Their total size, which decides the next compaction. */
  deltaBytes: number;
}

export const EMPTY_MANIFEST: Readonly<StateManifest> = Object.freeze({
  format: 1,
  savedAt: 0,
  deltas: [],
  deltaBytes: 0,
});

const NAME = /^[a-z0-9.-]{1,100}$/;

function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME.test(value);
}

/** The manifest read back, or undefined when it is not one (the caller says where). */
export function parseManifest(text: string): StateManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = value as Partial<StateManifest> | null;
  if (!m || m.format !== 1 || typeof m.savedAt !== 'number') return undefined;
  if (!Array.isArray(m.deltas) || !m.deltas.every(isName) || typeof m.deltaBytes !== 'number')
    return undefined;
  if (m.cursor !== undefined && typeof m.cursor !== 'number') return undefined;
  if (m.appliedWindowDays !== undefined && typeof m.appliedWindowDays !== 'number') return undefined;
  if (m.sweepMarks !== undefined && (typeof m.sweepMarks !== 'object' || m.sweepMarks === null))
    return undefined;
  if (m.revocations !== undefined && (typeof m.revocations !== 'object' || m.revocations === null))
    return undefined;
  if (m.base !== undefined && (!isName(m.base.name) || typeof m.base.bytes !== 'number')) return undefined;
  return m as StateManifest;
}

/** Deltas kept before a compaction, whatever their size: bounds the manifest (about 40 bytes each). */
export const MAX_DELTAS = 200;
/** Deltas smaller than this in total never force a compaction by size. @default 1 MiB */
export const MIN_COMPACTION_BYTES = 1024 * 1024;

/**
 * Whether the next save writes a new base copy instead of a delta: when the deltas, with the next
 * one, weigh half the base or more (so a save costs on average a bounded multiple of what changed),
 * or when there are MAX_DELTAS of them.
 */
export function compactionDue(manifest: StateManifest, nextDeltaBytes: number): boolean {
  if (manifest.deltas.length + 1 > MAX_DELTAS) return true;
  const deltaBytes = manifest.deltaBytes + nextDeltaBytes;
  return deltaBytes >= MIN_COMPACTION_BYTES && deltaBytes * 2 >= (manifest.base?.bytes ?? 0);
}
