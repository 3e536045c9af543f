import { systemClock, type Clock } from '../../src/clock';
import { AbortedError } from '../../src/errors';
import { runTrigger } from '../../src/runtime';
import { createTrigger } from '../../src/trigger';
import { realDependencies, type DependencyFactory } from '../../src/trigger/dependencies';
import { receiveNotice } from './ipc';
import { CYCLE_SLEEP_SECONDS } from './trigger-env';
import './usage-probe';

/**
 * The trigger process of a bench: what `node dist/main.js trigger-misp-ids-to-ioc-collection`
 * runs (the runtime's runTrigger, the real trigger, configuration from the environment), with
 * one difference: the sleep between two cycles tells the bench the cycle ended (time and CPU so
 * far) and waits for it to say "next" instead of sleeping. The bench stops it with SIGTERM.
 * BENCH_PAGE_SIZE, when set, overrides the restSearch page size (for tuning it). BENCH_RECONCILE=1
 * runs `--once --reconcile` instead: one cycle, then a reconciliation, then exit.
 */

const CYCLE_SLEEP_MS = CYCLE_SLEEP_SECONDS * 1000;

let cycles = 0;

function cycleEnded(signal: AbortSignal | undefined): Promise<void> {
  cycles += 1;
  const cpu = process.cpuUsage();
  process.send?.({ kind: 'cycle-end', cycle: cycles, at: Date.now(), cpuMicros: cpu.user + cpu.system });
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(signal.reason));
    signal?.addEventListener('abort', () => reject(new AbortedError(signal.reason)), { once: true });
    receiveNotice('next').then(() => resolve());
  });
}

const benchClock: Clock = {
  now: systemClock.now,
  schedule: systemClock.schedule,
  sleep: (ms, signal) => (ms === CYCLE_SLEEP_MS ? cycleEnded(signal) : systemClock.sleep(ms, signal)),
};

function dependencyFactory(): DependencyFactory {
  const pageSize = process.env.BENCH_PAGE_SIZE ? Number(process.env.BENCH_PAGE_SIZE) : undefined;
  const createDependencies = realDependencies();
  if (pageSize === undefined) return createDependencies;
  // runCycle takes its optional pageSize from the dependencies it is handed.
  return async (input) => Object.assign(await createDependencies(input), { pageSize });
}

async function main(): Promise<void> {
  const definition = createTrigger({ createDependencies: dependencyFactory() });
  const reconcile = process.env.BENCH_RECONCILE === '1';
  const code = await runTrigger(definition, {
    runOptions: { once: reconcile, dryRun: false, reconcile },
    clock: benchClock,
    host: '127.0.0.1',
  });
  process.exitCode = code;
  process.disconnect?.();
  setTimeout(() => process.exit(code), 1000).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`Trigger runner failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
