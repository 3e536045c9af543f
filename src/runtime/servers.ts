import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Liveness } from './liveness';
import type { Logger } from './types';
import { messageOf } from '../errors';

type Route = (response: http.ServerResponse) => Promise<void> | void;

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export function healthRoute(liveness: Liveness): Route {
  return (response) => {
    const { alive, report } = liveness.check();
    sendJson(response, alive ? 200 : 500, report);
  };
}

export function metricsRoute(registry: Registry): Route {
  return async (response) => {
    const text = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType });
    response.end(text);
  };
}

function handler(routes: Record<string, Route>): http.RequestListener {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const route = request.method === 'GET' || request.method === 'HEAD' ? routes[path] : undefined;
    if (!route) {
      sendJson(response, 404, { status_code: 404, reason: "Endpoint doesn't exist" });
      return;
    }
    Promise.resolve(route(response)).catch((error: unknown) => {
      sendJson(response, 500, { status_code: 500, reason: messageOf(error) });
    });
  };
}

/** A started server, or nothing when its port could not be taken. */
export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (port 0: any free port). A port already taken is logged as an error and
 * the trigger runs on without this server: its work matters more than its monitoring.
 */
export function startServer(
  port: number,
  host: string,
  routes: Record<string, Route>,
  purpose: string,
  logger: Logger,
): Promise<RunningServer | undefined> {
  const server = http.createServer(handler(routes));
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      logger.error(
        `Cannot serve ${purpose} on port ${port} (${error.code ?? error.message}); the trigger runs on without it. ` +
          'Give the runtime a free port (liveness_port / metrics_port).',
      );
      resolve(undefined);
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
