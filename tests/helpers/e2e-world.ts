import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultRule } from '../../tools/emulators/faults';
import {
  DEFAULT_WARNINGLIST,
  sampleEvents,
  startMispEmulator,
  type MispEmulator,
  type MispEventDocument,
  type MispQuirks,
} from '../../tools/emulators/misp';
import { startSekoiaEmulator, type SekoiaEmulator } from '../../tools/emulators/sekoia';
import { main } from '../../src/main';
import { runTrigger, type RunTriggerOptions } from '../../src/runtime';
import type { MonitoringPorts } from '../../src/runtime/monitoring';
import type { AnyTriggerDefinition } from '../../src/triggers';
import { GatedClock } from './e2e-clock';
import { DEFAULT_TYPES, expectedCollection, sortIocs, type ExpectedIoc } from './e2e-expected';
import { ConsoleCapture, ManualSignals, REPO_ROOT } from './runtime-fixtures';

/** Distinctive secrets: any of them showing up in captured output is a leak. */
export const E2E_MISP_KEY = 'e2e-MISP-key-5f0c2a9e7d3b4186';
export const E2E_SEKOIA_KEY = 'e2e-SEKOIA-key-8b1d4e6f2a9c7350';
export const E2E_TOKEN = 'e2e-RUNTIME-token-3c7e9a1f5d2b8046';
export const E2E_SECRETS = [E2E_MISP_KEY, E2E_SEKOIA_KEY, E2E_TOKEN] as const;
export const E2E_COLLECTION = 'ioc-collection--e2e0e2e0-1111-4222-8333-444455556666';
export const COMMAND = 'trigger-misp-ids-to-ioc-collection';
export const PLACEHOLDER = 'SECRET_PLACEHOLDER';

export interface WorldOptions {
  /** The MISP data, given "now" in epoch seconds. @default the team's sample events */
  events?: (nowSeconds: number) => MispEventDocument[];
  mispQuirks?: MispQuirks;
  /** The MISP key the runtime hands the trigger (a real MISP's in tests/real-misp). @default E2E_MISP_KEY */
  mispKey?: string;
  /** The MISP version the emulator plays (its paging headers follow it). @default '2.5.1' */
  mispVersion?: string;
  mispFaults?: readonly FaultRule[];
  sekoiaFaults?: readonly FaultRule[];
}

export interface ConfigOverrides {
  /** Replaces the module configuration (placeholders for the keys). */
  module?: Record<string, unknown>;
  /** Replaces the trigger configuration. */
  trigger?: Record<string, unknown>;
  /** Extra or changed variables. */
  extra?: Record<string, string | undefined>;
}

export interface RunningTrigger {
  exit: Promise<number>;
  console: ConsoleCapture;
  signals: ManualSignals;
  ports(): MonitoringPorts;
}

/** Both emulators seeded with the team's sample, a fresh data path, and runs of the real trigger. */
export class E2eWorld {
  /** The account and trigger forms pointing at both emulators (secrets as placeholders), with `fields` on top. */
  emulatorConfiguration(fields: Record<string, unknown> = {}): {
    trigger: Record<string, unknown>;
    module: Record<string, unknown>;
  } {
    return {
      trigger: {
        ioc_collection_server: this.sekoia.url,
        ioc_collection_uuid: E2E_COLLECTION,
        publish_timestamp: 1,
        sleep_time: 60,
        ...fields,
      },
      module: { misp_url: this.misp.url, misp_api_key: PLACEHOLDER, sekoia_api_key: PLACEHOLDER },
    };
  }

  /** The values of the test collection's revoked indicators, sorted. */
  revokedValues(): string[] {
    return this.sekoia
      .collection(E2E_COLLECTION)
      .indicators.filter((indicator) => indicator.revoked)
      .map((indicator) => indicator.value)
      .sort();
  }

  /** The `event` of every event of this name the trigger sent, in order. */
  sentEvents(name: string): Array<Record<string, unknown>> {
    return this.sekoia
      .events()
      .filter((event) => event.name === name)
      .map((event) => event.event as Record<string, unknown>);
  }

  readonly volumePath = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-volume-'));
  readonly dataPath = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-data-'));
  readonly captured: ConsoleCapture[] = [];

  private constructor(
    readonly clock: GatedClock,
    readonly events: MispEventDocument[],
    readonly misp: MispEmulator,
    readonly sekoia: SekoiaEmulator,
  ) {}

  static async start(options: WorldOptions = {}): Promise<E2eWorld> {
    const clock = new GatedClock();
    const now = (): number => clock.now();
    const events = (options.events ?? sampleEvents)(Math.floor(clock.now() / 1000));
    const misp = await startMispEmulator({
      apiKey: E2E_MISP_KEY,
      events,
      now,
      faults: options.mispFaults,
      quirks: options.mispQuirks,
      version: options.mispVersion,
    });
    const sekoia = await startSekoiaEmulator({
      runtimeToken: E2E_TOKEN,
      secrets: { misp_api_key: options.mispKey ?? E2E_MISP_KEY, sekoia_api_key: E2E_SEKOIA_KEY },
      apiKeys: { [E2E_SEKOIA_KEY]: 'write-ioc' },
      collections: [E2E_COLLECTION],
      faults: options.sekoiaFaults,
      now,
    });
    return new E2eWorld(clock, events, misp, sekoia);
  }

  /** The runtime's variables, as the platform sets them (keys only through /secrets). */
  env(overrides: ConfigOverrides = {}): NodeJS.ProcessEnv {
    return {
      SYMPHONY_VOLUME_PATH: this.volumePath,
      SYMPHONY_DATA_PATH: this.dataPath,
      MODULE_CONFIGURATION: JSON.stringify(
        overrides.module ?? {
          misp_url: this.misp.url,
          misp_api_key: PLACEHOLDER,
          sekoia_api_key: PLACEHOLDER,
        },
      ),
      TRIGGER_CONFIGURATION: JSON.stringify(
        overrides.trigger ?? {
          ioc_collection_server: this.sekoia.url,
          ioc_collection_uuid: E2E_COLLECTION,
          publish_timestamp: 1,
          sleep_time: 60,
        },
      ),
      TOKEN: E2E_TOKEN,
      URL_CALLBACK: `${this.sekoia.url}/callback`,
      LIVENESS_PORT: '0',
      METRICS_PORT: '0',
      NO_PROXY: '127.0.0.1,localhost',
      ...overrides.extra,
    };
  }

  /**
   * Runs the trigger in process: through main() (the registry, as the image does), or through
   * runTrigger() with the given definition (e.g. a trigger built with short client timeouts).
   */
  run(flags: readonly string[], overrides: ConfigOverrides = {}, definition?: AnyTriggerDefinition) {
    const consoleStream = new ConsoleCapture();
    this.captured.push(consoleStream);
    const signals = new ManualSignals();
    let ports: MonitoringPorts = {};
    const options: RunTriggerOptions = {
      env: this.env(overrides),
      cwd: REPO_ROOT,
      clock: this.clock,
      signals,
      consoleStream,
      host: '127.0.0.1',
      random: () => 0.5,
      onListening: (listening) => (ports = listening),
    };
    const exit = definition
      ? runTrigger(definition, {
          ...options,
          runOptions: {
            once: flags.includes('--once'),
            dryRun: flags.includes('--dry-run'),
            reconcile: flags.includes('--reconcile'),
          },
        })
      : main([COMMAND, ...flags], options);
    const running: RunningTrigger = { exit, console: consoleStream, signals, ports: () => ports };
    return running;
  }

  /** What the collection should hold after syncing the sample (default types unless told). */
  expected(types: readonly string[] = DEFAULT_TYPES): { iocs: ExpectedIoc[]; junk: number } {
    return expectedCollection(this.events, types, DEFAULT_WARNINGLIST);
  }

  /** What the emulated collection holds, sorted as expected() sorts. */
  collectionIocs(): ExpectedIoc[] {
    return sortIocs(this.sekoia.collection(E2E_COLLECTION).indicators);
  }

  /** Everything the trigger wrote or sent: console lines, shipped logs, events. */
  everythingCaptured(): string {
    return [
      ...this.captured.map((capture) => capture.text),
      JSON.stringify(this.sekoia.logs()),
      JSON.stringify(this.sekoia.events()),
    ].join('\n');
  }

  async close(): Promise<void> {
    await Promise.all([this.misp.close(), this.sekoia.close()]);
    fs.rmSync(this.volumePath, { recursive: true, force: true });
    fs.rmSync(this.dataPath, { recursive: true, force: true });
  }
}
