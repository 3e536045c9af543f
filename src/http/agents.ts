import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { safeUrl } from './url';

/** Proxy and TLS settings of one HTTP client. */
export interface ConnectionOptions {
  /** Account value; wins over HTTP_PROXY. */
  httpProxy?: string;
  /** Account value; wins over HTTPS_PROXY. */
  httpsProxy?: string;
  /** Extra trusted CA certificates (PEM), added to Node's public roots. TLS is always verified. */
  caPem?: string;
  /** Environment to read HTTP_PROXY, HTTPS_PROXY and NO_PROXY from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface Agents {
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** The proxy used for the base URL, without credentials, for the start-up log; undefined if none. */
  proxyUsed: string | undefined;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/** NO_PROXY matching as curl does it: "*", host names and domain suffixes, optional ports. */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const match = /^(.+?)(?::(\d+))?$/.exec(entry.toLowerCase());
      if (!match) return false;
      const [, rawHost, entryPort] = match;
      if (entryPort && entryPort !== port) return false;
      const suffix = rawHost.replace(/^\*?\./, '');
      return host === suffix || host.endsWith(`.${suffix}`);
    });
}

/**
 * https-proxy-agent applies its constructor's TLS options to the connection to the proxy only; the
 * TLS session with the target, inside the CONNECT tunnel, gets the request's options. Axios does not
 * pass `ca` per request, so the extra CA is added here, or a private MISP CA would be ignored
 * behind a proxy.
 */
class TargetCaHttpsProxyAgent<Uri extends string> extends HttpsProxyAgent<Uri> {
  constructor(
    proxy: Uri,
    options: ConstructorParameters<typeof HttpsProxyAgent<Uri>>[1],
    private readonly targetCa: string[] | undefined,
  ) {
    super(proxy, options);
  }

  override connect(req: http.ClientRequest, opts: Parameters<HttpsProxyAgent<Uri>['connect']>[1]) {
    return super.connect(req, this.targetCa && opts.secureEndpoint ? { ...opts, ca: this.targetCa } : opts);
  }
}

/**
 * The agents an axios instance talking to `baseUrl` should use (with axios' own `proxy: false`).
 * The proxy is picked once for the base URL: one client talks to one server.
 */
export function createAgents(baseUrl: string, options: ConnectionOptions = {}): Agents {
  const env = options.env ?? process.env;
  const target = new URL(baseUrl);
  const ca =
    options.caPem && options.caPem.trim() !== '' ? [...tls.rootCertificates, options.caPem] : undefined;
  const tlsOptions = { keepAlive: true, ca };
  const noProxy = envValue(env, 'NO_PROXY');
  const proxy =
    target.protocol === 'https:'
      ? options.httpsProxy || envValue(env, 'HTTPS_PROXY')
      : options.httpProxy || envValue(env, 'HTTP_PROXY');
  if (!proxy || bypassesProxy(target, noProxy)) {
    return {
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent(tlsOptions),
      proxyUsed: undefined,
    };
  }
  return {
    httpAgent: new HttpProxyAgent(proxy, { keepAlive: true }),
    httpsAgent: new TargetCaHttpsProxyAgent(proxy, tlsOptions, ca),
    proxyUsed: safeUrl(proxy) ?? '<invalid URL>',
  };
}
