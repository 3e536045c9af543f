import { HOUR_MS, type Clock } from '../../clock';
import type { SqliteTriggerState } from '../sqlite-state';
import type { PushedRecord, PushRecord, SweepMarks, TriggerState } from '../types';
import { newObjectName, type StateBucket } from './bucket';
import { compactionDue, type StateManifest } from './manifest';
import { encodeRecords, type RecordGroup, type SavedSource } from './records';

/**
 * Marks not yet saved that make a save during a cycle: bounds what a crash in a long first sync
 * costs, and the memory the unsaved marks take. About 1.3 MB gzipped with their records. @default 50000
 */
export const SAVE_EVERY_KEYS = 50_000;
/** A cursor that moved with no new mark is saved at most this often (a quiet MISP). @default 3600000 */
export const CURSOR_SAVE_INTERVAL_MS = HOUR_MS;

/** A batch's marks as a saved line: its validity, and its sources when it has some. */
function groupOf(keys: readonly string[], expires: number, record: PushRecord | undefined): RecordGroup {
  const group: RecordGroup = { expires, keys: [...keys] };
  if (record === undefined) return group;
  group.validUntil = record.validUntilMs;
  group.publishedAfter = record.publishedAfterMs;
  const sources = record.sources;
  if (sources?.some((source) => source !== undefined)) {
    group.sources = keys.map((_, index): SavedSource | null => {
      const source = sources[index];
      if (source === undefined) return null;
      return source.publishedAtMs === undefined
        ? [source.attributeUuid, source.eventId]
        : [source.attributeUuid, source.eventId, source.publishedAtMs];
    });
  }
  return group;
}

/** What the saves uploaded, since the state was opened (the bench reads it). */
export interface SaveTotals {
  /** Saves that uploaded something. */
  uploads: number;
  deltas: number;
  bases: number;
  /** Bytes uploaded, manifests included. */
  bytes: number;
  /** Time spent in saves that uploaded something (encoding included), in ms. */
  ms: number;
}

/**
 * TriggerState kept in an S3 bucket: a local SQLite copy answers every read and takes every
 * write, and save() sends what changed since the last save, as a delta object (the marks by batch,
 * with their records, and the forgets) and a new manifest; now and then a new base copy replaces the deltas. A quiet cycle
 * uploads nothing; a cycle that pushed a few hundred IOCs uploads a few kB.
 */
export class S3TriggerState implements TriggerState {
  /** Marks (and forgets) since the last save, in call order: a restore replays them in order. */
  private unsaved: RecordGroup[] = [];
  private unsavedKeys = 0;
  private cursor: number | undefined;
  private appliedWindowDays: number | undefined;
  private sweepMarks: SweepMarks | undefined;
  private revocations: Record<string, number> | undefined;
  private saving: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly totals: SaveTotals = { uploads: 0, deltas: 0, bases: 0, bytes: 0, ms: 0 };

  constructor(
    private readonly local: SqliteTriggerState,
    private readonly bucket: StateBucket,
    private manifest: StateManifest,
    private readonly clock: Clock,
  ) {
    this.cursor = manifest.cursor;
    this.appliedWindowDays = manifest.appliedWindowDays;
    this.sweepMarks = manifest.sweepMarks;
    this.revocations = manifest.revocations;
  }

  /** The manifest as last saved (tests, the bench). */
  get savedManifest(): Readonly<StateManifest> {
    return this.manifest;
  }

  filterUnpushed(keys: readonly string[]): Promise<string[]> {
    return this.local.filterUnpushed(keys);
  }

  /** `record` (validity, sources: what the reconciliation knows of each value) is saved with the keys. */
  async markPushed(keys: readonly string[], ttlMs: number, record?: PushRecord): Promise<void> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
      throw new RangeError(`TTL of pushed IOCs must be a positive number of ms, got ${ttlMs}`);
    }
    if (keys.length === 0) return;
    const expires = this.clock.now() + ttlMs;
    await this.local.markPushedUntil(keys, expires, record);
    this.unsaved.push(groupOf(keys, expires, record));
    await this.counted(keys.length);
  }

  /** Counts marks not saved yet; a save when there are many (bounds a crash's cost and the memory). */
  private async counted(keys: number): Promise<void> {
    this.unsavedKeys += keys;
    if (this.unsavedKeys >= SAVE_EVERY_KEYS) await this.save();
  }

  getCursor(): Promise<number | undefined> {
    return this.local.getCursor();
  }

  async setCursor(epochMs: number): Promise<void> {
    await this.local.setCursor(epochMs);
    this.cursor = epochMs;
  }

  getAppliedWindowDays(): Promise<number | undefined> {
    return this.local.getAppliedWindowDays();
  }

  async setAppliedWindowDays(days: number): Promise<void> {
    await this.local.setAppliedWindowDays(days);
    this.appliedWindowDays = days;
  }

  // ---- Reconciliation (docs/architecture.md#state-on-s3): the local copy answers; records and forgets go in the
  // deltas and base copy, the sweep's marks and revocations in the manifest ----
  readLapseTimes(keys: readonly string[]): Promise<Map<string, number>> {
    return this.local.readLapseTimes(keys);
  }

  listPushedRecords(afterKey: string, limit: number): Promise<PushedRecord[]> {
    return this.local.listPushedRecords(afterKey, limit);
  }

  /** Saved as a line that forgets them: a restore replays it after the marks before it. */
  async forgetPushed(keys: readonly string[]): Promise<void> {
    await this.local.forgetPushed(keys);
    if (keys.length === 0) return;
    this.unsaved.push({ expires: 0, keys: [...keys], forget: true });
    await this.counted(keys.length);
  }

  getSweepMarks(): Promise<SweepMarks> {
    return this.local.getSweepMarks();
  }

  async setSweepMarks(marks: SweepMarks): Promise<void> {
    await this.local.setSweepMarks(marks);
    this.sweepMarks = { ...marks };
  }
  getRevocations(): Promise<Map<string, number>> {
    return this.local.getRevocations();
  }

  /** Kept in the manifest too: after a restore, a value flagged again still waits for its deletion. */
  async setRevocations(revocations: ReadonlyMap<string, number>): Promise<void> {
    await this.local.setRevocations(revocations);
    this.revocations = Object.fromEntries(revocations);
  }
  // ---- end of the reconciliation block ----

  // ---- MISP events read whole (docs/architecture.md#state-on-s3): in the local copy only; after a restore from the bucket
  // they are read again (their values, in the bucket's pushed set, are not pushed again) ----
  filterUnreadEvents(eventKeys: readonly string[]): Promise<string[]> {
    return this.local.filterUnreadEvents(eventKeys);
  }

  markEventsRead(eventKeys: readonly string[], ttlMs: number): Promise<void> {
    return this.local.markEventsRead(eventKeys, ttlMs);
  }

  /** Sends what changed; one save at a time. */
  save(): Promise<void> {
    const result = this.saving.then(() => this.saveChanges());
    this.saving = result.catch(() => undefined);
    return result;
  }

  private async saveChanges(): Promise<void> {
    const now = this.clock.now();
    const cursorMoved = this.cursor !== this.manifest.cursor;
    // A grown window is rare and must not be read again after a restart: saved at once.
    const windowGrew = this.appliedWindowDays !== this.manifest.appliedWindowDays;
    const cursorDue = cursorMoved && now - this.manifest.savedAt >= CURSOR_SAVE_INTERVAL_MS;
    // A sweep's marks change at most once a sweep: saved at once, so a restart does not sweep again.
    const marksChanged =
      JSON.stringify(this.sweepMarks) !== JSON.stringify(this.manifest.sweepMarks) ||
      JSON.stringify(this.revocations) !== JSON.stringify(this.manifest.revocations);
    if (this.unsavedKeys === 0 && !windowGrew && !cursorDue && !marksChanged) return;
    const groups = this.unsaved;
    const taken = this.unsavedKeys;
    // Marks made while this save uploads go to the next one.
    this.unsaved = [];
    this.unsavedKeys = 0;
    const startedAt = performance.now();
    try {
      this.manifest = await this.writeChanges(groups, taken, now);
      this.totals.uploads += 1;
      this.totals.ms += performance.now() - startedAt;
    } catch (error) {
      this.unsaved = [...groups, ...this.unsaved];
      this.unsavedKeys += taken;
      throw error;
    }
  }

  /** Uploads a delta (or a new base) and the manifest naming it; returns the manifest saved. */
  private async writeChanges(groups: RecordGroup[], keys: number, now: number): Promise<StateManifest> {
    const next: StateManifest = {
      ...this.manifest,
      cursor: this.cursor,
      appliedWindowDays: this.appliedWindowDays,
      ...(this.sweepMarks === undefined ? {} : { sweepMarks: this.sweepMarks }),
      ...(this.revocations === undefined ? {} : { revocations: this.revocations }),
      savedAt: now,
    };
    if (keys === 0) {
      await this.writeManifest(next);
      return next;
    }
    const delta = await encodeRecords([groups]);
    if (compactionDue(this.manifest, delta.body.length)) return this.compact(next);
    const name = newObjectName('delta', now);
    await this.bucket.put(name, delta.body);
    const saved = {
      ...next,
      deltas: [...next.deltas, name],
      deltaBytes: next.deltaBytes + delta.body.length,
    };
    await this.writeManifest(saved);
    this.totals.deltas += 1;
    this.totals.bytes += delta.body.length;
    return saved;
  }

  /**
   * A new base copy of the whole pushed set (from the local copy, which holds every mark), a
   * manifest naming it alone, then the older objects deleted. A failed delete is harmless: the
   * next compaction deletes what is left.
   */
  private async compact(next: StateManifest): Promise<StateManifest> {
    const base = await encodeRecords(this.local.exportPushed());
    const name = newObjectName('base', next.savedAt);
    await this.bucket.put(name, base.body);
    const saved: StateManifest = {
      ...next,
      base: { name, bytes: base.body.length, keys: base.keys },
      deltas: [],
      deltaBytes: 0,
    };
    await this.writeManifest(saved);
    this.totals.bases += 1;
    this.totals.bytes += base.body.length;
    await this.bucket.deleteAllBut(new Set(['manifest.json', name])).catch(() => undefined);
    return saved;
  }

  private async writeManifest(manifest: StateManifest): Promise<void> {
    this.totals.bytes += await this.bucket.writeManifest(manifest);
  }

  /** Saves what is left, then closes the local copy and the S3 connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.save();
    } finally {
      this.bucket.close();
      await this.local.close();
    }
  }
}
