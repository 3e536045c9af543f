import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MISP_API_KEY, sampleEvents, startMispEmulator, type MispEmulator } from '../emulators/misp';
import {
  DEFAULT_COLLECTION_ID,
  DEFAULT_RUNTIME_TOKEN,
  DEFAULT_SEKOIA_API_KEY,
  startSekoiaEmulator,
  type SekoiaEmulator,
} from '../emulators/sekoia';
import { main, type MainDeps } from '../../src/main';
import type { RunOptions } from '../../src/runtime/types';
import { bannerLines } from './banner';
import { buildDemoEnv } from './demo-env';
import { CHANGE_INTERVAL_MS, startMispChanges } from './misp-changes';
import { summaryLines } from './summary';

export const TRIGGER_COMMAND = 'trigger-misp-ids-to-ioc-collection';

export interface EmulatedRunOptions {
  runOptions: RunOptions;
  /** The flags passed on to main(), e.g. ['--once']. */
  flags: readonly string[];
  /** Directory holding manifest.json and the trigger JSON. */
  cwd: string;
  /** Where the demo's own lines go (the trigger's console too, unless deps say otherwise). */
  out: NodeJS.WritableStream;
  /** The environment the demo was started with. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Passed on to main() (tests: signals, clock, console). @default {} */
  deps?: Omit<MainDeps, 'env' | 'cwd'>;
  /** @default CHANGE_INTERVAL_MS */
  changeIntervalMs?: number;
}

interface Emulators {
  misp: MispEmulator;
  sekoia: SekoiaEmulator;
}

async function startEmulators(): Promise<Emulators> {
  const misp = await startMispEmulator({ events: sampleEvents(Math.floor(Date.now() / 1000)) });
  try {
    const sekoia = await startSekoiaEmulator({
      secrets: { misp_api_key: DEFAULT_MISP_API_KEY, sekoia_api_key: DEFAULT_SEKOIA_API_KEY },
      collections: [DEFAULT_COLLECTION_ID],
    });
    return { misp, sekoia };
  } catch (error) {
    await misp.close();
    throw error;
  }
}

interface DemoFolders {
  tempRoot: string;
  /** The trigger's data path (its state file). */
  dataPath: string;
  /** The runtime's volume (/symphony). */
  volumePath: string;
}

/** A fresh temporary data path and volume, removed with `tempRoot` at the end. */
function makeDemoFolders(): DemoFolders {
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'misp-ids-to-ioc-demo-'));
  const dataPath = path.join(tempRoot, 'data');
  const volumePath = path.join(tempRoot, 'volume');
  fs.mkdirSync(dataPath);
  fs.mkdirSync(volumePath);
  return { tempRoot, dataPath, volumePath };
}

/** The demo's last lines: the summary of a --once run, else why it stopped. */
function endLines(options: EmulatedRunOptions, sekoia: SekoiaEmulator, exitCode: number): string[] {
  if (!options.runOptions.once) {
    return ['[demo] Stopped: the trigger flushed its logs; closing the emulators.'];
  }
  return summaryLines({
    sekoia,
    collectionId: DEFAULT_COLLECTION_ID,
    dryRun: options.runOptions.dryRun,
    exitCode,
  });
}

/**
 * Starts both emulators, hands the trigger its configuration as the runtime would, and runs it
 * in process through main() (the image's code path). Resolves with the exit code.
 */
export async function runWithEmulators(options: EmulatedRunOptions): Promise<number> {
  const baseEnv = options.env ?? process.env;
  const say = (line: string): void => void options.out.write(`${line}\n`);
  const { tempRoot, dataPath, volumePath } = makeDemoFolders();
  const { misp, sekoia } = await startEmulators();
  const changeIntervalMs = options.changeIntervalMs ?? CHANGE_INTERVAL_MS;
  let changes: { stop(): void } | undefined;
  try {
    for (const line of bannerLines({
      mispUrl: misp.url,
      mispEvents: misp.store.events.length,
      mispAttributes: misp.store.size,
      sekoiaUrl: sekoia.url,
      collectionId: DEFAULT_COLLECTION_ID,
      dataPath,
      runOptions: options.runOptions,
      changeIntervalMs,
    })) {
      say(line);
    }
    const env = buildDemoEnv({
      mispUrl: misp.url,
      sekoiaUrl: sekoia.url,
      collectionId: DEFAULT_COLLECTION_ID,
      runtimeToken: DEFAULT_RUNTIME_TOKEN,
      dataPath,
      volumePath,
      base: baseEnv,
    });
    if (!options.runOptions.once) {
      // The first cycle's event (a fresh state always pushes) tells that it is over.
      const firstCycleDone = (): boolean => sekoia.events().length > 0;
      changes = startMispChanges(misp, (line) => say(`[demo] ${line}`), changeIntervalMs, firstCycleDone);
    }
    const exitCode = await main([TRIGGER_COMMAND, ...options.flags], {
      host: '127.0.0.1',
      ...options.deps,
      env,
      cwd: options.cwd,
    });
    changes?.stop();
    for (const line of endLines(options, sekoia, exitCode)) say(line);
    return exitCode;
  } finally {
    changes?.stop();
    await Promise.all([misp.close(), sekoia.close()]);
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
}
