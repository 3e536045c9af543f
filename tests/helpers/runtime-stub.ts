import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stub received. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
  /** The status the stub answered. */
  status: number;
}

/** A log line as the stub received it. */
export interface ShippedLog {
  date: string;
  level: string;
  message: string;
}

type Path = '/callback' | '/logs' | '/secrets';

/**
 * A loopback stand-in for the Sekoia runtime endpoints (/callback, /logs, /secrets): records
 * every request and answers failures on demand.
 */
export class RuntimeStub {
  readonly requests: RecordedRequest[] = [];
  /** What GET /secrets answers in `value`. */
  secrets: Record<string, unknown> = {};
  private readonly failures = new Map<string, number[]>();
  private readonly waiters: { test: () => boolean; resolve: () => void }[] = [];
  private server: http.Server | undefined;
  private baseUrl = '';

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  url(path: Path): string {
    return `${this.baseUrl}${path}`;
  }

  /** The next requests to `path` answer these statuses, in order. */
  failNext(path: Path, ...statuses: number[]): void {
    this.failures.set(path, [...(this.failures.get(path) ?? []), ...statuses]);
  }

  requestsTo(path: Path): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Every log line accepted (2xx) so far. */
  get logs(): ShippedLog[] {
    return this.requests
      .filter((request) => request.path === '/logs' && request.status === 200)
      .flatMap((request) => (request.body as { logs: ShippedLog[] }).logs);
  }

  /** Resolves once `test` holds, checked after each request (no polling, no sleeps). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = (request.url ?? '').split('?')[0];
      const planned = this.failures.get(path)?.shift();
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        path,
        authorization: request.headers.authorization,
        body: text ? (JSON.parse(text) as unknown) : undefined,
        status: planned ?? (['/callback', '/logs', '/secrets'].includes(path) ? 200 : 404),
      };
      this.requests.push(recorded);
      response.writeHead(recorded.status, { 'content-type': 'application/json' });
      const body =
        recorded.status !== 200
          ? { message: `stub answers ${recorded.status}` }
          : path === '/secrets'
            ? { value: this.secrets }
            : {};
      response.end(JSON.stringify(body));
      for (const waiter of [...this.waiters]) {
        if (waiter.test()) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  }
}
