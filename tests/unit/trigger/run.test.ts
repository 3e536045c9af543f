import { NetworkError } from '../../../src/errors';
import type { RetryNotice } from '../../../src/http/request';
import { SekoiaError } from '../../../src/sekoia/errors';
import { DATA_FOLDER_FIX, StateError } from '../../../src/state/errors';
import type { DependencyInput, TriggerDependencies } from '../../../src/trigger/dependencies';
import { createTrigger, SLOWEST_REQUEST_SECONDS } from '../../../src/trigger/index';
import {
  createFakeContext,
  FakeClock,
  FakeMispClient,
  FakeSink,
  MemoryState,
  PUSH_OPERATION,
} from '../../helpers/fakes';
import {
  attribute,
  COLLECTION,
  ipAttributes,
  MISP_KEY,
  moduleConfiguration,
  SEKOIA_KEY,
  triggerConfiguration,
} from './support';
import { StateOutageError } from '../../../src/state/errors';

function setUp(
  pages: unknown[][],
  options: { once?: boolean; dryRun?: boolean; module?: Record<string, unknown> } = {},
) {
  const clock = new FakeClock();
  const misp = new FakeMispClient(pages);
  const sink = new FakeSink();
  const state = new MemoryState(clock);
  const inputs: DependencyInput[] = [];
  let closed = 0;
  const trigger = createTrigger({
    createDependencies: async (input): Promise<TriggerDependencies> => {
      inputs.push(input);
      return {
        misp,
        sink,
        state,
        async close() {
          closed += 1;
          await state.close();
        },
      };
    },
  });
  const fake = createFakeContext({
    moduleConfiguration: moduleConfiguration(options.module),
    triggerConfiguration: triggerConfiguration(),
    clock,
    runOptions: { once: options.once ?? false, dryRun: options.dryRun ?? false },
    triggerConfigurationUuid: 'c0ffee00-0000-4000-8000-000000000001',
  });
  return { trigger, clock, misp, sink, state, inputs, closedCount: () => closed, ...fake };
}

/** Everything the run let out: log lines, events, errors handed to the runtime. */
function everythingRecorded(t: ReturnType<typeof setUp>, thrown?: unknown): string {
  return JSON.stringify({
    lines: t.logger.lines,
    events: t.calls.events,
    failed: t.calls.failed.map((e) =>
      e instanceof Error ? { message: e.message, stack: e.stack } : String(e),
    ),
    thrown: thrown instanceof Error ? thrown.message : String(thrown),
  });
}

describe('the trigger run loop', () => {
  it('tries the state again every minute while S3 has an outage at start-up (no critical), then runs', async () => {
    const t = setUp([ipAttributes(2)], { once: true });
    let opens = 0;
    const outage = () =>
      new StateOutageError(
        'Could not reach the state in the S3 bucket "b": 503. S3 failed on its side (5xx or throttling). The trigger cannot know what it pushed before without it: it tries again in 60 s and pushes nothing until then.',
        's3://b/manifest.json',
      );
    const trigger = createTrigger({
      createDependencies: async (): Promise<TriggerDependencies> => {
        opens += 1;
        if (opens <= 2) throw outage();
        return { misp: t.misp, sink: t.sink, state: t.state, close: () => t.state.close() };
      },
    });
    await trigger.run(t.context);
    expect(opens).toBe(3);
    expect(t.clock.sleeps).toEqual([60_000, 60_000]);
    expect(t.logger.at('error')).toEqual([outage().message, outage().message]);
    expect(t.logger.at('critical')).toEqual([]);
    expect(t.sink.accepted).toHaveLength(1);
  });

  it('still stops at start-up for what a person must fix (a missing bucket: fatal)', async () => {
    const t = setUp([], { once: true });
    const missing = new StateError(
      'The bucket does not exist: create it, or correct aws_bucket_name ("b").',
      's3://b',
      undefined,
      true,
    );
    const trigger = createTrigger({
      createDependencies: async (): Promise<TriggerDependencies> => {
        throw missing;
      },
    });
    await expect(trigger.run(t.context)).rejects.toBe(missing);
    expect(t.clock.sleeps).toEqual([]);
  });

  it('in once mode, runs one cycle, reports it and closes the state', async () => {
    const t = setUp([ipAttributes(3)], { once: true });
    await t.trigger.run(t.context);
    expect(t.sink.accessChecks).toBe(1);
    expect(t.sink.accepted).toHaveLength(1);
    expect(t.calls.succeeded).toBe(1);
    expect(t.calls.failed).toHaveLength(0);
    expect(t.calls.events).toHaveLength(1);
    expect(t.calls.events[0].name).toBe('MISP IDS attributes pushed');
    expect(t.calls.heartbeats).toBeGreaterThanOrEqual(2);
    expect(t.clock.sleeps).toEqual([]);
    expect(t.state.closed).toBe(true);
    expect(t.inputs[0].namespace).toBe('c0ffee00-0000-4000-8000-000000000001');
    const started = t.logger.at('info')[0];
    expect(started).toContain('MISP 2.5.1 at https://misp.example.com');
    expect(started).toContain(COLLECTION);
    expect(started).toContain('poll every 300 s');
    expect(t.logger.at('info')[1]).toMatch(/^Cycle done in .*pushed 3 IOCs/);
  });

  it('says in the start-up line what validity Sekoia.io gives the IOCs without ioc_validity_days', async () => {
    const t = setUp([], { once: true });
    await t.trigger.run(t.context);
    const started = t.logger.at('info').find((line) => line.startsWith('Started:'));
    expect(started).toContain(
      "IOCs valid as Sekoia.io's defaults set them (no valid_until sent): 30 days for IP addresses, 6 months " +
        'for domains and URLs, its own default for hashes and e-mail addresses',
    );
    expect(started).not.toContain('no expiry');
  });

  it('sends no event after a cycle that pushed nothing', async () => {
    const t = setUp([], { once: true });
    await t.trigger.run(t.context);
    expect(t.calls.events).toHaveLength(0);
    expect(t.calls.succeeded).toBe(1);
  });

  it('sleeps sleep_time between cycles and stops when aborted while sleeping', async () => {
    const t = setUp([ipAttributes(2)]);
    t.clock.onSleep = () => {
      if (t.clock.sleeps.length === 2) t.controller.abort();
    };
    await t.trigger.run(t.context);
    expect(t.clock.sleeps).toEqual([300_000, 300_000]);
    expect(t.misp.queries).toHaveLength(2);
    expect(t.calls.succeeded).toBe(2);
    // The second cycle found everything pushed already.
    expect(t.sink.accepted).toHaveLength(1);
    expect(t.closedCount()).toBe(1);
  });

  it('tells the runtime a cycle failed, and a later one succeeded', async () => {
    const t = setUp([ipAttributes(2)]);
    t.sink.unavailableCalls = 1;
    t.clock.onSleep = () => {
      if (t.clock.sleeps.length === 2) t.controller.abort();
    };
    await t.trigger.run(t.context);
    expect(t.calls.failed).toHaveLength(1);
    expect(t.calls.failed[0]).toMatchObject({ kind: 'unavailable' });
    expect(t.calls.succeeded).toBe(1);
    expect(t.logger.at('error')[0]).toMatch(
      /^Pushing to Sekoia\.io failed: .* next cycle in 300 s\. Nothing is lost\.$/,
    );
    expect(t.sink.acceptedValues()).toHaveLength(2);
  });

  it("tells a state failure reading the cursor as the state's, with the data-folder fix", async () => {
    const t = setUp([ipAttributes(2)], { once: true });
    const driver = new Error('SQLITE_IOERR: disk I/O error');
    t.state.failing.set(
      'getCursor',
      new StateError(
        `Could not read the cursor in the state file /data/s.sqlite: ${driver.message}`,
        '/data/s.sqlite',
        driver,
      ),
    );

    await t.trigger.run(t.context);

    expect(t.logger.at('error')).toEqual([
      "The trigger's state failed before the cycle began: Could not read the cursor in the state file /data/s.sqlite: " +
        `SQLITE_IOERR: disk I/O error. ${DATA_FOLDER_FIX} Nothing was read or pushed in this cycle; the next run tries ` +
        'again. Nothing is lost.',
    ]);
    expect(t.calls.failed).toHaveLength(1);
    expect(t.state.closed).toBe(true);
  });

  it('logs both failures of a cycle and counts one failed cycle', async () => {
    const t = setUp([ipAttributes(2), ipAttributes(2, 10)], { once: true });
    t.misp.options = {
      failOnPage: 2,
      error: new NetworkError('MISP could not be reached', { operation: PUSH_OPERATION }),
    };
    t.sink.unavailableCalls = 1;

    await t.trigger.run(t.context);

    const errors = t.logger.at('error');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^Reading MISP failed after 1 page: MISP could not be reached\. /);
    expect(errors[1]).toMatch(/^Pushing to Sekoia\.io failed: /);
    expect(t.calls.failed).toHaveLength(1);
  });

  it('hands a bug in a cycle to the runtime as a failed cycle, as it is (not told as a MISP or Sekoia.io failure), and goes on', async () => {
    const t = setUp([ipAttributes(2)]);
    const bug = new TypeError("Cannot read properties of undefined (reading 'format')");
    t.sink.nextError = bug;
    t.clock.onSleep = () => {
      if (t.clock.sleeps.length === 2) t.controller.abort();
    };

    await t.trigger.run(t.context);

    expect(t.logger.at('error')).toEqual([]);
    expect(t.calls.failed).toEqual([bug]);
    // The loop went on: the second cycle pushed what the first could not.
    expect(t.calls.succeeded).toBe(1);
    expect(t.sink.acceptedValues()).toHaveLength(2);
    expect(t.state.closed).toBe(true);
  });

  it('lets a bug at start-up through instead of logging it as MISP not answering', async () => {
    const t = setUp([ipAttributes(2)], { once: true });
    const bug = new RangeError('a bug in the version check');
    t.misp.getVersion = async () => {
      throw bug;
    };

    await expect(t.trigger.run(t.context)).rejects.toBe(bug);
    expect(t.logger.at('error')).toEqual([]);
  });

  it('saves the state after each cycle; a failed save is an error log and a failed cycle, saved again next cycle', async () => {
    const t = setUp([ipAttributes(2)]);
    t.state.saveFailure = new StateError(
      'Could not save the state in the S3 bucket "b": 503. What changed stays in the local copy; the next cycle saves it again.',
      's3://b/misp-ids-to-ioc.state/x/',
    );
    t.clock.onSleep = () => {
      if (t.clock.sleeps.length === 2) t.controller.abort();
    };
    await t.trigger.run(t.context);
    expect(t.state.saves).toBe(2);
    expect(t.calls.failed).toEqual([expect.any(StateError)]);
    expect(t.calls.succeeded).toBe(1);
    expect(t.logger.at('error')).toEqual([
      expect.stringMatching(
        /^The state could not be saved: Could not save the state in the S3 bucket .*saves it again\.$/,
      ),
    ]);
    expect(t.logger.at('critical')).toEqual([]);
  });

  it('saves nothing in a dry run', async () => {
    const t = setUp([ipAttributes(2)], { once: true, dryRun: true });
    await t.trigger.run(t.context);
    expect(t.state.saves).toBe(0);
  });

  it('lets a fatal error through and still closes the state', async () => {
    const t = setUp([ipAttributes(2)]);
    t.sink.nextError = new SekoiaError('Sekoia.io refused sekoia_api_key (401 Unauthorized)', {
      kind: 'auth',
      status: 401,
      operation: PUSH_OPERATION,
    });
    // The same fatal error, with the word that a restart loses nothing.
    await expect(t.trigger.run(t.context)).rejects.toMatchObject({
      fatal: true,
      code: 'SEKOIA_AUTH',
      cause: { kind: 'auth' },
      message: expect.stringContaining(
        'once this is fixed, restart the trigger; it continues where it stopped',
      ),
    });
    expect(t.calls.failed).toHaveLength(0);
    expect(t.state.closed).toBe(true);
  });

  it('lets a fatal key check through at start-up', async () => {
    const t = setUp([]);
    t.sink.accessError = new SekoiaError('Sekoia.io refused sekoia_api_key (403 Forbidden)', {
      kind: 'permission',
      status: 403,
      operation: PUSH_OPERATION,
    });
    await expect(t.trigger.run(t.context)).rejects.toMatchObject({ kind: 'permission' });
    expect(t.misp.queries).toHaveLength(0);
  });

  it('checks the collection before reading anything from MISP: a wrong UUID stops it, MISP untouched', async () => {
    const t = setUp([ipAttributes(1)]);
    t.sink.accessError = new SekoiaError(
      'IOC Collection ioc-collection--x not found in the Sekoia.io region FRA1',
      {
        kind: 'collection_not_found',
        status: 404,
        operation: PUSH_OPERATION,
      },
    );
    await expect(t.trigger.run(t.context)).rejects.toMatchObject({
      kind: 'collection_not_found',
      fatal: true,
    });
    expect(t.sink.accessChecks).toBe(1);
    expect(t.misp.versionCalls).toBe(0);
    expect(t.misp.queries).toHaveLength(0);
  });

  it('starts anyway when the collection check meets a network error', async () => {
    const t = setUp([ipAttributes(1)], { once: true });
    const url = 'https://api.sekoia.test/v2/inthreat/ioc-collections/ioc-collection--x';
    t.sink.accessError = new NetworkError(`connect ECONNREFUSED: GET ${url}`, {
      operation: { method: 'GET', url },
    });
    await t.trigger.run(t.context);
    expect(t.logger.at('error')[0]).toMatch(
      /^Could not check the IOC Collection at start-up: .*starts anyway/,
    );
    expect(t.sink.accepted).toHaveLength(1);
  });

  it('refuses to start without sekoia_api_key, naming it', async () => {
    const t = setUp([], { module: { sekoia_api_key: undefined } });
    await expect(t.trigger.run(t.context)).rejects.toMatchObject({ fields: ['sekoia_api_key'], fatal: true });
  });

  it('in a dry run without sekoia_api_key, pushes nothing and logs what it would push', async () => {
    const t = setUp([[attribute('ip-dst', '192.0.2.7')]], {
      once: true,
      dryRun: true,
      module: { sekoia_api_key: undefined },
    });
    await t.trigger.run(t.context);
    expect(t.sink.calls).toHaveLength(0);
    expect(t.sink.accessChecks).toBe(0);
    expect(t.state.markCalls).toHaveLength(0);
    expect(t.calls.events).toHaveLength(0);
    expect(t.logger.at('info')).toContainEqual(
      'Dry run, nothing sent to Sekoia.io and nothing recorded. Would push: ipv4-addr.value 1: "192.0.2.7".',
    );
  });

  it('turns retry notices into few warnings: the first per service and cycle, and long waits', async () => {
    const t = setUp([ipAttributes(1)], { once: true });
    t.misp.readWindow = async function* (this: FakeMispClient) {
      const notice = (delayMs: number, attempt: number): RetryNotice => ({
        operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
        attempt,
        attempts: 6,
        delayMs,
        error: new NetworkError('socket hang up: POST https://misp.example.com/attributes/restSearch', {
          operation: { method: 'POST', url: 'https://misp.example.com/attributes/restSearch' },
        }),
      });
      for (const [i, delay] of [1000, 2000, 4000, 30_000].entries())
        t.inputs[0].onMispRetry(notice(delay, i + 1));
      yield { page: 1, attributes: [], warninglistSkipped: 0, events: [] };
    };
    await t.trigger.run(t.context);
    const warnings = t.logger.at('warning');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(
      'MISP request failed (socket hang up: POST https://misp.example.com/attributes/restSearch), attempt 1 of 6: ' +
        'trying again in 1 s. Nothing is lost; an error follows only if every attempt fails.',
    );
    expect(warnings[1]).toContain('attempt 4 of 6: trying again in 30 s');
  });

  it('never lets a secret out, in logs, events or errors', async () => {
    const t = setUp([
      [...ipAttributes(5), attribute('ip-dst', '999.0.0.1'), attribute('url', 'http://x.example/?k=1')],
      ipAttributes(3, 50),
    ]);
    t.sink.rejectValues.add('10.0.0.2');
    t.sink.unavailableCalls = 0;
    let pushes = 0;
    const realPush = t.sink.push.bind(t.sink);
    t.sink.push = async (batch, options) => {
      pushes += 1;
      if (pushes === 4) t.sink.unavailableCalls = 1;
      return realPush(batch, options);
    };
    t.clock.onSleep = () => {
      if (t.clock.sleeps.length === 2) t.controller.abort();
    };
    await t.trigger.run(t.context);
    const recorded = everythingRecorded(t);
    expect(t.logger.lines.length).toBeGreaterThan(4);
    expect(t.calls.events.length).toBeGreaterThan(0);
    expect(recorded).not.toContain(MISP_KEY);
    expect(recorded).not.toContain(SEKOIA_KEY);
    expect(recorded).not.toContain('do-not-print');
  });
});

describe('heartbeatThresholdSeconds', () => {
  it('covers a sleep and the slowest request with its retries', () => {
    const threshold = createTrigger().heartbeatThresholdSeconds(triggerConfiguration({ sleep_time: 300 }));
    // One request: 6 attempts of up to 15 s to connect and 120 s to read a MISP page, and 5 waits
    // of up to 120 s (the Retry-After cap) between them: 1,410 s. Then the sleep and 5 min margin.
    expect(SLOWEST_REQUEST_SECONDS).toBe(6 * (15 + 120) + 5 * 120);
    expect(threshold).toBe(300 + 1410 + 300);
  });
});
