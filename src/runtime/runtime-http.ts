import axios, { AxiosInstance } from 'axios';
import { createAgents } from '../http/agents';

/**
 * The axios instance for the runtime's own endpoints (secrets, events, logs). Proxies from the
 * environment are honoured, with NO_PROXY, as the Python SDK does; TLS is always verified.
 */
export function createRuntimeHttp(
  baseUrl: string,
  env: NodeJS.ProcessEnv,
  token: string | undefined,
  timeoutMs: number,
): { http: AxiosInstance; close(): void } {
  const agents = createAgents(baseUrl, { env });
  const http = axios.create({
    timeout: timeoutMs,
    proxy: false,
    httpAgent: agents.httpAgent,
    httpsAgent: agents.httpsAgent,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    maxRedirects: 0,
  });
  return {
    http,
    close: () => {
      agents.httpAgent.destroy();
      agents.httpsAgent.destroy();
    },
  };
}
