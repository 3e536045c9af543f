import http, { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/** The shape of axios' `transport` option: what it calls instead of http(s).request. */
export interface RequestTransport {
  request(options: RequestOptions, callback?: (response: IncomingMessage) => void): ClientRequest;
}

/** Node's own code for a connection not established in time; treated as a network failure. */
export const CONNECT_TIMEOUT_CODE = 'ERR_SOCKET_CONNECTION_TIMEOUT';

/**
 * An axios transport that fails a request whose connection is not established within
 * `connectTimeoutMs`: a black-holed host then fails fast, while the (much longer) read deadline
 * is left to the server's think time. Through a proxy agent the socket is handed over once the
 * tunnel is up, so the guard covers the proxy's CONNECT too. Redirects are not followed.
 */
export function connectTimeoutTransport(connectTimeoutMs: number): RequestTransport {
  return {
    request(options, callback) {
      const secure = options.protocol === 'https:';
      const req = secure ? https.request(options, callback) : http.request(options, callback);
      const where = `${options.hostname ?? options.host ?? ''}:${options.port ?? (secure ? 443 : 80)}`;
      const timer = setTimeout(() => {
        const error = Object.assign(
          new Error(`connection to ${where} not established within ${connectTimeoutMs} ms`),
          { code: CONNECT_TIMEOUT_CODE },
        );
        const waitingForSocket = !req.socket;
        req.destroy(error);
        // Without a socket yet (a proxy agent still waiting for its tunnel), destroy() emits
        // nothing until one arrives, maybe never: report the failure now. The proxy connection is
        // left to close on its own.
        if (waitingForSocket) req.emit('error', error);
      }, connectTimeoutMs);
      timer.unref();
      const clear = (): void => clearTimeout(timer);
      // Node emits the error once more if the tunnel later fails: never an unhandled 'error'.
      req.on('error', () => undefined);
      req.once('socket', (socket: Socket) => {
        if (socket.connecting) socket.once('connect', clear);
        else clear();
      });
      req.once('close', clear);
      req.once('response', clear);
      return req;
    },
  };
}
