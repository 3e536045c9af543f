import type { Fault, FaultCounts, FaultRule } from '../../tools/emulators/faults';
import { triggerWithTimeouts } from '../helpers/e2e-short-timeouts';
import { E2E_SECRETS, E2eWorld } from '../helpers/e2e-world';

const MISP = '/attributes/restSearch';
const SEKOIA = '/v2/inthreat';

interface FaultCase {
  name: string;
  emulator: 'misp' | 'sekoia';
  rules: FaultRule[];
  /** The fault counter that must have moved: proves the knob fired. */
  fired: keyof FaultCounts;
  /** Retry waits the trigger must have scheduled, exactly (Retry-After honoured). */
  waits?: (waits: number[]) => void;
  /** Run the trigger built with short client timeouts. */
  shortTimeouts?: boolean;
}

const next = (count: number, fault: Fault, prefix: string): FaultRule[] => [
  { prefix, failNext: { count, fault } },
];

const CASES: FaultCase[] = [
  {
    name: 'Sekoia 429 with Retry-After in seconds',
    emulator: 'sekoia',
    rules: next(2, { kind: 'rate-limit', retryAfterSeconds: 1 }, SEKOIA),
    fired: 'rate-limit',
    waits: (waits) => expect(waits.slice(0, 2)).toEqual([1000, 1000]),
  },
  {
    name: 'Sekoia 429 with Retry-After as an HTTP date',
    emulator: 'sekoia',
    rules: next(1, { kind: 'rate-limit', retryAfterSeconds: 3, retryAfterForm: 'http-date' }, SEKOIA),
    fired: 'rate-limit',
    // An HTTP date has whole seconds: 2 to 3 s from now (the backoff alone would wait 0.75 s). Not waited:
    // the injected clock records it.
    waits: (waits) => {
      expect(waits[0]).toBeGreaterThan(2000);
      expect(waits[0]).toBeLessThanOrEqual(3000);
    },
  },
  {
    name: 'a burst of Sekoia 503',
    emulator: 'sekoia',
    rules: next(4, { kind: 'status', status: 503 }, SEKOIA),
    fired: 'status',
  },
  {
    name: 'a share of Sekoia 502',
    emulator: 'sekoia',
    rules: [{ prefix: SEKOIA, random: [{ rate: 0.4, fault: { kind: 'status', status: 502 } }] }],
    fired: 'status',
  },
  {
    name: 'dropped Sekoia connections',
    emulator: 'sekoia',
    rules: next(2, { kind: 'drop' }, SEKOIA),
    fired: 'drop',
  },
  {
    name: 'a hanging Sekoia answer (short client timeouts)',
    emulator: 'sekoia',
    rules: next(1, { kind: 'hang' }, SEKOIA),
    fired: 'hang',
    shortTimeouts: true,
  },
  {
    // A 200 whose body is not Sekoia's JSON proves nothing: the batch is sent again.
    name: 'a malformed Sekoia answer',
    emulator: 'sekoia',
    rules: next(2, { kind: 'malformed' }, SEKOIA),
    fired: 'malformed',
  },
  {
    name: 'Sekoia latency',
    emulator: 'sekoia',
    rules: [{ prefix: SEKOIA, latencyMs: [20, 60] }],
    fired: 'delayed',
  },
  {
    name: 'a burst of MISP 500',
    emulator: 'misp',
    rules: next(3, { kind: 'status', status: 500 }, MISP),
    fired: 'status',
  },
  {
    name: 'MISP 429 with Retry-After',
    emulator: 'misp',
    rules: next(1, { kind: 'rate-limit', retryAfterSeconds: 1 }, MISP),
    fired: 'rate-limit',
    waits: (waits) => expect(waits[0]).toBe(1000),
  },
  {
    name: 'a malformed MISP answer',
    emulator: 'misp',
    rules: next(2, { kind: 'malformed' }, MISP),
    fired: 'malformed',
  },
  {
    name: 'dropped MISP connections',
    emulator: 'misp',
    rules: next(2, { kind: 'drop' }, MISP),
    fired: 'drop',
  },
  {
    name: 'a hanging MISP answer (short client timeouts)',
    emulator: 'misp',
    rules: next(1, { kind: 'hang' }, MISP),
    fired: 'hang',
    shortTimeouts: true,
  },
  { name: 'MISP latency', emulator: 'misp', rules: [{ prefix: MISP, latencyMs: 40 }], fired: 'delayed' },
];

describe('every fault knob of both emulators: one cycle still ends with the full collection', () => {
  let world: E2eWorld | undefined;
  afterEach(() => world?.close());

  it.each(CASES)('$name', async (fault) => {
    world = await E2eWorld.start(
      fault.emulator === 'misp' ? { mispFaults: fault.rules } : { sekoiaFaults: fault.rules },
    );
    const run = world.run(['--once'], {}, fault.shortTimeouts ? triggerWithTimeouts(300) : undefined);
    await expect(run.exit).resolves.toBe(0);

    expect(world[fault.emulator].faults.counts()[fault.fired]).toBeGreaterThan(0);
    expect(world.collectionIocs()).toEqual(world.expected().iocs);
    if (fault.fired !== 'delayed') {
      expect(world.clock.retryWaits.length).toBeGreaterThan(0);
      // The first retry is told once as a warning; no error: every attempt did not fail.
      expect(run.console.text).toMatch(/WARNING .*request failed .*attempt 1 of 6/);
      expect(run.console.text).not.toMatch(/ERROR|CRITICAL/);
    }
    fault.waits?.(world.clock.retryWaits);
    for (const secret of E2E_SECRETS) expect(world.everythingCaptured()).not.toContain(secret);
  });
});
