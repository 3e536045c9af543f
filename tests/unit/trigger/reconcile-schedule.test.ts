import { MispError } from '../../../src/misp/errors';
import { StateError } from '../../../src/state/errors';
import type { Ioc } from '../../../src/pipeline/types';
import type { RevokeResult } from '../../../src/trigger/reconcile/revoke';
import type { TriggerDependencies } from '../../../src/trigger/dependencies';
import { createTrigger } from '../../../src/trigger/index';
import { DAY_MS, HOUR_MS } from '../../../src/clock';
import { createFakeContext, FakeClock, FakeMispClient, FakeSink, MemoryState } from '../../helpers/fakes';
import { ipAttributes, moduleConfiguration, triggerConfiguration } from './support';

const SLEEP_MS = 3_600_000;

function setUp(
  pages: unknown[][],
  trigger: Record<string, unknown>,
  runOptions: { once?: boolean; reconcile?: boolean } = {},
) {
  const clock = new FakeClock();
  const misp = new FakeMispClient(pages);
  const sink = new FakeSink();
  const state = new MemoryState(clock);
  const revoked: string[] = [];
  const revoker = {
    async revokeValue(ioc: Ioc): Promise<RevokeResult> {
      revoked.push(ioc.value);
      return 'revoked';
    },
    async deleteRevoked(): Promise<boolean> {
      return true;
    },
  };
  const definition = createTrigger({
    createDependencies: async (): Promise<TriggerDependencies> => ({
      misp,
      sink,
      revoker,
      state,
      close: () => state.close(),
    }),
  });
  const fake = createFakeContext({
    moduleConfiguration: moduleConfiguration(),
    triggerConfiguration: triggerConfiguration({ sleep_time: SLEEP_MS / 1000, ...trigger }),
    clock,
    runOptions: { once: runOptions.once ?? false, dryRun: false, reconcile: runOptions.reconcile },
  });
  return { definition, clock, misp, sink, state, revoked, ...fake };
}

/** Runs until `cycles` cycles are done (the run is stopped while sleeping after the last one). */
async function runCycles(t: ReturnType<typeof setUp>, cycles: number): Promise<void> {
  let sleeps = 0;
  t.clock.onSleep = () => {
    sleeps += 1;
    if (sleeps >= cycles) t.controller.abort();
  };
  await t.definition.run(t.context);
}

const summaries = (t: ReturnType<typeof setUp>) =>
  t.logger.at('info').filter((line) => line.startsWith('Reconciliation'));

describe('when the reconciliation runs', () => {
  it('first one period after the first cycle (which read the whole window), then every period', async () => {
    const t = setUp([ipAttributes(3)], { reconcile_every_hours: 2 });
    await runCycles(t, 5);
    // Cycles at 0, 1, 2, 3, 4 h: sweeps after the cycles at 2 h and 4 h.
    expect(summaries(t)).toHaveLength(2);
    expect(t.calls.events.filter((event) => event.name === 'MISP IDS reconciliation')).toHaveLength(2);
    expect(t.state.sweepMarks.lastSweepAtMs).toBe(t.clock.now());
    expect(t.state.sweepMarks.originMs).toBe(t.clock.now() - 4 * SLEEP_MS - DAY_MS);
  });

  it('never with reconcile_every_hours 0, unless --reconcile asks for one', async () => {
    const never = setUp([ipAttributes(3)], { reconcile_every_hours: 0 });
    await runCycles(never, 3);
    expect(summaries(never)).toEqual([]);
    const forced = setUp([ipAttributes(3)], { reconcile_every_hours: 0 }, { once: true, reconcile: true });
    await forced.definition.run(forced.context);
    expect(summaries(forced)).toHaveLength(1);
    expect(summaries(forced)[0]).toMatch(/3 IOCs unchanged, 0 missing pushed.*none withdrawn\.$/);
  });

  it('tries again an hour after a sweep whose MISP read failed, not at every cycle', async () => {
    const t = setUp([ipAttributes(3)], { sleep_time: 1800, reconcile_every_hours: 24 });
    const lastSweep = t.clock.now() - 2 * DAY_MS;
    t.state.sweepMarks = { lastSweepAtMs: lastSweep, originMs: t.clock.now() - DAY_MS };
    t.misp.options.error = new MispError('MISP was unavailable after 6 attempts (503)', {
      kind: 'server',
      status: 503,
      operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
    });
    let searches = 0;
    const serve = t.misp.readWindow.bind(t.misp);
    t.misp.readWindow = (query, options, signal) => {
      searches += 1;
      // The cycles' reads (1st, 3rd, 4th) succeed; the sweeps' (2nd, 5th) fail.
      t.misp.options.failOnPage = searches === 2 || searches === 5 ? 1 : undefined;
      return serve(query, options, signal);
    };
    // Cycles every 30 minutes, at 0, 30 and 60 min: sweeps after the first and the third.
    await runCycles(t, 3);
    expect(searches).toBe(5);
    const failed = t.logger
      .at('error')
      .filter((line) => line.startsWith('Reconciliation: reading MISP failed'));
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatch(/Nothing was revoked \(a partial read would look like withdrawals\)/);
    expect(t.state.sweepMarks).toMatchObject({ lastSweepAtMs: lastSweep, lastAttemptAtMs: t.clock.now() });
    expect(HOUR_MS).toBe(2 * 1800_000);
  });

  it('a bug in the sweep is a failed cycle, as a bug in a cycle is: the trigger goes on', async () => {
    const t = setUp([ipAttributes(3)], { reconcile_every_hours: 1 });
    const bug = new TypeError("Cannot read properties of undefined (reading 'key')");
    t.state.listPushedRecords = async () => {
      throw bug;
    };
    await runCycles(t, 3);
    expect(t.calls.failed).toContain(bug);
    // Cycles at 0, 1 and 2 h went on after each sweep's bug.
    expect(t.calls.succeeded).toBe(3);
  });

  it('a state failure after revocations says what was revoked, not "Nothing was revoked"', async () => {
    const t = setUp(
      [[...ipAttributes(150), ...ipAttributes(2, 1000)]],
      { revoke_withdrawn: true },
      {
        once: true,
        reconcile: true,
      },
    );
    // A first run pushed the 152 values; MISP now withdraws 2 of them.
    await t.definition.run(t.context);
    t.misp.pages = [ipAttributes(150)];
    t.clock.advance(HOUR_MS);
    const setSweepMarks = t.state.setSweepMarks.bind(t.state);
    let calls = 0;
    t.state.setSweepMarks = async (marks) => {
      calls += 1;
      // The mark of a complete sweep (after its revocations) fails.
      if (calls > 1)
        throw new StateError('Could not save the reconciliation marks: disk full', 'state.sqlite');
      return setSweepMarks(marks);
    };
    await t.definition.run(t.context);
    expect(t.revoked).toEqual(['10.0.3.232', '10.0.3.233']);
    const lines = t.logger.at('error').filter((line) => line.startsWith('The reconciliation failed'));
    expect(lines).toEqual([
      'The reconciliation failed: Could not save the reconciliation marks: disk full. 2 IOCs were revoked (each recorded before the failure); the next reconciliation tries again.',
    ]);
  });
});
