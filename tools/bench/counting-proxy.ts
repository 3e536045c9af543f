import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP server on loopback in front of a MISP, counting the requests by path: how
 * many requests the trigger (or the floor) made, whatever MISP it is. Bodies are piped, not held.
 */
export interface CountingProxy {
  /** The URL to hand to the client instead of MISP's (same path prefix). */
  url: string;
  /** Requests forwarded so far, by path (query left out). */
  counts(): Record<string, number>;
  close(): Promise<void>;
}

/** Sums the counts of every path. */
export function totalRequests(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** The request's path against the target: the target's own path prefix kept. */
export function forwardedPath(target: URL, requestPath: string): string {
  const prefix = target.pathname.replace(/\/+$/, '');
  return `${prefix}${requestPath.startsWith('/') ? '' : '/'}${requestPath}`;
}

export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const transport = target.protocol === 'https:' ? https : http;
  const counted: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const path = forwardedPath(target, req.url ?? '/');
    const bare = path.split('?')[0];
    counted[bare] = (counted[bare] ?? 0) + 1;
    const headers = { ...req.headers, host: target.host };
    const upstream = transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers,
        // One connection a request, as the client's own: nothing left open once the bench ends.
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`counting proxy: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counted }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
