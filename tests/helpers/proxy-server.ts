import http from 'node:http';
import net, { AddressInfo, Socket } from 'node:net';

/** One request that went through the proxy. */
export interface ProxiedRequest {
  /** 'GET', 'POST', ... for plain HTTP; 'CONNECT' for a tunnel. */
  method: string;
  /** The absolute URI (plain HTTP) or host:port (CONNECT), as the client asked. */
  target: string;
  /** The Proxy-Authorization header, when the client sent one. */
  proxyAuthorization?: string;
}

export interface LoopbackProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What went through, in order. */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** Everything stays on loopback: "localhost" is sent to 127.0.0.1, any other host is refused. */
function loopbackHost(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '127.0.0.1' ? '127.0.0.1' : undefined;
}

/**
 * A small forward proxy on 127.0.0.1, port 0: plain HTTP requests in absolute-URI form are
 * forwarded, CONNECT opens a TCP tunnel (HTTPS goes through it end to end). Counts what it sees.
 */
export async function startForwardProxy(): Promise<LoopbackProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = http.createServer((request, response) => {
    const target = request.url ?? '';
    requests.push({
      method: request.method ?? '',
      target,
      proxyAuthorization: request.headers['proxy-authorization'],
    });
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      response.writeHead(400).end('absolute URI expected');
      return;
    }
    const host = loopbackHost(url.hostname);
    if (!host) {
      response.writeHead(502).end('only loopback targets');
      return;
    }
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      { host, port: url.port || 80, method: request.method, path: `${url.pathname}${url.search}`, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.headersSent || response.writeHead(502).end('upstream failed'));
    request.pipe(upstream);
  });

  server.on('connect', (request: http.IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    const target = request.url ?? '';
    requests.push({ method: 'CONNECT', target, proxyAuthorization: request.headers['proxy-authorization'] });
    const match = /^(.+):(\d+)$/.exec(target);
    const host = match && loopbackHost(match[1]);
    if (!match || !host) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', track);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
