import { waitFor } from '../helpers/e2e-clock';
import { ReliabilityWorld } from '../helpers/reliability-world';

/**
 * The runtime's own endpoints failing: /logs (what users read in the Playbooks UI) and /callback
 * (the cycle's event). Neither may hold up the pipeline; logs must all arrive once /logs is back.
 * Time is the GatedClock's: a cycle's 60 s sleep passes when the test releases it.
 */
const LOGS_DOWN = { prefix: '/logs', random: [{ rate: 1, fault: { kind: 'status', status: 500 } }] } as const;
/** Messages the runtime writes to the console only: about the log shipping itself. */
const CONSOLE_ONLY = /Cannot ship logs to Sekoia\.io|Shipping logs to Sekoia\.io works again/;
const NEW_IP = { type: 'ip-dst', value: '198.51.100.77', to_ids: true };
const NEWER_HASH = { type: 'sha1', value: 'b'.repeat(40), to_ids: true };

/** level + message of each console line, in order, as the logs endpoint should receive them. */
function consoleRecords(text: string): string[] {
  return text
    .split('\n')
    .map((line) => /^\S+ (\w+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && !CONSOLE_ONLY.test(match[2]))
    .map((match) => `${match[1].toLowerCase()} ${match[2]}`);
}

describe('runtime endpoints failing', () => {
  let world: ReliabilityWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('/logs answers 500 for a minute: cycles go on and push meanwhile, then every line is delivered, once', async () => {
    world = await ReliabilityWorld.start({ sekoiaFaults: [LOGS_DOWN] });
    const clock = world.gatedClock;
    // Every line is shipped (no same-message rate limit) and retried every 20 ms of real time.
    const run = world.run({ logShipping: { intervalMs: 20, rateLimitMs: 0 } });

    await clock.untilParked(1);
    expect(world.collectionIocs()).toEqual(world.expected());
    // The minute passes (the cycle's sleep) with /logs still failing; the next cycle pushes what is new.
    world.misp.addAttributes(2, [NEW_IP], { publish: true });
    clock.release();
    await clock.untilParked(2);
    expect(world.collectionIocs()).toContainEqual({ format: 'ipv4-addr.value', value: NEW_IP.value });
    await waitFor('a retried /logs request', () => world!.sekoia.faults.counts().status >= 2);
    expect(world.sekoia.logs()).toEqual([]);
    expect(run.console.text).toMatch(/WARNING .*Cannot ship logs to Sekoia\.io .*lines kept, retrying/);

    // /logs is back: everything written so far arrives, in order, each line once.
    world.sekoia.faults.clear();
    const shipped = (): string[] =>
      world!.sekoia.logs().map((log) => `${String(log.level)} ${String(log.message)}`);
    // The server stores the lines before the shipper reads its answer and says it works again.
    await waitFor(
      'every log line shipped, and the recovery told',
      () =>
        shipped().length >= consoleRecords(run.console.text).length &&
        /Shipping logs to Sekoia\.io works again/.test(run.console.text),
    );
    expect(shipped()).toEqual(consoleRecords(run.console.text));
    expect(shipped().filter((line) => /Cycle done/.test(line))).toHaveLength(2);
    expect(run.console.text).toMatch(/Shipping logs to Sekoia\.io works again/);

    run.signals.fire('SIGTERM');
    await expect(run.exit).resolves.toBe(0);
    world.expectNoSecret();
  });

  it('/callback answers 4xx (event dropped, logged, pipeline goes on), then 5xx (retried, delivered once it recovers)', async () => {
    world = await ReliabilityWorld.start({
      sekoiaFaults: [{ prefix: '/callback', failNext: { count: 1, fault: { kind: 'status', status: 400 } } }],
    });
    const clock = world.gatedClock;
    const run = world.run();

    await clock.untilParked(1);
    expect(world.collectionIocs()).toEqual(world.expected());
    expect(world.sekoia.events()).toEqual([]);
    expect(run.console.text).toMatch(
      /ERROR .*Event "[^"]+" was refused by Sekoia\.io \(.*400.*\); it is not sent again/,
    );

    // Next cycle: new IOCs, and /callback fails three times with 5xx before it recovers.
    world.sekoia.faults.set([
      { prefix: '/callback', failNext: { count: 1, fault: { kind: 'status', status: 500 } } },
      { prefix: '/callback', failNext: { count: 1, fault: { kind: 'status', status: 502 } } },
      { prefix: '/callback', failNext: { count: 1, fault: { kind: 'status', status: 503 } } },
    ]);
    const waitsBefore = clock.retryWaits.length;
    world.misp.addAttributes(2, [NEWER_HASH], { publish: true });
    clock.release();
    await clock.untilParked(2);

    expect(world.collectionIocs()).toContainEqual({ format: 'file.hashes', value: NEWER_HASH.value });
    expect(clock.retryWaits.length - waitsBefore).toBe(3);
    expect(run.console.text.match(/WARNING .*Sending event .* failed \(attempt \d of 10/g)).toHaveLength(3);
    const events = world.sekoia.events();
    expect(events).toHaveLength(1);
    expect(events[0].event).toMatchObject({ iocs_pushed: 1 });
    // The cycles themselves went well: no cycle failure, no critical.
    expect(run.console.text).not.toMatch(/CRITICAL|The cycle failed/);

    run.signals.fire('SIGTERM');
    await expect(run.exit).resolves.toBe(0);
    world.expectNoSecret();
  });
});
