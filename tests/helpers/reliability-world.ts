import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultRule } from '../../tools/emulators/faults';
import {
  DEFAULT_WARNINGLIST,
  generateEvents,
  sampleEvents,
  startMispEmulator,
  type MispEmulator,
  type MispEventDocument,
} from '../../tools/emulators/misp';
import {
  startSekoiaEmulator,
  type CollectionReport,
  type SekoiaEmulator,
} from '../../tools/emulators/sekoia';
import { runTrigger, type RunTriggerOptions } from '../../src/runtime';
import type { Clock } from '../../src/clock';
import { MAX_BATCH_LINES } from '../../src/sekoia/types';
import { GatedClock } from './e2e-clock';
import {
  DEFAULT_TYPES,
  expectedCollection,
  selectedAttributes,
  sortIocs,
  type ExpectedIoc,
} from './e2e-expected';
import { mapAttribute } from '../../src/pipeline/mapping';
import { iocKey } from '../../src/pipeline/keys';
import { ErrorRecorder, recordingTrigger } from './reliability-trigger';
import { ConsoleCapture, ManualSignals, REPO_ROOT } from './runtime-fixtures';
import type { AnyTriggerDefinition } from '../../src/triggers';

/** Distinctive secrets of the reliability suite: any of them in any output is a leak. */
export const REL_MISP_KEY = 'rel-MISP-key-91d3f0b27a6c4e58';
export const REL_SEKOIA_KEY = 'rel-SEKOIA-key-4a7e2c9d1b6f3085';
export const REL_TOKEN = 'rel-RUNTIME-token-e5b8d2a4f7c1903b';
export const REL_SECRETS = [REL_MISP_KEY, REL_SEKOIA_KEY, REL_TOKEN] as const;
export const REL_COLLECTION = 'ioc-collection--7e1a0c3b-2222-4333-8444-555566667777';
export const PLACEHOLDER = 'SECRET_PLACEHOLDER';
/** The imports (text and JSON), not the start-up read of the collection. */
export const SEKOIA_IMPORT = `/v2/inthreat/ioc-collections/${REL_COLLECTION}/indicators`;
export const MISP_SEARCH = '/attributes/restSearch';

export interface ReliabilityWorldOptions {
  /** Generate this many attributes (seeded) instead of loading the team's sample events. */
  attributes?: number;
  mispFaults?: readonly FaultRule[];
  sekoiaFaults?: readonly FaultRule[];
  /** The trigger's clock, shared with the emulators. @default a GatedClock (cycles wait for release()) */
  clock?: Clock;
}

export interface RunInput {
  flags?: readonly string[];
  /** @default the real trigger with 300 ms read timeouts, recording client errors */
  definition?: AnyTriggerDefinition;
  /** Replaces the trigger configuration's fields. */
  trigger?: Record<string, unknown>;
  /** Replaces the module configuration. */
  module?: Record<string, unknown>;
  /** Extra or changed variables. */
  extra?: Record<string, string | undefined>;
  logShipping?: RunTriggerOptions['logShipping'];
}

export interface ReliabilityRun {
  exit: Promise<number>;
  console: ConsoleCapture;
  signals: ManualSignals;
}

/** The emulators on loopback, a data path, in-process runs of the real trigger, and what they all printed. */
export class ReliabilityWorld {
  readonly volumePath = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-volume-'));
  readonly dataPath = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-data-'));
  readonly captured: ConsoleCapture[] = [];
  readonly errors = new ErrorRecorder();
  private readonly runs: ReliabilityRun[] = [];
  /** Output of child processes, added by the tests that spawn them. */
  readonly childOutput: string[] = [];

  private constructor(
    readonly clock: Clock,
    readonly events: MispEventDocument[],
    readonly misp: MispEmulator,
    readonly sekoia: SekoiaEmulator,
    private readonly generated: boolean,
  ) {}

  static async start(options: ReliabilityWorldOptions = {}): Promise<ReliabilityWorld> {
    const clock = options.clock ?? new GatedClock();
    const now = (): number => clock.now();
    const nowSeconds = Math.floor(clock.now() / 1000);
    const events: MispEventDocument[] =
      options.attributes === undefined
        ? sampleEvents(nowSeconds)
        : [
            ...generateEvents({
              attributes: options.attributes,
              seed: 7,
              now: nowSeconds,
              windowSeconds: 6 * 3600,
            }),
          ];
    const misp = await startMispEmulator({ apiKey: REL_MISP_KEY, events, now, faults: options.mispFaults });
    const sekoia = await startSekoiaEmulator({
      runtimeToken: REL_TOKEN,
      secrets: { misp_api_key: REL_MISP_KEY, sekoia_api_key: REL_SEKOIA_KEY },
      apiKeys: { [REL_SEKOIA_KEY]: 'write-ioc' },
      collections: [REL_COLLECTION],
      faults: options.sekoiaFaults,
      now,
    });
    return new ReliabilityWorld(clock, events, misp, sekoia, options.attributes !== undefined);
  }

  get gatedClock(): GatedClock {
    if (!(this.clock instanceof GatedClock)) throw new Error('this world runs on another clock');
    return this.clock;
  }

  /** The runtime's variables, as the platform sets them (keys only through /secrets). */
  env(input: Omit<RunInput, 'flags' | 'definition' | 'logShipping'> = {}): NodeJS.ProcessEnv {
    return {
      SYMPHONY_VOLUME_PATH: this.volumePath,
      SYMPHONY_DATA_PATH: this.dataPath,
      MODULE_CONFIGURATION: JSON.stringify(
        input.module ?? { misp_url: this.misp.url, misp_api_key: PLACEHOLDER, sekoia_api_key: PLACEHOLDER },
      ),
      TRIGGER_CONFIGURATION: JSON.stringify({
        ioc_collection_server: this.sekoia.url,
        ioc_collection_uuid: REL_COLLECTION,
        publish_timestamp: 1,
        sleep_time: 60,
        ...input.trigger,
      }),
      TOKEN: REL_TOKEN,
      URL_CALLBACK: `${this.sekoia.url}/callback`,
      LIVENESS_PORT: '0',
      METRICS_PORT: '0',
      NO_PROXY: '127.0.0.1,localhost',
      ...input.extra,
    };
  }

  /** Runs the trigger in process under the runtime, with injected clock, signals and console. */
  run(input: RunInput = {}): ReliabilityRun {
    const consoleStream = new ConsoleCapture();
    this.captured.push(consoleStream);
    const signals = new ManualSignals();
    const flags = input.flags ?? [];
    const exit = runTrigger(input.definition ?? recordingTrigger(300, this.errors), {
      env: this.env(input),
      cwd: REPO_ROOT,
      clock: this.clock,
      signals,
      consoleStream,
      host: '127.0.0.1',
      random: () => 0.5,
      logShipping: input.logShipping,
      runOptions: { once: flags.includes('--once'), dryRun: flags.includes('--dry-run') },
    });
    const run: ReliabilityRun = { exit, console: consoleStream, signals };
    this.runs.push(run);
    return run;
  }

  /**
   * What a complete sync gives. The team's sample: from the suite's own mapping model. Generated
   * data (whose odd values that model does not cover): the attributes MISP selects, mapped by the
   * pipeline; mapping itself is tested elsewhere, here the question is only whether faults lose any.
   */
  expected(): ExpectedIoc[] {
    if (!this.generated) return expectedCollection(this.events, DEFAULT_TYPES, DEFAULT_WARNINGLIST).iocs;
    const types = new Set(DEFAULT_TYPES);
    const byKey = new Map<string, ExpectedIoc>();
    for (const attribute of selectedAttributes(this.events, DEFAULT_TYPES, DEFAULT_WARNINGLIST)) {
      for (const ioc of mapAttribute(attribute, types).iocs) byKey.set(iocKey(ioc), ioc);
    }
    return sortIocs([...byKey.values()]);
  }

  collectionIocs(): ExpectedIoc[] {
    return sortIocs(this.sekoia.collection(REL_COLLECTION).indicators);
  }

  /** What the suite's IOC Collection holds and received. */
  collection(): CollectionReport {
    return this.sekoia.collection(REL_COLLECTION);
  }

  /** Values Sekoia received that it already held: what was pushed twice. */
  repushed(): number {
    return this.sekoia.collection(REL_COLLECTION).duplicates;
  }

  /** Console lines, shipped logs, events, client errors printed in full, child output. */
  everythingCaptured(): string {
    return [
      ...this.captured.map((capture) => capture.text),
      JSON.stringify(this.sekoia.logs()),
      JSON.stringify(this.sekoia.events()),
      this.errors.text,
      ...this.childOutput,
    ].join('\n');
  }

  /**
   * The guarantees every reliability case checks: the collection holds every expected IOC and
   * nothing else, at most one batch was pushed twice, and no secret shows anywhere.
   */
  expectNothingLostNothingLeaked(): { repushed: number } {
    expect(this.collectionIocs()).toEqual(this.expected());
    const repushed = this.repushed();
    expect(repushed).toBeLessThanOrEqual(MAX_BATCH_LINES);
    this.expectNoSecret();
    return { repushed };
  }

  expectNoSecret(): void {
    const everything = this.everythingCaptured();
    for (const secret of REL_SECRETS) expect(everything).not.toContain(secret);
  }

  /** Stops the runs still going (a test that failed midway), then the emulators. */
  async close(): Promise<void> {
    for (const run of this.runs) run.signals.fire('SIGTERM');
    await Promise.allSettled(this.runs.map((run) => run.exit));
    await Promise.all([this.misp.close(), this.sekoia.close()]);
    fs.rmSync(this.volumePath, { recursive: true, force: true });
    fs.rmSync(this.dataPath, { recursive: true, force: true });
  }
}
