import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailureStreak } from '../../../src/runtime/failure-streak';
import { Liveness } from '../../../src/runtime/liveness';
import { createRuntimeMetrics } from '../../../src/runtime/metrics';
import { Monitoring, startMonitoring } from '../../../src/runtime/monitoring';
import type { Logger } from '../../../src/runtime/types';
import { FakeClock } from '../../helpers/runtime-fixtures';

async function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

function silentLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const ignore = () => undefined;
  return {
    errors,
    debug: ignore,
    info: ignore,
    warning: ignore,
    critical: ignore,
    error: (message) => void errors.push(message),
  };
}

describe('/health and /metrics', () => {
  let clock: FakeClock;
  let liveness: Liveness;
  let monitoring: Monitoring;
  const metrics = createRuntimeMetrics();

  beforeEach(async () => {
    clock = new FakeClock();
    liveness = new Liveness(clock);
    liveness.heartbeatThresholdSeconds = 600;
    monitoring = await startMonitoring({
      host: '127.0.0.1',
      livenessPort: 0,
      metricsPort: 0,
      liveness,
      metrics,
      logger: silentLogger(),
    });
  });
  afterEach(() => monitoring.close());

  it('answers 200 with the liveness fields while heartbeats are fresh', async () => {
    clock.advance(30_000);
    liveness.eventSent();
    const response = await get(monitoring.ports.liveness ?? 0, '/health');
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({
      last_events_time: '2026-11-28T08:00:30.000Z',
      last_heartbeat: '2026-11-28T08:00:00.000Z',
      seconds_without_events_threshold: 0,
      last_heartbeat_threshold: 600,
      error_count: 0,
    });
  });

  it('answers 500 once the heartbeat is older than the threshold, and 200 after a new one', async () => {
    clock.advance(600_001);
    expect((await get(monitoring.ports.liveness ?? 0, '/health')).status).toBe(500);
    liveness.heartbeat();
    expect((await get(monitoring.ports.liveness ?? 0, '/health')).status).toBe(200);
  });

  it('stays 200 through any number of failed cycles (heartbeat only, as the SDK), reporting them in error_count', async () => {
    await monitoring.close();
    const failures = new FailureStreak(clock);
    liveness = new Liveness(clock, () => failures.count);
    liveness.heartbeatThresholdSeconds = 600;
    monitoring = await startMonitoring({
      host: '127.0.0.1',
      livenessPort: 0,
      metricsPort: 0,
      liveness,
      metrics,
      logger: silentLogger(),
    });
    for (let i = 0; i < 50; i++) {
      clock.advance(300_000);
      liveness.heartbeat();
      failures.failed();
    }
    const failing = await get(monitoring.ports.liveness ?? 0, '/health');
    expect(failing.status).toBe(200);
    expect(JSON.parse(failing.body).error_count).toBe(50);
    failures.succeeded();
    expect(JSON.parse((await get(monitoring.ports.liveness ?? 0, '/health')).body).error_count).toBe(0);
  });

  it('stays 200 when stopped on a fatal error (idling is expected, a restart would not help)', async () => {
    liveness.markStoppedOnError();
    clock.advance(3_600_000);
    expect((await get(monitoring.ports.liveness ?? 0, '/health')).status).toBe(200);
  });

  it('answers 404 JSON on other paths', async () => {
    const response = await get(monitoring.ports.liveness ?? 0, '/nope');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ status_code: 404, reason: "Endpoint doesn't exist" });
    expect((await get(monitoring.ports.metrics ?? 0, '/health')).status).toBe(404);
  });

  it('serves Prometheus text with the runtime metrics and the process defaults', async () => {
    metrics.eventsSent.inc();
    metrics.consecutiveFailures.set(2);
    const response = await get(monitoring.ports.metrics ?? 0, '/metrics');
    expect(response.status).toBe(200);
    expect(response.type).toMatch(/^text\/plain/);
    expect(response.body).toMatch(/^trigger_events_sent_total 1$/m);
    expect(response.body).toMatch(/^trigger_consecutive_failures 2$/m);
    expect(response.body).toMatch(/^# TYPE trigger_heartbeat_timestamp_seconds gauge$/m);
    expect(response.body).toMatch(/^# TYPE trigger_logs_shipped_total counter$/m);
    expect(response.body).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe('ports', () => {
  it('logs an error and runs on when a port is taken', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    const logger = silentLogger();
    const clock = new FakeClock();
    const monitoring = await startMonitoring({
      host: '127.0.0.1',
      livenessPort: taken,
      metricsPort: 0,
      liveness: new Liveness(clock),
      metrics: createRuntimeMetrics(),
      logger,
    });
    expect(monitoring.ports.liveness).toBeUndefined();
    expect(monitoring.ports.metrics).toEqual(expect.any(Number));
    expect(logger.errors).toEqual([
      expect.stringMatching(new RegExp(`Cannot serve /health on port ${taken} \\(EADDRINUSE\\)`)),
    ]);
    await monitoring.close();
    await new Promise((resolve) => blocker.close(resolve));
  });

  it('serves both paths on one server when both ports are the same', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const logger = silentLogger();
    const monitoring = await startMonitoring({
      host: '127.0.0.1',
      livenessPort: port,
      metricsPort: port,
      liveness: new Liveness(new FakeClock()),
      metrics: createRuntimeMetrics(),
      logger,
    });
    expect((await get(port, '/health')).status).toBe(200);
    expect((await get(port, '/metrics')).status).toBe(200);
    expect(logger.errors).toEqual([]);
    await monitoring.close();
  });
});
