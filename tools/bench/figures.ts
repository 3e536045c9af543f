/** The bench's figures: pure arithmetic and the shape of the JSON it prints. */
import type { S3SaveMeasures } from './s3-save';

export interface MachineInfo {
  cpus: number;
  model: string;
  node: string;
}

/** The first cycle of the trigger process: a full-window sync. */
export interface SyncMeasures {
  /** From spawning the trigger process to the end of its first cycle. */
  wallMs: number;
  /** The cycle's own duration, from the event it sent (undefined when no event came). */
  cycleSeconds?: number;
  /** MISP attributes the cycle read (its event's attributes_processed). */
  attributesRead: number;
  /** Values the IOC Collection received during the sync. */
  iocsPushed: number;
  /** Peak resident set of the trigger process (its whole life), in KiB. */
  peakRssKb: number;
  /** User + system CPU of the trigger process (its whole life), in microseconds. */
  cpuMicros: number;
  /** User + system CPU of the emulators during the sync, in microseconds. */
  emulatorCpuMicros: number;
  mispRequests: number;
  /** Text imports the IOC Collection accepted. */
  sekoiaRequests: number;
}

export interface QuietMeasures {
  mispRequests: number;
  /** User + system CPU of the trigger process during the cycle, in microseconds. */
  cpuMicros: number;
  /** Values the IOC Collection received during the cycle (expected 0). */
  iocsPushed: number;
}

export interface FloorMeasures {
  wallMs: number;
  pages: number;
  posts: number;
  /** User + system CPU of the floor process during its loop, in microseconds. */
  cpuMicros: number;
  /** Filled by the bench: CPU of the emulators during the floor's loop. */
  emulatorCpuMicros?: number;
}

/** A reconciliation with nothing to do (--reconcile --once, after the sync): a quiet cycle, then the sweep. */
export interface ReconcileMeasures {
  /** The sweep's own duration, from its event. */
  seconds: number;
  /** MISP requests of the sweep (the process' minus its quiet cycle's one). */
  mispRequests: number;
  /** Text imports during the run (expected 0: nothing to push). */
  sekoiaRequests: number;
  /** The collection check's reads of the indicator list (pages of 100 and look-ups by value). */
  checkListRequests: number;
  /** The collection check's PUTs (new valid_until). */
  checkEdits: number;
  /** Indicators the check listed (undefined: the check did not run). */
  checkListed: number | undefined;
  /** Values the sweep found unchanged, missing and to refresh (from its event). */
  unchanged: number;
  missing: number;
  refreshed: number;
  /** Peak resident set and CPU of the process (its whole life). */
  peakRssKb: number;
  cpuMicros: number;
}

export interface BenchInput {
  attributes: number;
  seed: number;
  pageSize: number;
  machine: MachineInfo;
  sync: SyncMeasures;
  quiet: QuietMeasures;
  /** Values the IOC Collection received from a new process on the same data path. */
  iocsPushedAgain: number;
  floor: FloorMeasures;
  /** The state saved to S3: the sync's, a 300-IOC cycle's, a quiet cycle's; a restore. */
  s3: S3SaveMeasures;
  reconcile?: ReconcileMeasures;
}

export interface BenchResult {
  attributes: number;
  attributes_read: number;
  iocs_pushed: number;
  wall_s: number;
  cycle_s: number | null;
  attributes_per_s: number;
  peak_rss_mb: number;
  misp_requests: number;
  sekoia_requests: number;
  floor_wall_s: number;
  ratio_to_floor: number;
  quiet_cycle: { misp_requests: number; cpu_ms: number; iocs_pushed: number };
  /** Where the CPU went (seconds): trigger and emulators during the sync, floor and emulators during the floor. */
  cpu_s: { trigger: number; emulators_sync: number; floor: number; emulators_floor: number | null };
  restart: { iocs_pushed_again: number };
  s3_state: S3SaveMeasures;
  /** The reconciliation with nothing to do; its ratio is over the floor's wall time. */
  reconciliation?: {
    seconds: number;
    ratio_to_floor: number;
    misp_requests: number;
    sekoia_requests: number;
    /** The collection check inside the sweep: what it listed and its requests. */
    collection_check: { listed: number | null; list_requests: number; put_requests: number };
    unchanged: number;
    missing: number;
    refreshed: number;
    peak_rss_mb: number;
    cpu_s: number;
  };
  page_size: number;
  seed: number;
  machine: MachineInfo;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Our wall time over the floor's; throws on a floor that is not a positive time. */
export function ratioToFloor(wallMs: number, floorWallMs: number): number {
  if (!(floorWallMs > 0) || !Number.isFinite(floorWallMs)) {
    throw new RangeError(`The floor's wall time must be a positive number of ms, got ${floorWallMs}`);
  }
  return wallMs / floorWallMs;
}

/** Items per second over `wallMs`; 0 for an empty or instant run. */
export function perSecond(items: number, wallMs: number): number {
  return wallMs > 0 ? (items * 1000) / wallMs : 0;
}

/** KiB (as process.resourceUsage().maxRSS gives it) to MB (10^6 bytes). */
export function kibToMb(kib: number): number {
  return (kib * 1024) / 1e6;
}

function reconciliationFigures(
  measures: ReconcileMeasures,
  floor: FloorMeasures,
): BenchResult['reconciliation'] {
  return {
    seconds: round(measures.seconds, 3),
    ratio_to_floor: round(ratioToFloor(measures.seconds * 1000, floor.wallMs), 3),
    misp_requests: measures.mispRequests,
    sekoia_requests: measures.sekoiaRequests,
    collection_check: {
      listed: measures.checkListed ?? null,
      list_requests: measures.checkListRequests,
      put_requests: measures.checkEdits,
    },
    unchanged: measures.unchanged,
    missing: measures.missing,
    refreshed: measures.refreshed,
    peak_rss_mb: round(kibToMb(measures.peakRssKb), 1),
    cpu_s: round(measures.cpuMicros / 1e6, 2),
  };
}

/** The one JSON object the bench prints. */
export function buildBenchResult(input: BenchInput): BenchResult {
  const { sync, quiet, floor } = input;
  const reconciliation = input.reconcile
    ? { reconciliation: reconciliationFigures(input.reconcile, floor) }
    : {};
  return {
    attributes: input.attributes,
    attributes_read: sync.attributesRead,
    iocs_pushed: sync.iocsPushed,
    wall_s: round(sync.wallMs / 1000, 3),
    cycle_s: sync.cycleSeconds === undefined ? null : round(sync.cycleSeconds, 3),
    attributes_per_s: Math.round(perSecond(sync.attributesRead, sync.wallMs)),
    peak_rss_mb: round(kibToMb(sync.peakRssKb), 1),
    misp_requests: sync.mispRequests,
    sekoia_requests: sync.sekoiaRequests,
    floor_wall_s: round(floor.wallMs / 1000, 3),
    ratio_to_floor: round(ratioToFloor(sync.wallMs, floor.wallMs), 3),
    quiet_cycle: {
      misp_requests: quiet.mispRequests,
      cpu_ms: round(quiet.cpuMicros / 1000, 1),
      iocs_pushed: quiet.iocsPushed,
    },
    cpu_s: {
      trigger: round(sync.cpuMicros / 1e6, 2),
      emulators_sync: round(sync.emulatorCpuMicros / 1e6, 2),
      floor: round(floor.cpuMicros / 1e6, 2),
      emulators_floor: floor.emulatorCpuMicros === undefined ? null : round(floor.emulatorCpuMicros / 1e6, 2),
    },
    restart: { iocs_pushed_again: input.iocsPushedAgain },
    s3_state: input.s3,
    ...reconciliation,
    page_size: input.pageSize,
    seed: input.seed,
    machine: input.machine,
  };
}
