import axios from 'axios';
import { createEventSender } from '../../../src/runtime/events';
import { createLogSender } from '../../../src/runtime/log-sender';
import { loadTriggerFile } from '../../../src/runtime/module-files';
import { createRuntimeHttp } from '../../../src/runtime/runtime-http';
import { compileSchema, createAjv } from '../../../src/runtime/schema';
import { fetchSecrets, mergeSecrets, SecretsUnavailableError } from '../../../src/runtime/secrets';
import type { LogLevel, Logger } from '../../../src/runtime/types';
import { FakeClock, REPO_ROOT, TOKEN, TRIGGER_FILE } from '../../helpers/runtime-fixtures';
import { RuntimeStub } from '../../helpers/runtime-stub';

class MemoryLogger implements Logger {
  readonly lines: { level: LogLevel; message: string }[] = [];
  debug = (message: string) => void this.lines.push({ level: 'debug', message });
  info = (message: string) => void this.lines.push({ level: 'info', message });
  warning = (message: string) => void this.lines.push({ level: 'warning', message });
  error = (message: string) => void this.lines.push({ level: 'error', message });
  critical = (message: string) => void this.lines.push({ level: 'critical', message });
}

const goodEvent = {
  summary: 'MISP IDS -> ioc-collection--x: pushed 2 IOCs. Cycle complete.',
  complete: true,
  collection_uuid: 'ioc-collection--x',
  server: 'https://api.sekoia.io',
  iocs_pushed: 2,
  attributes_processed: 3,
  iocs_submitted: 2,
  iocs_skipped_invalid: 0,
  iocs_by_format: { 'url.value': 2 },
  skipped: {},
  task_ids: ['t'],
};

describe('runtime endpoints', () => {
  let stub: RuntimeStub;
  let clients: { close(): void }[];
  const httpFor = (url: string) => {
    const client = createRuntimeHttp(url, {}, TOKEN, 5000);
    clients.push(client);
    return client.http;
  };
  beforeEach(async () => {
    stub = await new RuntimeStub().start();
    clients = [];
  });
  afterEach(async () => {
    for (const client of clients) client.close();
    await stub.stop();
  });

  describe('events', () => {
    function sender(logger: Logger, clock: FakeClock, onSent = jest.fn()) {
      const ajv = createAjv();
      const results = loadTriggerFile(TRIGGER_FILE, REPO_ROOT).results ?? {};
      return createEventSender({
        http: httpFor(stub.url('/callback')),
        urlCallback: stub.url('/callback'),
        validateResult: compileSchema(ajv, results, 'results'),
        logger,
        clock,
        signal: new AbortController().signal,
        random: () => 0,
        onSent,
      });
    }

    it('posts name, event and a fresh request_id with the Bearer token', async () => {
      const onSent = jest.fn();
      const send = sender(new MemoryLogger(), new FakeClock(), onSent);
      await expect(send('IOCs pushed', goodEvent)).resolves.toBe(true);
      const [request] = stub.requestsTo('/callback');
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request.body).toEqual({
        name: 'IOCs pushed',
        event: goodEvent,
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(onSent).toHaveBeenCalledTimes(1);
    });

    it('retries a 5xx with exponential backoff', async () => {
      const clock = new FakeClock();
      const logger = new MemoryLogger();
      stub.failNext('/callback', 500, 503, 502);
      await expect(sender(logger, clock)('IOCs pushed', goodEvent)).resolves.toBe(true);
      expect(stub.requestsTo('/callback').map((request) => request.status)).toEqual([500, 503, 502, 200]);
      expect(clock.sleeps).toEqual([500, 1000, 2000]);
      expect(logger.lines.filter((line) => line.level === 'warning')).toHaveLength(3);
    });

    it('gives up after 10 attempts', async () => {
      const logger = new MemoryLogger();
      stub.failNext('/callback', ...Array<number>(10).fill(503));
      await expect(sender(logger, new FakeClock())('IOCs pushed', goodEvent)).resolves.toBe(false);
      expect(stub.requestsTo('/callback')).toHaveLength(10);
      expect(logger.lines.at(-1)).toEqual({
        level: 'error',
        message: expect.stringMatching(/could not be delivered .*503.*; the platform kept failing\./),
      });
    });

    it('says the platform did not answer only when it did not', async () => {
      const logger = new MemoryLogger();
      const closed = await new RuntimeStub().start();
      const url = closed.url('/callback');
      await closed.stop();
      const send = createEventSender({
        http: httpFor(url),
        urlCallback: url,
        validateResult: undefined,
        logger,
        clock: new FakeClock(),
        signal: new AbortController().signal,
        random: () => 0,
      });
      await expect(send('IOCs pushed', goodEvent)).resolves.toBe(false);
      expect(logger.lines.at(-1)?.message).toMatch(
        /could not be delivered .*ECONNREFUSED.*the platform did not answer/,
      );
    });

    it('lets a bug through as it is, neither retried nor told as the platform not answering', async () => {
      const logger = new MemoryLogger();
      const bug = new TypeError('a bug in the request code');
      const http = axios.create({
        adapter: async () => {
          throw bug;
        },
      });
      const send = createEventSender({
        http,
        urlCallback: stub.url('/callback'),
        validateResult: undefined,
        logger,
        clock: new FakeClock(),
        signal: new AbortController().signal,
      });
      await expect(send('IOCs pushed', goodEvent)).rejects.toBe(bug);
      expect(logger.lines).toEqual([]);
    });

    it('does not retry a 4xx, and logs it as an error', async () => {
      const logger = new MemoryLogger();
      const onSent = jest.fn();
      stub.failNext('/callback', 400);
      await expect(sender(logger, new FakeClock(), onSent)('IOCs pushed', goodEvent)).resolves.toBe(false);
      expect(stub.requestsTo('/callback')).toHaveLength(1);
      expect(logger.lines).toEqual([
        { level: 'error', message: expect.stringMatching(/refused by Sekoia.io .*400.*not sent again/) },
      ]);
      expect(onSent).not.toHaveBeenCalled();
    });

    it('does not send an event that breaks the results schema', async () => {
      const logger = new MemoryLogger();
      await expect(sender(logger, new FakeClock())('IOCs pushed', { iocs_pushed: -1 })).resolves.toBe(false);
      expect(stub.requests).toHaveLength(0);
      expect(logger.lines[0].level).toBe('error');
      expect(logger.lines[0].message).toMatch(
        /not sent: it does not match the trigger's results schema .*defect/,
      );
    });

    it('logs the event instead in a local run (no url_callback)', async () => {
      const logger = new MemoryLogger();
      const send = createEventSender({
        http: undefined,
        urlCallback: undefined,
        validateResult: undefined,
        logger,
        clock: new FakeClock(),
        signal: new AbortController().signal,
      });
      await expect(send('IOCs pushed', goodEvent)).resolves.toBe(true);
      expect(logger.lines).toEqual([{ level: 'info', message: expect.stringContaining('"iocs_pushed":2') }]);
    });
  });

  describe('secrets', () => {
    it('fetches the secrets with the Bearer token and merges them over placeholders', async () => {
      stub.secrets = { misp_api_key: 'the-real-key' };
      const secrets = await fetchSecrets({
        http: httpFor(stub.url('/secrets')),
        urlSecrets: stub.url('/secrets'),
        clock: new FakeClock(),
      });
      expect(stub.requestsTo('/secrets')[0]).toMatchObject({
        method: 'GET',
        authorization: `Bearer ${TOKEN}`,
      });
      expect(mergeSecrets({ misp_url: 'https://m', misp_api_key: '<placeholder>' }, secrets)).toEqual({
        misp_url: 'https://m',
        misp_api_key: 'the-real-key',
      });
    });

    it('retries up to 10 attempts, waits capped at 10 s, then fails with SecretsUnavailableError (not fatal: the process exits)', async () => {
      const clock = new FakeClock();
      const warnings: string[] = [];
      stub.failNext('/secrets', ...Array<number>(10).fill(503));
      const fetching = fetchSecrets({
        http: httpFor(stub.url('/secrets')),
        urlSecrets: stub.url('/secrets'),
        clock,
        random: () => 0.999,
        onRetry: (message) => warnings.push(message),
      });
      await expect(fetching).rejects.toThrow(SecretsUnavailableError);
      await expect(fetching).rejects.toMatchObject({ fatal: false, code: 'SECRETS' });
      expect(stub.requestsTo('/secrets')).toHaveLength(10);
      expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(10_000);
      expect(clock.sleeps).toHaveLength(9);
      expect(warnings[0]).toMatch(/attempt 1 of 10/);
    });

    it('does not retry a refused token, and says so', async () => {
      stub.failNext('/secrets', 401);
      const fetching = fetchSecrets({
        http: httpFor(stub.url('/secrets')),
        urlSecrets: stub.url('/secrets'),
        clock: new FakeClock(),
      });
      await expect(fetching).rejects.toThrow(
        /Cannot fetch the module's secrets: .*401.*The runtime token was refused\.$/,
      );
      expect(stub.requestsTo('/secrets')).toHaveLength(1);
    });
  });

  describe('log sender', () => {
    it('posts {"logs": [...]} with the Bearer token, and rejects without the token on failure', async () => {
      const send = createLogSender(httpFor(stub.url('/logs')), stub.url('/logs'), new FakeClock());
      const logs = [{ date: '2026-11-28T08:00:00.000Z', level: 'info' as const, message: 'hello' }];
      await send(logs);
      expect(stub.requestsTo('/logs')[0]).toMatchObject({
        method: 'POST',
        authorization: `Bearer ${TOKEN}`,
        body: { logs },
      });
      stub.failNext('/logs', 500);
      const failed = send(logs);
      await expect(failed).rejects.toThrow(/status code 500.*POST http:\/\/127.0.0.1:\d+\/logs/);
      await expect(failed).rejects.not.toThrow(TOKEN);
      expect(stub.requestsTo('/logs')).toHaveLength(2);
    });
  });
});
