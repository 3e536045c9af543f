import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { MispAttributeQuery } from '../../src/misp/types';
import { MISP_PAGE_SIZE } from '../../src/trigger/cycle';
import { startCountingProxy, totalRequests, type CountingProxy } from './counting-proxy';
import type { EmulatorCounters } from './emulator-host';
import { clockTicksPerSecond, cpuSpent, mispCpuSnapshot, type CpuSnapshot } from './misp-processes';
import { expectExit, forkChild, logTail, readUsage, REPO_DIR, BENCH_DIR, type BenchChild } from './processes';
import { FLOOR_PAGE_SIZE, type FloorRequest, type RealFloorMeasures } from './real-misp-floor';
import { imageEnvironment, PUBLISH_DAYS, triggerEnvironment } from './trigger-env';

export const REAL_MISP_USAGE = `Usage: MISP_URL=... MISP_KEY=... npm run -s bench:real-misp -- [--processes MARK,...] [--page-size P]
Runs the trigger's full sync against the MISP at MISP_URL (the Sekoia.io emulator on the other side),
then MISP's floor (one plain JSON export of the same attributes, pages of ${FLOOR_PAGE_SIZE}), and prints
one JSON object: requests, MISP's CPU (its PHP and database processes on this machine, from /proc),
wall time, the trigger's CPU and peak RSS. Seed MISP first (tools/bench/README.md).
  --processes M,...  MISP's processes are the PHP/MariaDB ones whose command line holds one of these
                     (default: MISP_URL's host:port, which finds PHP's built-in server; add the
                     database's data directory)
  --page-size P      the trigger's restSearch page size (default: its MISP_PAGE_SIZE)`;

export interface RealMispOptions {
  mispUrl: string;
  mispKey: string;
  marks: string[];
  pageSize?: number;
}

/** Reads the command line and MISP_URL / MISP_KEY; throws naming what is missing. */
export function parseRealMispArgs(argv: readonly string[], env: NodeJS.ProcessEnv): RealMispOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { processes: { type: 'string' }, 'page-size': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const mispUrl = env.MISP_URL?.trim();
  const mispKey = env.MISP_KEY?.trim();
  if (!mispUrl || !mispKey)
    throw new Error('MISP_URL and MISP_KEY must be set (the MISP to measure and its API key)');
  const marks = [new URL(mispUrl).host, ...(values.processes ?? '').split(',')].filter(
    (mark) => mark.trim() !== '',
  );
  const options: RealMispOptions = { mispUrl, mispKey, marks };
  if (values['page-size'] !== undefined) {
    if (!/^[1-9]\d*$/.test(values['page-size']))
      throw new Error(`--page-size must be a whole number >= 1, got "${values['page-size']}"`);
    options.pageSize = Number(values['page-size']);
  }
  return options;
}

/** The figures of one side (the trigger's sync, or the floor). */
export interface SideFigures {
  misp_requests: number;
  misp_requests_by_path: Record<string, number>;
  misp_cpu_s: number;
  misp_cpu_by_process: Record<string, number>;
  wall_s: number;
  cpu_s: number;
  peak_rss_mb: number;
}

/** What MISP spent between two snapshots and what went through the proxy meanwhile. */
function mispSide(
  before: { cpu: CpuSnapshot; counts: Record<string, number> },
  after: { cpu: CpuSnapshot; counts: Record<string, number> },
): Pick<SideFigures, 'misp_requests' | 'misp_requests_by_path' | 'misp_cpu_s' | 'misp_cpu_by_process'> {
  const byPath: Record<string, number> = {};
  for (const [where, count] of Object.entries(after.counts)) {
    const made = count - (before.counts[where] ?? 0);
    if (made > 0) byPath[where] = made;
  }
  const spent = cpuSpent(before.cpu, after.cpu, clockTicksPerSecond());
  const byProcess = Object.fromEntries(Object.entries(spent.byName).map(([name, s]) => [name, round(s, 2)]));
  return {
    misp_requests: totalRequests(byPath),
    misp_requests_by_path: byPath,
    misp_cpu_s: round(spent.total, 2),
    misp_cpu_by_process: byProcess,
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The attributes the trigger reads with its default configuration over PUBLISH_DAYS days. */
function triggerQuery(nowMs: number): MispAttributeQuery {
  const schema = JSON.parse(readFileSync(path.join(REPO_DIR, 'trigger_misp_ids_to_ioc.json'), 'utf8')) as {
    arguments: { properties: Record<string, { default?: unknown }> };
  };
  const defaults = schema.arguments.properties;
  const now = Math.floor(nowMs / 1000);
  return {
    publishFrom: now - PUBLISH_DAYS * 86_400,
    publishTo: now,
    types: defaults.attribute_types.default as string[],
    enforceWarninglist: defaults.enforce_warninglist.default as boolean,
    pageSize: FLOOR_PAGE_SIZE,
  };
}

interface Context {
  options: RealMispOptions;
  workDir: string;
  proxy: CountingProxy;
  children: BenchChild[];
  snapshot(): { cpu: CpuSnapshot; counts: Record<string, number> };
}

/** MISP's floor: the export in a child process, MISP's CPU around it. */
async function measureFloor(context: Context, name: string): Promise<SideFigures & { attributes: number }> {
  const request: FloorRequest = {
    mispUrl: context.proxy.url,
    mispApiKey: context.options.mispKey,
    query: triggerQuery(Date.now()),
  };
  const requestFile = path.join(context.workDir, `${name}.json`);
  writeFileSync(requestFile, JSON.stringify(request));
  const logFile = path.join(context.workDir, `${name}.log`);
  const before = context.snapshot();
  const floor = forkChild(name, path.join(BENCH_DIR, 'real-misp-floor.js'), { args: [requestFile], logFile });
  context.children.push(floor);
  await expectExit(floor, 'The MISP floor');
  const after = context.snapshot();
  const measures = JSON.parse(logTail(logFile, 1)) as RealFloorMeasures;
  return {
    ...mispSide(before, after),
    wall_s: round(measures.wallMs / 1000, 2),
    cpu_s: round(measures.cpuMicros / 1e6, 2),
    peak_rss_mb: round(measures.peakRssKb / 1024, 1),
    attributes: measures.attributes,
  };
}

/** The Sekoia.io emulator alone, in its own process (the bench's emulator host). */
async function startSekoia(context: Context): Promise<{ host: BenchChild; sekoia: Record<string, string> }> {
  const host = forkChild('emulators', path.join(BENCH_DIR, 'emulator-host.js'), {
    args: ['none', '1', '0'],
    logFile: path.join(context.workDir, 'emulators.log'),
  });
  context.children.push(host);
  const ready = await host.channel.next('ready');
  return { host, sekoia: (ready.description as { sekoia: Record<string, string> }).sekoia };
}

/** The trigger's first cycle (a full sync) in its own process, MISP's CPU around it. */
async function measureSync(
  context: Context,
): Promise<SideFigures & { attributes_read: number; iocs_pushed: number }> {
  const { host, sekoia } = await startSekoia(context);
  mkdirSync(path.join(context.workDir, 'volume'));
  const env = triggerEnvironment(
    {
      mispUrl: context.proxy.url,
      mispApiKey: context.options.mispKey,
      sekoiaUrl: sekoia.url,
      sekoiaApiKey: sekoia.apiKey,
      runtimeToken: sekoia.runtimeToken,
      collectionId: sekoia.collectionId,
      dataPath: path.join(context.workDir, 'data'),
      volumePath: path.join(context.workDir, 'volume'),
    },
    { ...process.env, ...imageEnvironment(readFileSync(path.join(REPO_DIR, 'Dockerfile'), 'utf8')) },
  );
  if (context.options.pageSize !== undefined) env.BENCH_PAGE_SIZE = String(context.options.pageSize);
  const usageFile = path.join(context.workDir, 'usage-sync.json');
  const before = context.snapshot();
  const spawnedAt = Date.now();
  const trigger = forkChild('trigger', path.join(BENCH_DIR, 'trigger-runner.js'), {
    env: { ...env, BENCH_USAGE_FILE: usageFile },
    logFile: path.join(context.workDir, 'trigger.log'),
  });
  context.children.push(trigger);
  const end = await trigger.channel.next('cycle-end');
  const after = context.snapshot();
  const counters = await host.channel.call<EmulatorCounters>('counters');
  trigger.process.kill('SIGTERM');
  await expectExit(trigger, 'The trigger process');
  const event = counters.lastEvent;
  if (event?.iocs_pushed !== counters.sekoiaValues) {
    throw new Error(
      `The sync did not complete (event: ${JSON.stringify(event)}):\n${logTail(trigger.logFile)}`,
    );
  }
  return {
    ...mispSide(before, after),
    wall_s: round(((end.at as number) - spawnedAt) / 1000, 2),
    cpu_s: round((end.cpuMicros as number) / 1e6, 2),
    peak_rss_mb: round(readUsage(usageFile).maxRssKb / 1024, 1),
    attributes_read: Number(event.attributes_processed ?? 0),
    iocs_pushed: counters.sekoiaValues,
  };
}

/** Floor, sync, floor again: the floor's MISP CPU is their mean (MISP's caches warm as it goes). */
async function runRealMispBench(options: RealMispOptions, workDir: string): Promise<Record<string, unknown>> {
  const proxy = await startCountingProxy(options.mispUrl);
  const context: Context = {
    options,
    workDir,
    proxy,
    children: [],
    snapshot: () => ({ cpu: mispCpuSnapshot(options.marks), counts: proxy.counts() }),
  };
  try {
    const processes = [...context.snapshot().cpu.values()].map(({ name }) => name);
    if (
      !processes.some((name) => /^php/.test(name)) ||
      !processes.some((name) => /^(mariadbd|mysqld)$/.test(name))
    ) {
      throw new Error(
        `MISP's PHP and database processes were not both found (found: ${processes.join(', ') || 'none'}): pass --processes with marks of their command lines`,
      );
    }
    const floorBefore = await measureFloor(context, 'floor-1');
    const sync = await measureSync(context);
    const floorAfter = await measureFloor(context, 'floor-2');
    const floorCpu = (floorBefore.misp_cpu_s + floorAfter.misp_cpu_s) / 2;
    return {
      misp: { url: new URL(options.mispUrl).origin, processes: processes.length },
      machine: {
        cpus: os.cpus().length,
        node: process.version,
        load_average: os.loadavg().map((l) => round(l, 2)),
      },
      page_size: options.pageSize ?? MISP_PAGE_SIZE,
      sync,
      floor: floorAfter,
      floor_first: floorBefore,
      misp_cpu_ratio_to_floor: round(sync.misp_cpu_s / floorCpu, 2),
      wall_ratio_to_floor: round(sync.wall_s / ((floorBefore.wall_s + floorAfter.wall_s) / 2), 2),
    };
  } finally {
    for (const child of context.children.reverse()) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
    }
    await proxy.close();
  }
}

async function main(): Promise<number> {
  let options: RealMispOptions;
  try {
    options = parseRealMispArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${REAL_MISP_USAGE}\n`);
    return 2;
  }
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'misp-ids-to-ioc-real-misp-'));
  try {
    const result = await runRealMispBench(options, workDir);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    rmSync(workDir, { recursive: true, force: true });
    return 0;
  } catch (error) {
    process.stderr.write(
      `Real-MISP bench failed: ${error instanceof Error ? error.message : String(error)}\n(logs kept in ${workDir})\n`,
    );
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
