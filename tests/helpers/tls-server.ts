import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeyAndCertificate } from './tls-certificates';

export interface LoopbackHttpsServer {
  /** https://127.0.0.1:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1, port 0, presenting `identity`. */
export async function startHttpsServer(
  identity: KeyAndCertificate,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LoopbackHttpsServer> {
  const server = https.createServer({ key: identity.key, cert: identity.cert }, handler);
  // A refused handshake is the point of some tests: do not let it surface as an unhandled error.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
