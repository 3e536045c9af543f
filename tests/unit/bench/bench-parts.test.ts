import { parseBenchArgs, DEFAULT_ATTRIBUTES } from '../../../tools/bench/args';
import {
  buildBenchResult,
  kibToMb,
  perSecond,
  ratioToFloor,
  type BenchInput,
} from '../../../tools/bench/figures';
import { bodiesDueAfter } from '../../../tools/bench/floor';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CYCLE_SLEEP_SECONDS,
  imageEnvironment,
  PUBLISH_DAYS,
  triggerEnvironment,
} from '../../../tools/bench/trigger-env';

const input: BenchInput = {
  attributes: 1000,
  seed: 7,
  pageSize: 2000,
  machine: { cpus: 2, model: 'Test CPU', node: 'v20.0.0' },
  sync: {
    wallMs: 3000,
    cycleSeconds: 2.5,
    attributesRead: 600,
    iocsPushed: 450,
    peakRssKb: 102400,
    cpuMicros: 2_500_000,
    emulatorCpuMicros: 1_000_000,
    mispRequests: 3,
    sekoiaRequests: 4,
  },
  quiet: { mispRequests: 1, cpuMicros: 4321, iocsPushed: 0 },
  iocsPushedAgain: 0,
  floor: { wallMs: 2000, pages: 1, posts: 4, cpuMicros: 500_000, emulatorCpuMicros: 700_000 },
  s3: {
    keys: 450,
    sync_save_s: 0.2,
    sync_uploaded_mb: 0.1,
    base_mb: 0,
    cycle_300: { save_ms: 12.5, uploaded_kb: 3.1 },
    quiet_cycle: { uploaded_bytes: 0 },
    restore_s: 0.1,
  },
};

describe('parseBenchArgs', () => {
  it('takes the defaults when nothing is given', () => {
    expect(parseBenchArgs([])).toEqual({ attributes: DEFAULT_ATTRIBUTES, seed: 1 });
  });

  it('reads every option', () => {
    expect(
      parseBenchArgs(['--attributes', '1000000', '--seed', '0', '--page-size', '5000', '--cpu-prof', 'prof']),
    ).toEqual({ attributes: 1_000_000, seed: 0, pageSize: 5000, cpuProfDir: 'prof' });
  });

  it('refuses values that are not whole numbers, naming the option', () => {
    expect(() => parseBenchArgs(['--attributes', '1e6'])).toThrow('--attributes must be a whole number');
    expect(() => parseBenchArgs(['--attributes', '0'])).toThrow('at least 1, got "0"');
    expect(() => parseBenchArgs(['--page-size', '-5'])).toThrow('--page-size');
    expect(() => parseBenchArgs(['--seed', 'x'])).toThrow('--seed must be a whole number of at least 0');
  });

  it('refuses unknown options and an empty profile directory', () => {
    expect(() => parseBenchArgs(['--attributess', '5'])).toThrow(/attributess/);
    expect(() => parseBenchArgs(['--cpu-prof', ' '])).toThrow('--cpu-prof needs a directory');
  });
});

describe('figures', () => {
  it('computes the ratio to the floor, and refuses a floor that is no time', () => {
    expect(ratioToFloor(3000, 2000)).toBe(1.5);
    expect(() => ratioToFloor(3000, 0)).toThrow(RangeError);
    expect(() => ratioToFloor(3000, Number.NaN)).toThrow(RangeError);
  });

  it('computes rates and units', () => {
    expect(perSecond(600, 3000)).toBe(200);
    expect(perSecond(600, 0)).toBe(0);
    expect(kibToMb(1000)).toBeCloseTo(1.024, 6);
  });

  it('prints one object with the fields the issue asks for, rounded', () => {
    const result = buildBenchResult(input);
    expect(result).toEqual({
      attributes: 1000,
      attributes_read: 600,
      iocs_pushed: 450,
      wall_s: 3,
      cycle_s: 2.5,
      attributes_per_s: 200,
      peak_rss_mb: 104.9,
      misp_requests: 3,
      sekoia_requests: 4,
      floor_wall_s: 2,
      ratio_to_floor: 1.5,
      quiet_cycle: { misp_requests: 1, cpu_ms: 4.3, iocs_pushed: 0 },
      cpu_s: { trigger: 2.5, emulators_sync: 1, floor: 0.5, emulators_floor: 0.7 },
      restart: { iocs_pushed_again: 0 },
      s3_state: input.s3,
      page_size: 2000,
      seed: 7,
      machine: { cpus: 2, model: 'Test CPU', node: 'v20.0.0' },
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('adds the reconciliation with nothing to do, its time over the floor', () => {
    const result = buildBenchResult({
      ...input,
      reconcile: {
        seconds: 3,
        mispRequests: 3,
        sekoiaRequests: 0,
        checkListRequests: 5,
        checkEdits: 2,
        checkListed: 450,
        unchanged: 450,
        missing: 0,
        refreshed: 0,
        peakRssKb: 102400,
        cpuMicros: 1_250_000,
      },
    });
    expect(result.reconciliation).toEqual({
      seconds: 3,
      ratio_to_floor: 1.5,
      misp_requests: 3,
      sekoia_requests: 0,
      collection_check: { listed: 450, list_requests: 5, put_requests: 2 },
      unchanged: 450,
      missing: 0,
      refreshed: 0,
      peak_rss_mb: 104.9,
      cpu_s: 1.25,
    });
    expect(buildBenchResult(input).reconciliation).toBeUndefined();
  });

  it('writes null for a cycle time it did not get', () => {
    const result = buildBenchResult({ ...input, sync: { ...input.sync, cycleSeconds: undefined } });
    expect(result.cycle_s).toBeNull();
  });
});

describe('bodiesDueAfter', () => {
  it('spreads the bodies evenly over the pages, all of them after the last', () => {
    expect([1, 2, 3, 4].map((page) => bodiesDueAfter(page, 4, 10))).toEqual([2, 5, 7, 10]);
    expect(bodiesDueAfter(5, 4, 10)).toBe(10);
    expect(bodiesDueAfter(1, 0, 10)).toBe(10);
  });
});

describe('imageEnvironment', () => {
  it("reads the ENV instructions of the Dockerfile's last stage only", () => {
    const dockerfile = [
      'FROM node:20-slim AS builder',
      'ENV BUILD_ONLY=1',
      'FROM node:20-slim',
      'ENV NODE_ENV=production MALLOC_ARENA_MAX=2',
      'env QUOTED="a b" EMPTY=',
      'RUN echo ENV=not-an-instruction',
    ].join('\n');
    expect(imageEnvironment(dockerfile)).toEqual({
      NODE_ENV: 'production',
      MALLOC_ARENA_MAX: '2',
      QUOTED: 'a b',
      EMPTY: '',
    });
  });

  it("gives the bench the project's image variables", () => {
    const dockerfile = readFileSync(path.resolve(__dirname, '../../../Dockerfile'), 'utf8');
    expect(imageEnvironment(dockerfile)).toMatchObject({
      NODE_ENV: 'production',
      MALLOC_ARENA_MAX: '2',
      NODE_OPTIONS: '--max-semi-space-size=8',
    });
  });
});

describe('triggerEnvironment', () => {
  const endpoints = {
    mispUrl: 'http://127.0.0.1:1',
    mispApiKey: 'misp-key',
    sekoiaUrl: 'http://127.0.0.1:2',
    sekoiaApiKey: 'sekoia-key',
    runtimeToken: 'token',
    collectionId: 'ioc-collection--00000000-0000-4000-8000-000000000001',
  };

  it('hands the configuration over as the runtime does, without proxies', () => {
    const env = triggerEnvironment(
      { ...endpoints, dataPath: '/tmp/data', volumePath: '/tmp/volume' },
      { HTTPS_PROXY: 'http://proxy:8080', http_proxy: 'http://proxy:8080', PATH: '/bin' },
    );
    expect(env.HTTPS_PROXY).toBeUndefined();
    expect(env.http_proxy).toBeUndefined();
    expect(env.PATH).toBe('/bin');
    expect(JSON.parse(env.MODULE_CONFIGURATION as string)).toEqual({
      misp_url: endpoints.mispUrl,
      misp_api_key: 'misp-key',
      sekoia_api_key: 'sekoia-key',
    });
    expect(JSON.parse(env.TRIGGER_CONFIGURATION as string)).toEqual({
      ioc_collection_server: endpoints.sekoiaUrl,
      ioc_collection_uuid: endpoints.collectionId,
      publish_timestamp: PUBLISH_DAYS,
      sleep_time: CYCLE_SLEEP_SECONDS,
    });
    expect(env).toMatchObject({
      URL_CALLBACK: 'http://127.0.0.1:2/callback',
      TOKEN: 'token',
      LIVENESS_PORT: '0',
      METRICS_PORT: '0',
      SYMPHONY_DATA_PATH: '/tmp/data',
      SYMPHONY_VOLUME_PATH: '/tmp/volume',
    });
  });
});
