import { LogRecord, LogShipper } from '../../../src/runtime/log-shipper';
import { FakeClock } from '../../helpers/runtime-fixtures';

/** A send function that records batches and fails when told. */
function recorder() {
  const batches: LogRecord[][] = [];
  let failures = 0;
  return {
    batches,
    failNext(count: number) {
      failures = count;
    },
    send: async (logs: LogRecord[]) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('Request failed with status code 503: POST http://127.0.0.1/logs');
      }
      batches.push(logs);
    },
  };
}

/** Lets the shipper's promise chains run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('LogShipper', () => {
  let clock: FakeClock;
  beforeEach(() => {
    jest.useFakeTimers();
    clock = new FakeClock();
  });
  afterEach(() => jest.useRealTimers());

  it('sends at once when 50 lines are buffered, not before', async () => {
    const sink = recorder();
    const shipper = new LogShipper({ send: sink.send, clock });
    for (let i = 0; i < 49; i++) shipper.push('info', `line ${i}`);
    await settle();
    expect(sink.batches).toHaveLength(0);
    shipper.push('info', 'line 49');
    await settle();
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]).toHaveLength(50);
    expect(sink.batches[0][0]).toEqual({
      date: '2026-11-28T08:00:00.000Z',
      level: 'info',
      message: 'line 0',
    });
  });

  it('flushes every 5 s', async () => {
    const sink = recorder();
    const shipper = new LogShipper({ send: sink.send, clock });
    shipper.start();
    shipper.push('info', 'waiting line');
    jest.advanceTimersByTime(4999);
    await settle();
    expect(sink.batches).toHaveLength(0);
    jest.advanceTimersByTime(1);
    await settle();
    expect(sink.batches.flat().map((log) => log.message)).toEqual(['waiting line']);
    await shipper.close();
  });

  it('sends error and critical lines at once', async () => {
    const sink = recorder();
    const shipper = new LogShipper({ send: sink.send, clock });
    shipper.push('info', 'before');
    shipper.push('error', 'broken');
    await settle();
    expect(sink.batches.flat().map((log) => log.level)).toEqual(['info', 'error']);
    shipper.push('critical', 'fatal');
    await settle();
    expect(sink.batches).toHaveLength(2);
  });

  it('ships the same level and message at most once per 60 s, critical always', async () => {
    const sink = recorder();
    const shipper = new LogShipper({ send: sink.send, clock });
    shipper.push('warning', 'MISP is slow');
    shipper.push('warning', 'MISP is slow');
    shipper.push('info', 'MISP is slow');
    clock.advance(59_999);
    shipper.push('warning', 'MISP is slow');
    clock.advance(1);
    shipper.push('warning', 'MISP is slow');
    shipper.push('critical', 'stop');
    shipper.push('critical', 'stop');
    await shipper.flush();
    expect(sink.batches.flat().map((log) => `${log.level}:${log.message}`)).toEqual([
      'warning:MISP is slow',
      'info:MISP is slow',
      'warning:MISP is slow',
      'critical:stop',
      'critical:stop',
    ]);
  });

  it('keeps the lines of a failed send and sends them at the next period', async () => {
    const sink = recorder();
    const statuses: string[] = [];
    const shipper = new LogShipper({ send: sink.send, clock, onStatus: (message) => statuses.push(message) });
    shipper.start();
    sink.failNext(1);
    shipper.push('error', 'first');
    await settle();
    expect(sink.batches).toHaveLength(0);
    expect(shipper.pending).toBe(1);
    expect(statuses[0]).toMatch(/Cannot ship logs .*503.*1 lines kept/);
    // An error right after a failure waits for the next period instead of hammering the endpoint.
    shipper.push('error', 'second');
    await settle();
    expect(sink.batches).toHaveLength(0);
    clock.advance(5000);
    jest.advanceTimersByTime(5000);
    await settle();
    expect(sink.batches.flat().map((log) => log.message)).toEqual(['first', 'second']);
    expect(statuses[1]).toMatch(/works again/);
    await shipper.close();
  });

  it('keeps at most maxBuffered lines, dropping the oldest, and says how many were dropped', async () => {
    const sink = recorder();
    const shipper = new LogShipper({ send: sink.send, clock, maxBuffered: 3, batchSize: 10 });
    sink.failNext(1);
    for (let i = 0; i < 5; i++) shipper.push('info', `line ${i}`);
    shipper.push('error', 'trigger a send');
    await settle();
    expect(shipper.pending).toBe(3);
    await shipper.flush();
    expect(sink.batches.flat().map((log) => log.message)).toEqual([
      '3 older log lines were dropped while the logs endpoint could not be reached.',
      'line 3',
      'line 4',
      'trigger a send',
    ]);
    await shipper.flush();
    expect(sink.batches).toHaveLength(1);
  });

  it('sends what is left at close and stops its timer', async () => {
    const sink = recorder();
    const shipper = new LogShipper({ send: sink.send, clock });
    shipper.start();
    shipper.push('info', 'last words');
    await shipper.close();
    expect(sink.batches.flat().map((log) => log.message)).toEqual(['last words']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('never lets a caller wait: push returns while a send is in flight', async () => {
    let release: () => void = () => undefined;
    const batches: LogRecord[][] = [];
    const shipper = new LogShipper({
      clock,
      send: (logs) =>
        new Promise<void>((resolve) => {
          batches.push(logs);
          release = resolve;
        }),
    });
    shipper.push('error', 'one');
    shipper.push('error', 'two');
    expect(batches).toHaveLength(1);
    release();
    await settle();
    expect(batches.map((batch) => batch.map((log) => log.message))).toEqual([['one'], ['two']]);
    release();
    await shipper.flush();
  });
});
