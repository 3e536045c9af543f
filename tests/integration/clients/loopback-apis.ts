import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const MISP_KEY = 'IntegrationMispKey-0123456789abcdefghijklm';
export const SEKOIA_KEY = 'IntegrationSekoiaKey-0123456789abcdefghij';
export const COLLECTION = 'ioc-collection--00000000-1111-2222-3333-444444444444';

/** What a loopback API saw: method and path, and whether the right credential came with it. */
export interface SeenRequest {
  method: string;
  path: string;
  authorised: boolean;
}

/**
 * A minimal MISP and Sekoia.io on one handler, enough to see a client get through (TLS, proxy):
 * restSearch answers one attribute on page 1 and an empty page 2.
 */
export function apiHandler(
  seen: SeenRequest[],
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      const auth = request.headers.authorization;
      const isSekoia = path.startsWith('/v1/') || path.startsWith('/v2/');
      const authorised = isSekoia ? auth === `Bearer ${SEKOIA_KEY}` : auth === MISP_KEY;
      seen.push({ method: request.method ?? '', path, authorised });
      const reply = (status: number, body: unknown): void => {
        response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      };
      if (!authorised) return reply(isSekoia ? 401 : 403, { message: 'Authentication failed.' });
      if (path === '/servers/getVersion') return reply(200, { version: '2.5.1' });
      if (path === '/events/restSearch') {
        const event = { id: '1', uuid: 'event-1', published: true, publish_timestamp: '1', timestamp: '1' };
        return reply(200, { response: [{ Event: { ...event, attribute_count: '1' } }] });
      }
      if (path === '/attributes/restSearch') {
        const { page } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { page?: number };
        const attributes =
          page === 1 ? [{ id: '1', type: 'ip-dst', value: '198.51.100.7', to_ids: true }] : [];
        return reply(200, { response: { Attribute: attributes } });
      }
      if (path === `/v2/inthreat/ioc-collections/${COLLECTION}`) return reply(200, { id: COLLECTION });
      if (path === `/v2/inthreat/ioc-collections/${COLLECTION}/indicators/text`)
        return reply(202, { task_id: 'task-1' });
      return reply(404, { message: 'no such route' });
    });
  };
}

export interface LoopbackHttpServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LoopbackHttpServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
