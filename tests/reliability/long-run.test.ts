import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { STATE_FILE_NAME } from '../../src/state';
import { waitFor } from '../helpers/e2e-clock';
import { LoopClock } from '../helpers/reliability-clock';
import { ReliabilityWorld } from '../helpers/reliability-world';
import type { ReliabilityRun } from '../helpers/reliability-world';

/**
 * 1,000 cycles in one process, back to back (the injected clock ends each 300 s sleep at once),
 * against the emulators, with 2 new IOCs every 10 cycles. Heap, open handles and the state file are
 * measured after cycle 100 and after cycle 1,000: they must stay flat.
 */
const CYCLES = 1000;
const EARLY = 100;
const NEW_EVERY = 10;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** SQLite's default wal_autocheckpoint (pages) frames (24-byte header + 4 KiB page each): the WAL file's high-water mark. */
const WAL_BOUND_BYTES = 32 + 1000 * (24 + 4096) + 64 * 1024;

interface Measure {
  heapUsed: number;
  handles: number;
  /** The state file itself. */
  stateBytes: number;
  /** Its write-ahead log: grows to the checkpoint size, then is reused (not shrunk). */
  walBytes: number;
}

function sizeOf(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

describe('a long run', () => {
  let world: ReliabilityWorld | undefined;
  afterAll(() => world?.close());

  it(`${CYCLES} cycles: heap, open handles and the state file stay flat; every new IOC is pushed once`, async () => {
    const measures: Record<number, Measure> = {};
    const added: string[] = [];
    const current: { run?: ReliabilityRun } = {};
    const measure = (): Measure => {
      gc();
      const file = path.join(world!.dataPath, STATE_FILE_NAME);
      return {
        heapUsed: process.memoryUsage().heapUsed,
        handles: process.getActiveResourcesInfo().length,
        stateBytes: sizeOf(file),
        walBytes: sizeOf(`${file}-wal`),
      };
    };
    const clock = new LoopClock((cycle) => {
      if (cycle === EARLY || cycle === CYCLES) measures[cycle] = measure();
      if (cycle === CYCLES) current.run?.signals.fire('SIGTERM');
      if (cycle % NEW_EVERY === 0) {
        const values = [`198.18.${Math.floor(cycle / 250)}.${cycle % 250}`, `c${cycle}.long-run.example`];
        world!.misp.addAttributes(
          2,
          [
            { type: 'ip-dst', value: values[0], to_ids: true },
            { type: 'domain', value: values[1], to_ids: true },
          ],
          { publish: true },
        );
        added.push(...values);
      }
    });
    world = await ReliabilityWorld.start({ clock });
    const started = Date.now();
    const run = world.run({ trigger: { sleep_time: 300 } });
    current.run = run;
    await expect(run.exit).resolves.toBe(0);
    const seconds = (Date.now() - started) / 1000;

    const early = measures[EARLY];
    const late = measures[CYCLES];
    const figures = {
      seconds,
      heapMiB: [early.heapUsed, late.heapUsed].map((bytes) => +(bytes / 2 ** 20).toFixed(1)),
      handles: [early.handles, late.handles],
      stateKiB: [early.stateBytes, late.stateBytes].map((bytes) => +(bytes / 1024).toFixed(1)),
      walKiB: [early.walBytes, late.walBytes].map((bytes) => +(bytes / 1024).toFixed(1)),
    };
    process.stdout.write(`reliability long run: ${JSON.stringify(figures)}\n`);

    expect(run.console.text.match(/Cycle done/g)).toHaveLength(CYCLES);
    expect(run.console.text).not.toMatch(/ERROR|CRITICAL/);
    // Heap: a leak of one MISP page per cycle would add tens of MB over 900 cycles; the emulators'
    // own records of 900 cycles (logs, events, 180 IOCs) weigh a few MB at most.
    expect(late.heapUsed - early.heapUsed).toBeLessThan(8 * 2 ** 20);
    expect(late.handles).toBeLessThanOrEqual(early.handles + 2);
    // Stopped: the trigger closed its servers and connections (the emulators' ends close as the FINs
    // arrive); fewer are left than while it ran.
    await waitFor('the handles to settle', () => process.getActiveResourcesInfo().length < early.handles);
    process.stdout.write(
      `reliability long run: handles after stop ${process.getActiveResourcesInfo().length}\n`,
    );
    // The state holds 180 more keys (about 100 bytes each) and one cursor: no per-cycle growth. Its
    // write-ahead log takes each cycle's commit until SQLite checkpoints it, then is reused: bounded.
    expect(late.stateBytes - early.stateBytes).toBeLessThan(64 * 1024);
    expect(late.walBytes).toBeLessThanOrEqual(WAL_BOUND_BYTES);

    const values = world.collectionIocs().map((ioc) => ioc.value);
    expect(values).toEqual(expect.arrayContaining(added.filter((_, index) => index < added.length - 2)));
    expect(world.repushed()).toBe(0);
    world.expectNoSecret();
    // About 7 s alone on 2 cores; the whole suite beside it on a loaded machine has taken over 30 s.
  }, 120_000);
});
