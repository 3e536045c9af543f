import { builtScript, exitWithin, spawnNode, type Spawned } from '../helpers/e2e-process';
import { onRequest } from '../helpers/reliability-hooks';
import { ReliabilityWorld, SEKOIA_IMPORT } from '../helpers/reliability-world';
import { MAX_BATCH_LINES } from '../../src/sekoia/types';

/**
 * kill -9 of the built trigger (`node dist/main.js`, as the image runs it) while a push is in flight,
 * then a restart on the same data path. 20,000 attributes give 11 pages and 16 batches; Sekoia
 * answers each import after 40 ms, so the kill always lands while a batch is on the wire.
 */
const COMMAND = 'trigger-misp-ids-to-ioc-collection';
const ATTRIBUTES = 20_000;
const IMPORT_LATENCY_MS = 40;
/**
 * Kill when `answered` imports were answered, while the next one is: `in-flight` (sent, Sekoia has
 * not stored it yet: it is lost on the wire), or `stored` (Sekoia stored it, the answer never reached
 * the trigger: the worst case, that batch is pushed again after the restart).
 *
 * `in-flight` also drops the request's connection unread: the kill alone does not lose the request.
 * When the emulator sees the request its whole body has already arrived (the trigger wrote it
 * before dying). If the emulator notices the dead trigger's connection closing before its 40 ms
 * latency ends, Node aborts the request and nothing is stored; if the latency ends first (a loaded
 * machine), the emulator reads the body and stores the batch: about one run in two here (always
 * with no latency, never with 1 s). Stored, it is the `stored` case (the batch in flight pushed
 * again, which the product allows), not a batch left unrecorded.
 */
const KILL_POINTS = [
  { answered: 2, when: 'in-flight' },
  { answered: 7, when: 'stored' },
  { answered: 12, when: 'stored' },
] as const;

/** Re-pushed values measured at each kill point, printed once at the end for the report. */
const measured: Record<string, number> = {};
afterAll(() => {
  process.stdout.write(`reliability crash: re-pushed values by kill point ${JSON.stringify(measured)}\n`);
});

function startTrigger(world: ReliabilityWorld): Spawned {
  const spawned = spawnNode(builtScript('src/main.js'), [COMMAND, '--once'], world.env());
  spawned.exited.then(() => world.childOutput.push(spawned.output()));
  return spawned;
}

describe('kill -9 in the middle of a push, then a restart on the same data path', () => {
  let world: ReliabilityWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it.each(KILL_POINTS)(
    'killed after $answered answered imports, the next one $when: the restart completes the collection, at most that batch pushed twice',
    async ({ answered, when }) => {
      world = await ReliabilityWorld.start({
        attributes: ATTRIBUTES,
        sekoiaFaults: [{ prefix: SEKOIA_IMPORT, latencyMs: IMPORT_LATENCY_MS }],
      });
      const { faults } = world.sekoia;
      const first = startTrigger(world);
      // The request after the K-th answered one: the batch is on the wire, Sekoia has not answered yet.
      onRequest(faults, SEKOIA_IMPORT, {
        [answered + 1]: (req, res) => {
          if (when === 'in-flight') {
            faults.failNext(1, { kind: 'drop' }, SEKOIA_IMPORT);
            first.child.kill('SIGKILL');
            // Lost on the wire: a body already received whole would otherwise be stored (a race).
            req.socket.destroy();
            return;
          }
          res.end = ((): typeof res => {
            first.child.kill('SIGKILL');
            req.socket.destroy();
            return res;
          }) as typeof res.end;
        },
      });
      await expect(exitWithin(first, 30_000)).resolves.toBeNull();
      expect(first.child.signalCode).toBe('SIGKILL');
      const beforeRestart = world.collection();
      // The imports Sekoia stored: the answered ones, and the one in flight only when `stored`.
      expect(beforeRestart.importRequests).toBe(when === 'stored' ? answered + 1 : answered);
      expect(beforeRestart.indicators.length).toBeLessThan(world.expected().length);

      const second = startTrigger(world);
      await expect(exitWithin(second, 60_000)).resolves.toBe(0);
      expect(second.output()).toMatch(/Cycle done/);
      expect(second.output()).not.toMatch(/ERROR|CRITICAL/);

      const { repushed } = world.expectNothingLostNothingLeaked();
      measured[`${answered} ${when}`] = repushed;
      // At most the batch in flight at the kill: Sekoia may have stored it, the trigger never recorded it.
      expect(repushed).toBeLessThanOrEqual(MAX_BATCH_LINES);
      if (when === 'stored') expect(repushed).toBeGreaterThan(0);
      else expect(repushed).toBe(0);
    },
  );
});
