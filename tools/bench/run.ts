import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MISP_PAGE_SIZE } from '../../src/trigger/cycle';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './args';
import type { EmulatorCounters } from './emulator-host';
import {
  buildBenchResult,
  type BenchResult,
  type FloorMeasures,
  type QuietMeasures,
  type ReconcileMeasures,
  type SyncMeasures,
} from './figures';
import type { FloorPlan } from './floor';
import type { S3SaveMeasures } from './s3-save';
import {
  BENCH_DIR,
  expectExit,
  forkChild,
  logTail,
  MAIN_JS,
  readUsage,
  REPO_DIR,
  type BenchChild,
} from './processes';
import {
  DATA_WINDOW_DAYS,
  imageEnvironment,
  triggerEnvironment,
  type EmulatorEndpoints,
} from './trigger-env';

const COMMAND = 'trigger-misp-ids-to-ioc-collection';

interface Description {
  misp: { url: string; apiKey: string; attributes: number };
  sekoia: { url: string; apiKey: string; runtimeToken: string; collectionId: string };
}

function endpointsOf(description: Description): EmulatorEndpoints {
  return {
    mispUrl: description.misp.url,
    mispApiKey: description.misp.apiKey,
    sekoiaUrl: description.sekoia.url,
    sekoiaApiKey: description.sekoia.apiKey,
    runtimeToken: description.sekoia.runtimeToken,
    collectionId: description.sekoia.collectionId,
  };
}

function numberField(event: Record<string, unknown> | undefined, field: string): number | undefined {
  const value = event?.[field];
  return typeof value === 'number' ? value : undefined;
}

/**
 * A reconciliation with nothing to do, in a new trigger process on the synced data path
 * (`--once --reconcile`: a quiet cycle, then the sweep reading the whole window again).
 */
async function measureReconciliation(
  env: NodeJS.ProcessEnv,
  workDir: string,
  counters: () => Promise<EmulatorCounters>,
  children: BenchChild[],
  execArgv: string[],
): Promise<ReconcileMeasures> {
  const usageFile = path.join(workDir, 'usage-reconcile.json');
  const before = await counters();
  const run = forkChild('reconcile', path.join(BENCH_DIR, 'trigger-runner.js'), {
    env: { ...env, BENCH_USAGE_FILE: usageFile, BENCH_RECONCILE: '1' },
    execArgv,
    logFile: path.join(workDir, 'reconcile.log'),
  });
  children.push(run);
  await expectExit(run, 'The reconciliation run');
  const after = await counters();
  const event = after.lastEvent;
  if (event?.kind !== 'reconciliation') {
    throw new Error(`The reconciliation sent no event:\n${logTail(run.logFile)}`);
  }
  const usage = readUsage(usageFile);
  return {
    seconds: numberField(event, 'duration_seconds') ?? 0,
    // The quiet cycle before it asks MISP once.
    mispRequests: after.mispRequests - before.mispRequests - 1,
    sekoiaRequests: after.sekoiaImports - before.sekoiaImports,
    checkListRequests: after.sekoiaListRequests - before.sekoiaListRequests,
    checkEdits: after.sekoiaEdits - before.sekoiaEdits,
    checkListed: numberField((event.collection_check ?? {}) as Record<string, unknown>, 'listed'),
    unchanged: numberField(event, 'unchanged') ?? 0,
    missing: numberField(event, 'missing_pushed') ?? 0,
    refreshed: numberField(event, 'refreshed') ?? 0,
    peakRssKb: usage.maxRssKb,
    cpuMicros: usage.userMicros + usage.systemMicros,
  };
}

/** A bench run's parts: the emulators' process, the trigger's environment, the children to stop. */
interface Run {
  options: BenchOptions;
  workDir: string;
  host: BenchChild;
  endpoints: EmulatorEndpoints;
  description: Description;
  env: NodeJS.ProcessEnv;
  execArgv: string[];
  children: BenchChild[];
  counters(): Promise<EmulatorCounters>;
}

/** Starts the emulators and builds the trigger's environment (the image's, pointed at them). */
async function startRun(options: BenchOptions, workDir: string, children: BenchChild[]): Promise<Run> {
  const host = forkChild('emulators', path.join(BENCH_DIR, 'emulator-host.js'), {
    args: [String(options.attributes), String(options.seed), String(DATA_WINDOW_DAYS)],
    logFile: path.join(workDir, 'emulators.log'),
  });
  children.push(host);
  const ready = await host.channel.next('ready');
  const description = ready.description as Description;
  const endpoints = endpointsOf(description);
  mkdirSync(path.join(workDir, 'volume'));
  const env = triggerEnvironment(
    { ...endpoints, dataPath: path.join(workDir, 'data'), volumePath: path.join(workDir, 'volume') },
    { ...process.env, ...imageEnvironment(readFileSync(path.join(REPO_DIR, 'Dockerfile'), 'utf8')) },
  );
  if (options.pageSize !== undefined) env.BENCH_PAGE_SIZE = String(options.pageSize);
  if (options.iocContext) {
    const trigger = JSON.parse(env.TRIGGER_CONFIGURATION as string) as Record<string, unknown>;
    env.TRIGGER_CONFIGURATION = JSON.stringify({ ...trigger, ioc_context: true });
  }
  const execArgv = options.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProfDir)}`]
    : [];
  const counters = (): Promise<EmulatorCounters> => host.channel.call<EmulatorCounters>('counters');
  return { options, workDir, host, endpoints, description, env, execArgv, children, counters };
}

/** What the sync and the quiet cycle after it measured, and the searches file the floor replays. */
interface SyncRun {
  sync: SyncMeasures;
  quiet: QuietMeasures;
  afterQuiet: EmulatorCounters;
  searchesFile: string;
  floorSearches: number;
  syncSearches: number;
}

/** 1. A full-window sync, then a quiet cycle, in one trigger process. */
async function measureSync(run: Run): Promise<SyncRun> {
  const usageFile = path.join(run.workDir, 'usage-sync.json');
  const start = await run.counters();
  const spawnedAt = Date.now();
  const trigger = forkChild('trigger', path.join(BENCH_DIR, 'trigger-runner.js'), {
    env: { ...run.env, BENCH_USAGE_FILE: usageFile },
    execArgv: run.execArgv,
    logFile: path.join(run.workDir, 'trigger.log'),
  });
  run.children.push(trigger);
  const firstEnd = await trigger.channel.next('cycle-end');
  const afterSync = await run.counters();
  const searchesFile = path.join(run.workDir, 'searches.jsonl');
  const floorSearches = await run.host.channel.call<number>('dumpSearches', searchesFile);
  trigger.channel.tell({ kind: 'next' });
  const secondEnd = await trigger.channel.next('cycle-end');
  const afterQuiet = await run.counters();
  trigger.process.kill('SIGTERM');
  await expectExit(trigger, 'The trigger process');
  const usage = readUsage(usageFile);
  const syncPushed = afterSync.sekoiaValues - start.sekoiaValues;
  const event = afterSync.lastEvent;
  if (numberField(event, 'iocs_pushed') !== syncPushed) {
    throw new Error(
      `The first cycle did not complete (the collection received ${syncPushed} values, its event says ` +
        `${JSON.stringify(event?.iocs_pushed)}):\n${logTail(trigger.logFile)}`,
    );
  }
  const sync: SyncMeasures = {
    wallMs: (firstEnd.at as number) - spawnedAt,
    cycleSeconds: numberField(event, 'duration_seconds'),
    attributesRead: numberField(event, 'attributes_processed') ?? 0,
    iocsPushed: syncPushed,
    peakRssKb: usage.maxRssKb,
    cpuMicros: usage.userMicros + usage.systemMicros,
    emulatorCpuMicros: afterSync.cpuMicros - start.cpuMicros,
    mispRequests: afterSync.mispRequests - start.mispRequests,
    sekoiaRequests: afterSync.sekoiaImports - start.sekoiaImports,
  };
  const quiet: QuietMeasures = {
    mispRequests: afterQuiet.mispRequests - afterSync.mispRequests,
    cpuMicros: (secondEnd.cpuMicros as number) - (firstEnd.cpuMicros as number),
    iocsPushed: afterQuiet.sekoiaValues - afterSync.sekoiaValues,
  };
  const syncSearches = afterSync.mispSearches - start.mispSearches;
  return { sync, quiet, afterQuiet, searchesFile, floorSearches, syncSearches };
}

/** 2. A new process on the same data path: the production entry point, one cycle. Values pushed again. */
async function measureRestart(run: Run, before: EmulatorCounters): Promise<number> {
  const restart = forkChild('restart', MAIN_JS, {
    args: [COMMAND, '--once'],
    env: run.env,
    ipc: false,
    logFile: path.join(run.workDir, 'restart.log'),
  });
  run.children.push(restart);
  await expectExit(restart, 'The restarted trigger');
  return (await run.counters()).sekoiaValues - before.sekoiaValues;
}

/** 3. The state saved to S3 (file_backend S3): the sync's pushed set, then a small cycle, a quiet one, a restore. */
async function measureS3(run: Run): Promise<S3SaveMeasures> {
  const s3Log = path.join(run.workDir, 's3-save.log');
  const s3Save = forkChild('s3-save', path.join(BENCH_DIR, 's3-save.js'), {
    args: [path.join(run.workDir, 'data'), 'default'],
    logFile: s3Log,
  });
  run.children.push(s3Save);
  await expectExit(s3Save, 'The S3 save step');
  return JSON.parse(logTail(s3Log, 1)) as S3SaveMeasures;
}

/** 4. The floor: the same pages and the same bodies, into a cleared collection. */
async function measureFloor(run: Run, synced: SyncRun): Promise<FloorMeasures> {
  const bodiesFile = path.join(run.workDir, 'bodies.jsonl');
  await run.host.channel.call('dumpBodies', bodiesFile);
  await run.host.channel.call('clear');
  const plan: FloorPlan = { ...run.endpoints, searchesFile: synced.searchesFile, bodiesFile };
  const planFile = path.join(run.workDir, 'floor-plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const beforeFloor = await run.counters();
  const floorLog = path.join(run.workDir, 'floor.log');
  const floor = forkChild('floor', path.join(BENCH_DIR, 'floor.js'), { args: [planFile], logFile: floorLog });
  run.children.push(floor);
  await expectExit(floor, 'The floor');
  const measures = JSON.parse(logTail(floorLog, 1)) as FloorMeasures;
  measures.emulatorCpuMicros = (await run.counters()).cpuMicros - beforeFloor.cpuMicros;
  if (measures.pages !== synced.floorSearches || synced.floorSearches !== synced.syncSearches) {
    throw new Error(`The floor made ${measures.pages} MISP searches, the trigger ${synced.syncSearches}`);
  }
  return measures;
}

async function runBench(options: BenchOptions, workDir: string): Promise<BenchResult> {
  const children: BenchChild[] = [];
  try {
    const run = await startRun(options, workDir, children);
    const synced = await measureSync(run);
    const iocsPushedAgain = await measureRestart(run, synced.afterQuiet);
    // 2b. A reconciliation with nothing to do, in another process on the same data path.
    const reconcile = await measureReconciliation(run.env, workDir, run.counters, children, run.execArgv);
    const s3 = await measureS3(run);
    const floor = await measureFloor(run, synced);
    return buildBenchResult({
      attributes: run.description.misp.attributes ?? options.attributes,
      seed: options.seed,
      pageSize: options.pageSize ?? MISP_PAGE_SIZE,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      sync: synced.sync,
      quiet: synced.quiet,
      iocsPushedAgain,
      floor,
      s3,
      reconcile,
    });
  } finally {
    for (const child of children.reverse()) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
    }
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${BENCH_USAGE}\n`);
    return 2;
  }
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'misp-ids-to-ioc-bench-'));
  try {
    const result = await runBench(options, workDir);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    rmSync(workDir, { recursive: true, force: true });
    return 0;
  } catch (error) {
    process.stderr.write(
      `Bench failed: ${error instanceof Error ? error.message : String(error)}\n(logs kept in ${workDir})\n`,
    );
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
