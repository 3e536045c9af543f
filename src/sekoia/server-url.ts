import { ConfigurationError } from '../errors';

/**
 * The API base URL of a Sekoia.io region, as users paste it, normalised to end with "/":
 * - `api.*` hosts (api.sekoia.io, api.usa1.sekoia.io, ...) serve the API at the root;
 * - `app.*` hosts (app.fra2.sekoia.io, app.mco1.sekoia.io, ...) serve it under /api, added when missing;
 * - any other host (an emulator, a gateway) is taken as given.
 */
export function normaliseServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new ConfigurationError(
      `ioc_collection_server is not a URL (got "${input}"): expected e.g. https://api.sekoia.io or https://app.fra2.sekoia.io/api`,
      ['ioc_collection_server'],
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(
      `ioc_collection_server must be an https:// (or http://) URL, got "${input}"`,
      ['ioc_collection_server'],
    );
  }
  url.search = '';
  url.hash = '';
  let path = url.pathname.replace(/\/+$/, '');
  const host = url.hostname.toLowerCase();
  if (host.startsWith('app.') && host.endsWith('.sekoia.io') && path === '') path = '/api';
  url.pathname = `${path}/`;
  return url.toString();
}

/**
 * The Sekoia.io region a normalised server URL points at, for messages: "FRA1" for api.sekoia.io,
 * "USA1" for api.usa1.sekoia.io, "FRA2" for app.fra2.sekoia.io/api; otherwise the host itself.
 */
export function regionOf(serverUrl: string): string {
  const host = new URL(serverUrl).hostname.toLowerCase();
  if (host === 'api.sekoia.io' || host === 'app.sekoia.io') return 'FRA1';
  const match = /^(?:api|app)\.([a-z]+\d+)\.sekoia\.io$/.exec(host);
  return match ? match[1].toUpperCase() : host;
}
