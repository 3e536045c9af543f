import axios, { AxiosInstance } from 'axios';
import { ConnectionOptions, createAgents } from './agents';
import { connectTimeoutTransport } from './connect-timeout';

/** Connect and read timeouts of one client. */
export interface HttpTimeouts {
  /** Time to establish the connection (TCP, or the proxy tunnel), in ms. @default 15000 */
  connectMs?: number;
  /** Time for one whole answer, from sending to its last byte, in ms. Client-specific default. */
  readMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

export interface HttpInstanceOptions extends ConnectionOptions {
  baseUrl: string;
  /** Sent with every request (the credentials among them: never logged, never in an error). */
  headers: Record<string, string>;
  /** @default 15000 */
  connectTimeoutMs?: number;
  /** Largest answer body accepted, in bytes. */
  maxContentLength: number;
  /** Largest request body sent, in bytes. */
  maxBodyLength: number;
}

/** What a client built on an HttpInstance shows of it: its proxy, for the start-up log, and close(). */
export interface HttpClientHandle {
  /** The proxy in use, without credentials, for the start-up log; undefined when direct. */
  readonly proxyUsed: string | undefined;
  /** Closes the kept-alive connections. */
  close(): void;
}

export interface HttpInstance extends HttpClientHandle {
  http: AxiosInstance;
}

/**
 * An axios instance for one server: proxy and CA through our agents (axios' own proxy handling
 * off), a connect guard, no redirects (a redirect means a wrong base URL, which the caller
 * reports), bounded bodies. Status handling and retries are left to sendWithRetry.
 */
export function createHttpInstance(options: HttpInstanceOptions): HttpInstance {
  const agents = createAgents(options.baseUrl, options);
  const http = axios.create({
    baseURL: options.baseUrl,
    headers: options.headers,
    proxy: false,
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    transport: connectTimeoutTransport(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    maxRedirects: 0,
    maxContentLength: options.maxContentLength,
    maxBodyLength: options.maxBodyLength,
  });
  return {
    http,
    proxyUsed: agents.proxyUsed,
    close: () => {
      agents.httpAgent.destroy();
      agents.httpsAgent.destroy();
    },
  };
}
