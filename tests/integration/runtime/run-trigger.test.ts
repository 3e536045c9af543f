import { AppError } from '../../../src/errors';
import {
  INCOMPLETE_CYCLE_EXIT_CODE,
  RERUN_DELAY_MS,
  runTrigger,
  RunTriggerOptions,
} from '../../../src/runtime/run-trigger';
import type { MonitoringPorts } from '../../../src/runtime/monitoring';
import {
  ConsoleCapture,
  FakeClock,
  makeVolume,
  ManualSignals,
  MISP_KEY,
  REPO_ROOT,
  SEKOIA_KEY,
  TestContext,
  testTrigger,
  TOKEN,
  untilStopped,
  VALID_COLLECTION,
} from '../../helpers/runtime-fixtures';
import { RuntimeStub } from '../../helpers/runtime-stub';

const goodEvent = {
  summary: 'MISP IDS -> ioc-collection--x: pushed 1 IOCs. Cycle complete.',
  complete: true,
  collection_uuid: 'ioc-collection--x',
  server: 'https://api.sekoia.io',
  iocs_pushed: 1,
  attributes_processed: 1,
  iocs_submitted: 1,
  iocs_skipped_invalid: 0,
  iocs_by_format: { 'url.value': 1 },
  skipped: {},
  task_ids: ['t-1'],
};

describe('runTrigger (in process, against a stub of the runtime endpoints)', () => {
  let stub: RuntimeStub;
  let signals: ManualSignals;
  let consoleStream: ConsoleCapture;
  let ports: MonitoringPorts;

  beforeEach(async () => {
    stub = await new RuntimeStub().start();
    stub.secrets = { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY };
    signals = new ManualSignals();
    consoleStream = new ConsoleCapture();
    ports = {};
  });
  afterEach(() => stub.stop());

  function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    return {
      SYMPHONY_VOLUME_PATH: makeVolume({}),
      SYMPHONY_DATA_PATH: makeVolume({}),
      URL_CALLBACK: stub.url('/callback'),
      TOKEN,
      MODULE_CONFIGURATION: JSON.stringify({
        misp_url: 'https://misp.example.com',
        misp_api_key: 'SECRET_PLACEHOLDER',
      }),
      TRIGGER_CONFIGURATION: JSON.stringify({ ioc_collection_uuid: VALID_COLLECTION }),
      TRIGGER_CONFIGURATION_UUID: 'conf-uuid-1',
      LIVENESS_PORT: '0',
      METRICS_PORT: '0',
      ...overrides,
    };
  }

  function start(run: (context: TestContext) => Promise<void>, options: RunTriggerOptions = {}) {
    let finished = false;
    const exit = runTrigger(testTrigger(run), {
      env: env(),
      cwd: REPO_ROOT,
      signals,
      consoleStream,
      host: '127.0.0.1',
      // Only the shutdown flush ships info lines: the test proves it.
      logShipping: { intervalMs: 600_000 },
      onListening: (listening) => (ports = listening),
      ...options,
    }).finally(() => (finished = true));
    return { exit, finished: () => finished };
  }

  const health = async () => (await fetch(`http://127.0.0.1:${ports.liveness}/health`)).status;
  const criticals = () => stub.logs.filter((log) => log.level === 'critical');
  const everythingSent = () => JSON.stringify(stub.requests.filter((request) => request.path !== '/secrets'));

  it('runs the trigger with merged, validated configuration, and on SIGTERM flushes its logs and exits 0', async () => {
    let seen: TestContext | undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { exit } = start(async (context) => {
      seen = context;
      context.logger.info(`Started with key ${context.moduleConfiguration.misp_api_key}`);
      context.heartbeat();
      await context.sendEvent('IOCs pushed', goodEvent);
      context.cycleSucceeded();
      started();
      await untilStopped(context.signal);
      context.logger.info('Stopped cleanly');
    });
    await running;
    expect(await health()).toBe(200);
    expect(stub.logs).toEqual([]);
    const stopAt = Date.now();
    signals.fire('SIGTERM');
    await expect(exit).resolves.toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(5000);

    expect(seen?.moduleConfiguration).toEqual({
      misp_url: 'https://misp.example.com',
      misp_api_key: MISP_KEY,
      sekoia_api_key: SEKOIA_KEY,
    });
    expect(seen?.triggerConfiguration).toMatchObject({
      ioc_collection_uuid: VALID_COLLECTION,
      sleep_time: 300,
      publish_timestamp: 1,
    });
    expect(seen?.triggerConfigurationUuid).toBe('conf-uuid-1');
    expect(seen?.runOptions).toEqual({ once: false, dryRun: false });
    expect(seen?.signal.aborted).toBe(true);
    expect(stub.requestsTo('/secrets')).toEqual([
      expect.objectContaining({ method: 'GET', authorization: `Bearer ${TOKEN}` }),
    ]);
    expect(stub.requestsTo('/callback')).toHaveLength(1);
    expect(stub.logs.map((log) => log.message)).toEqual([
      'Started with key ***',
      'SIGTERM received: stopping.',
      'Stopped cleanly',
    ]);
    expect(stub.requestsTo('/logs').every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(
      true,
    );
    expect(everythingSent()).not.toContain(MISP_KEY);
    expect(consoleStream.text).not.toContain(MISP_KEY);
    expect(consoleStream.lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}Started with key \*\*\*$/,
    );
    expect(signals.subscribers).toBe(0);
    await expect(fetch(`http://127.0.0.1:${ports.liveness}/health`)).rejects.toThrow();
  });

  it("still delivers an event sent while stopping (the last cycle's counts), within the grace period", async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    // Checked after the run: an expect failing inside run() would land in the runtime's error policy.
    let delivered: boolean | undefined;
    const { exit } = start(async (context) => {
      started();
      await untilStopped(context.signal);
      // A cycle that ended as SIGTERM came in reports it now.
      delivered = await context.sendEvent('IOCs pushed', goodEvent);
    });
    await running;
    signals.fire('SIGTERM');
    await expect(exit).resolves.toBe(0);
    expect(delivered).toBe(true);
    expect(stub.requestsTo('/callback')).toHaveLength(1);
  });

  it('on an invalid trigger configuration: one critical naming the field, then idles until SIGTERM', async () => {
    const run = jest.fn(async () => undefined);
    const trigger = JSON.stringify({ ioc_collection_uuid: VALID_COLLECTION, sleep_time: 10 });
    const { exit, finished } = start(run, { env: env({ TRIGGER_CONFIGURATION: trigger }) });
    await stub.until(() => criticals().length > 0);
    expect(criticals()).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /sleep_time \("Sleep Time"\) is 10; it must be at least 60\. Fix it in the trigger configuration/,
        ),
      }),
    ]);
    expect(run).not.toHaveBeenCalled();
    expect(await health()).toBe(200);
    expect(finished()).toBe(false);
    signals.fire('SIGTERM');
    await expect(exit).resolves.toBe(0);
    expect(criticals()).toHaveLength(1);
  });

  it('never prints a secret value, even one that fails validation', async () => {
    stub.secrets = { misp_api_key: 987654321 };
    const { exit } = start(async () => undefined);
    await stub.until(() => criticals().length > 0);
    expect(criticals()[0].message).toMatch(
      /misp_api_key \("MISP API Key"\) is \(value hidden\); it must be text\. Fix it in the account form/,
    );
    expect(everythingSent()).not.toContain('987654321');
    signals.fire('SIGTERM');
    await expect(exit).resolves.toBe(0);
  });

  it('sends no critical for failed cycles in the first 30 minutes, and /health stays 200 (heartbeat only)', async () => {
    const clock = new FakeClock();
    let failedTen: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (failedTen = resolve));
    const { exit } = start(
      async (context) => {
        for (let cycle = 1; cycle <= 10; cycle++) {
          clock.advance(2 * 60_000);
          context.heartbeat();
          context.logger.error(`Cycle ${cycle} failed: MISP answered 503`);
          context.cycleFailed(new AppError(`MISP answered 503 (cycle ${cycle})`, { code: 'HTTP_503' }));
        }
        failedTen();
        await untilStopped(context.signal);
      },
      { clock },
    );
    await done;
    const report = await fetch(`http://127.0.0.1:${ports.liveness}/health`);
    expect(report.status).toBe(200);
    expect(((await report.json()) as { error_count: number }).error_count).toBe(10);
    signals.fire('SIGINT');
    await expect(exit).resolves.toBe(0);
    expect(criticals()).toEqual([]);
    expect(stub.logs.filter((log) => log.level === 'error')).toHaveLength(10);
  });

  it('logs a fatal error from run() once as critical, in its own words, and idles', async () => {
    const { exit, finished } = start(async () => {
      throw new AppError(
        'The MISP API key was refused (403): create a new key in MISP and save it in the account form.',
        {
          code: 'MISP_AUTH',
          fatal: true,
        },
      );
    });
    await stub.until(() => criticals().length > 0);
    expect(criticals()[0].message).toBe(
      'The MISP API key was refused (403): create a new key in MISP and save it in the account form.',
    );
    expect(finished()).toBe(false);
    signals.fire();
    await expect(exit).resolves.toBe(0);
  });

  it('logs a bug escaping run() as an error with its stack, counts it, and runs the trigger again a minute later', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const { exit } = start(
      async (context) => {
        runs += 1;
        if (runs === 1) throw new TypeError("Cannot read properties of undefined (reading 'x')");
        await untilStopped(context.signal);
      },
      { clock },
    );
    await stub.until(() => runs === 2);
    expect(clock.sleeps).toEqual([RERUN_DELAY_MS]);
    const errors = stub.logs.filter((log) => log.level === 'error').map((log) => String(log.message));
    expect(errors).toEqual([
      expect.stringMatching(
        /^Internal error \(a bug: please report it with this line\): TypeError: Cannot read properties of undefined \(reading 'x'\)\n {4}at /,
      ),
    ]);
    expect(errors[0]).toMatch(/The trigger goes on; the next cycle tries again\.$/);
    // With its stack, where the bug is.
    expect(errors[0]).toMatch(/\n\s+at .*run-trigger\.test\.ts:\d+/);
    signals.fire();
    await expect(exit).resolves.toBe(0);
    expect(criticals()).toEqual([]);
  });

  it('treats a run() that throws before its first await like any other failure: with --once, the exit code of a cycle that did not complete, no critical', async () => {
    const throwsAtOnce = (() => {
      throw new Error('synchronous failure');
    }) as unknown as (context: TestContext) => Promise<void>;
    const { exit } = start(throwsAtOnce, { runOptions: { once: true } });
    await expect(exit).resolves.toBe(INCOMPLETE_CYCLE_EXIT_CODE);
    expect(criticals()).toEqual([]);
    expect(stub.logs.map((log) => String(log.message))).toContainEqual(
      expect.stringMatching(
        /^Internal error \(a bug: please report it with this line\): Error: synchronous failure\n/,
      ),
    );
  });

  it('with --once: exits 0 after a good run, 1 after a fatal error, without waiting for a signal', async () => {
    let once: boolean | undefined;
    const good = start(
      async (context) => {
        once = context.runOptions.once;
      },
      { runOptions: { once: true } },
    );
    await expect(good.exit).resolves.toBe(0);
    expect(once).toBe(true);
    const bad = start(
      async () => {
        throw new AppError('wrong collection', { code: 'X', fatal: true });
      },
      { runOptions: { once: true } },
    );
    await expect(bad.exit).resolves.toBe(1);
    expect(criticals().map((log) => log.message)).toEqual(['wrong collection']);
  });

  it('exits non-zero, with an error saying so, when the secrets cannot be fetched after 10 attempts (no critical)', async () => {
    stub.failNext('/secrets', ...Array<number>(10).fill(500));
    const { exit } = start(async () => undefined, { clock: new FakeClock() });
    await expect(exit).resolves.toBe(1);
    expect(stub.requestsTo('/secrets')).toHaveLength(10);
    expect(criticals()).toEqual([]);
    expect(stub.logs.filter((log) => log.level === 'error')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /^Cannot fetch the module's secrets: .*500.* The trigger exits \(code 1\) so that the platform starts it again/,
        ),
      }),
    ]);
  });

  it('runs locally without url_callback: no secrets fetch, no shipping, events logged', async () => {
    const local = env({
      URL_CALLBACK: undefined,
      TOKEN: undefined,
      MODULE_CONFIGURATION: Buffer.from(
        JSON.stringify({
          misp_url: 'http://127.0.0.1:1',
          misp_api_key: MISP_KEY,
          sekoia_api_key: SEKOIA_KEY,
        }),
      ).toString('base64'),
    });
    const seen: { key?: unknown; delivered?: boolean } = {};
    const { exit } = start(
      async (context) => {
        seen.key = context.moduleConfiguration.misp_api_key;
        seen.delivered = await context.sendEvent('IOCs pushed', goodEvent);
      },
      { env: local, runOptions: { once: true } },
    );
    await expect(exit).resolves.toBe(0);
    expect(seen).toEqual({ key: MISP_KEY, delivered: true });
    expect(stub.requests).toEqual([]);
    expect(consoleStream.text).toMatch(
      /INFO {2}Event "IOCs pushed" \(local run, not sent\): \{"summary":"MISP IDS -> .*"iocs_pushed":1,/,
    );
  });

  it('stops promptly even when run() ignores the signal, after its grace period', async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const { exit } = start(
      () => {
        started();
        return new Promise<void>(() => undefined);
      },
      { stopGraceMs: 50 },
    );
    await running;
    signals.fire();
    await expect(exit).resolves.toBe(0);
    expect(stub.logs.map((log) => log.message)).toContain(
      'The trigger did not stop within 0.05 s of the stop signal; exiting anyway.',
    );
  });
});
