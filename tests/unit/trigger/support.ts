import triggerJson from '../../../trigger_misp_ids_to_ioc.json';
import manifestJson from '../../../manifest.json';
import { withOptional } from '../../../src/runtime/lenient-values';
import { compileSchema, createAjv } from '../../../src/runtime/schema';
import {
  MispModuleConfiguration,
  MispTriggerConfiguration,
  normaliseConfiguration,
  TriggerSettings,
} from '../../../src/trigger/config';
import type { CycleDependencies } from '../../../src/trigger/cycle';
import { FakeClock, FakeMispClient, FakeSink, MemoryState, RecordingLogger } from '../../helpers/fakes';

/** Distinctive fake secrets: no log line, event or error may hold them. */
export const MISP_KEY = 'MISPKEY-3f9c1b7e-do-not-print';
export const SEKOIA_KEY = 'SEKOIAKEY-8a2d4c6f-do-not-print';
export const COLLECTION = 'ioc-collection--00000000-0000-4000-8000-000000000001';

/** Validates with the JSON files' own schemas, defaults applied, as the runtime does. */
function validated<T>(schema: Record<string, unknown>, value: Record<string, unknown>, where: string): T {
  const validate = compileSchema(createAjv(), schema, where);
  const copy = structuredClone(value);
  if (!validate(copy)) throw new Error(`${where}: ${JSON.stringify(validate.errors)}`);
  return copy as T;
}

export function moduleConfiguration(overrides: Record<string, unknown> = {}): MispModuleConfiguration {
  const { secrets: _secrets, ...schema } = manifestJson.configuration;
  // As the runtime validates a dry run's account: the trigger checks the key itself (run.test.ts).
  return validated(
    withOptional(schema, ['sekoia_api_key']),
    {
      misp_url: 'https://misp.example.com',
      misp_api_key: MISP_KEY,
      sekoia_api_key: SEKOIA_KEY,
      ...overrides,
    },
    'manifest.json',
  );
}

export function triggerConfiguration(overrides: Record<string, unknown> = {}): MispTriggerConfiguration {
  return validated(
    triggerJson.arguments,
    { ioc_collection_uuid: COLLECTION, ...overrides },
    'trigger_misp_ids_to_ioc.json',
  );
}

export function settingsFor(
  overrides: Record<string, unknown> = {},
  dryRun = false,
): Readonly<TriggerSettings> {
  return normaliseConfiguration(moduleConfiguration(), triggerConfiguration(overrides), { dryRun });
}

let nextId = 1;

/** A restSearch attribute in MISP's wire format (string ids and timestamp, boolean to_ids). */
export function attribute(type: string, value: string): Record<string, unknown> {
  const id = nextId++;
  return {
    id: String(id),
    event_id: '7',
    object_id: '0',
    object_relation: null,
    category: 'Network activity',
    type,
    value,
    to_ids: true,
    uuid: `5f0c6e6b-0000-4000-8000-${String(id).padStart(12, '0')}`,
    timestamp: '1764316800',
    distribution: '5',
    sharing_group_id: '0',
    comment: '',
    deleted: false,
    disable_correlation: false,
    first_seen: null,
    last_seen: null,
    Event: {
      id: '7',
      info: 'test event',
      org_id: '1',
      orgc_id: '1',
      uuid: 'b0b0b0b0-0000-4000-8000-000000000007',
    },
  };
}

/** n distinct IPv4 attributes (ip-dst). */
export function ipAttributes(n: number, offset = 0): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + offset;
    return attribute('ip-dst', `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`);
  });
}

export interface CycleHarness {
  deps: CycleDependencies;
  misp: FakeMispClient;
  sink: FakeSink;
  state: MemoryState;
  clock: FakeClock;
  logger: RecordingLogger;
}

export function cycleHarness(
  pages: unknown[][],
  options: { settings?: Record<string, unknown>; dryRun?: boolean } = {},
): CycleHarness {
  const clock = new FakeClock();
  const misp = new FakeMispClient(pages);
  const sink = new FakeSink();
  const state = new MemoryState(clock);
  const logger = new RecordingLogger();
  const dryRun = options.dryRun ?? false;
  const deps: CycleDependencies = {
    misp,
    sink,
    state,
    clock,
    logger,
    settings: settingsFor(options.settings, dryRun),
    signal: new AbortController().signal,
    dryRun,
  };
  return { deps, misp, sink, state, clock, logger };
}
