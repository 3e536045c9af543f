import { AppError } from '../../../src/errors';
import { buildContext } from '../../../src/runtime/context';
import { failuresAreCritical, FailureStreak, formatDuration } from '../../../src/runtime/failure-streak';
import { Liveness } from '../../../src/runtime/liveness';
import { createRuntimeMetrics } from '../../../src/runtime/metrics';
import { RecordingLogger } from '../../helpers/fakes';
import { FakeClock } from '../../helpers/runtime-fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A runtime context on a fake clock, as run-trigger builds it. */
function contextOn(clock: FakeClock) {
  const logger = new RecordingLogger();
  const failures = new FailureStreak(clock);
  const metrics = createRuntimeMetrics();
  const context = buildContext({
    moduleConfiguration: {},
    triggerConfiguration: {},
    triggerConfigurationUuid: undefined,
    env: {},
    dataPath: '/nonexistent',
    storage: { backend: 'local' },
    logger,
    clock,
    signal: new AbortController().signal,
    runOptions: { once: false, dryRun: false },
    metrics,
    liveness: new Liveness(clock, () => failures.count),
    failures,
    sendEvent: async () => true,
  });
  const criticals = () =>
    logger.lines.filter((line) => line.level === 'critical').map((line) => line.message);
  return { context, logger, metrics, criticals };
}

/**
 * The trigger starts, cycles every `cycleMs`; every cycle goes well until `lastSuccessAt` (uptime),
 * then every cycle fails. Returns the uptime of the cycle that sent the critical, if any by `until`.
 */
function uptimeOfCritical(lastSuccessAt: number, until: number, cycleMs = MINUTE): number | undefined {
  const clock = new FakeClock();
  const startedAt = clock.now();
  const { context, criticals } = contextOn(clock);
  const outage = new AppError('MISP answered 503 Service Unavailable', { code: 'HTTP_503' });
  while (clock.now() - startedAt < until) {
    clock.advance(cycleMs);
    if (clock.now() - startedAt <= lastSuccessAt) context.cycleSucceeded();
    else context.cycleFailed(outage);
    if (criticals().length > 0) return clock.now() - startedAt;
  }
  return undefined;
}

describe("the consecutive-failures critical (the SDK's rule)", () => {
  it('up 1 h: the critical comes 12 min after the last good cycle, not before', () => {
    expect(uptimeOfCritical(48 * MINUTE, 2 * HOUR)).toBe(HOUR);
  });

  it('up 12 h: after 2 h 24 min without a good cycle', () => {
    expect(uptimeOfCritical(12 * HOUR - 144 * MINUTE, 13 * HOUR, 5 * MINUTE)).toBe(12 * HOUR);
  });

  it('up 5 days (and more): after 24 h without a good cycle', () => {
    expect(uptimeOfCritical(4 * DAY, 6 * DAY, 5 * MINUTE)).toBe(5 * DAY);
    expect(uptimeOfCritical(19 * DAY, 21 * DAY, 5 * MINUTE)).toBe(20 * DAY);
  });

  it('a 25-minute outage (sleep_time 300) at start-up, or after 3 h, 1 day, 5 days up, heals by itself: no critical', () => {
    for (const outageStart of [0, 3 * HOUR, DAY, 5 * DAY]) {
      const clock = new FakeClock();
      const { context, criticals } = contextOn(clock);
      clock.advance(outageStart);
      context.cycleSucceeded();
      for (let minute = 5; minute <= 25; minute += 5) {
        clock.advance(5 * MINUTE);
        context.cycleFailed(new AppError('Sekoia.io answered 503', { code: 'HTTP_503' }));
      }
      clock.advance(5 * MINUTE);
      context.cycleSucceeded();
      expect(criticals()).toEqual([]);
    }
  });

  it('failing from the start: nothing in the first 30 minutes, then one critical that says how long, once', () => {
    const clock = new FakeClock();
    const { context, criticals, metrics } = contextOn(clock);
    for (let minute = 1; minute <= 29; minute++) {
      clock.advance(MINUTE);
      context.cycleFailed(new AppError('MISP could not be reached', { code: 'NETWORK' }));
    }
    expect(criticals()).toEqual([]);
    clock.advance(MINUTE);
    context.cycleFailed(new AppError('MISP could not be reached', { code: 'NETWORK' }));
    expect(criticals()).toEqual([
      '30 cycles in a row failed and none went through for 30 min (up 30 min); the last one with: MISP could ' +
        'not be reached. The platform stops the trigger on this message: fix the cause given in the errors ' +
        'above, then restart it. Nothing is lost: it resumes from the last complete cycle.',
    ]);
    for (let i = 0; i < 10; i++) context.cycleFailed(new AppError('again', { code: 'NETWORK' }));
    expect(criticals()).toHaveLength(1);
    expect(metrics.registry.getSingleMetric('trigger_consecutive_failures')).toBeDefined();
  });

  it('needs 5 failures in a row, whatever the time', () => {
    expect(failuresAreCritical({ failures: 4, uptimeMs: 10 * DAY, sinceSuccessMs: 10 * DAY })).toBe(false);
    expect(failuresAreCritical({ failures: 5, uptimeMs: 10 * DAY, sinceSuccessMs: DAY })).toBe(true);
    expect(failuresAreCritical({ failures: 5, uptimeMs: 10 * DAY, sinceSuccessMs: DAY - 1 })).toBe(false);
  });

  it('a bug is an error with its stack, counted in trigger_internal_errors_total, and a failed cycle', async () => {
    const clock = new FakeClock();
    const { context, logger, metrics, criticals } = contextOn(clock);
    context.cycleFailed(new TypeError("Cannot read properties of undefined (reading 'length')"));
    const errors = logger.lines.filter((line) => line.level === 'error').map((line) => line.message);
    expect(errors).toEqual([
      expect.stringMatching(
        /^Internal error \(a bug: please report it with this line\): TypeError: Cannot read properties of undefined \(reading 'length'\)\n {4}at .*\nThe trigger goes on; the next cycle tries again\.$/s,
      ),
    ]);
    expect(criticals()).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('trigger_internal_errors_total')).toMatch(
      /trigger_internal_errors_total 1$/m,
    );
    expect(await metrics.registry.getSingleMetricAsString('trigger_consecutive_failures')).toMatch(
      /trigger_consecutive_failures 1$/m,
    );
  });
});

describe('formatDuration', () => {
  it('says minutes, hours and days as a person reads them', () => {
    expect(formatDuration(12 * MINUTE)).toBe('12 min');
    expect(formatDuration(2 * HOUR + 24 * MINUTE)).toBe('2 h 24 min');
    expect(formatDuration(DAY + 5 * HOUR + 3 * MINUTE)).toBe('1 day 5 h');
    expect(formatDuration(5 * DAY)).toBe('5 days');
    expect(formatDuration(10_000)).toBe('under a minute');
  });
});
