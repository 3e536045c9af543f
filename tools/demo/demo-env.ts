import { SUPPORTED_ATTRIBUTE_TYPES } from '../../src/pipeline/mapping';

/** Stands in for a secret in the configuration, as the platform does: the real value comes from /secrets. */
export const SECRET_PLACEHOLDER = '<served by the runtime /secrets endpoint>';

/** The demo trigger polls every minute, the shortest sleep_time the schema allows. */
export const DEMO_SLEEP_SECONDS = 60;

export interface DemoEnvInput {
  mispUrl: string;
  sekoiaUrl: string;
  collectionId: string;
  runtimeToken: string;
  /** Fresh per run, so a demo always shows a first full cycle. */
  dataPath: string;
  /** An empty folder: nothing stray under /symphony is read. */
  volumePath: string;
  /** The environment the demo was started with (LOG_LEVEL and proxy variables are kept). */
  base: NodeJS.ProcessEnv;
}

/** NO_PROXY with loopback added: a proxy set for the real world must not catch the emulators. */
export function withLoopbackNoProxy(noProxy: string | undefined): string {
  const entries = (noProxy ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const host of ['127.0.0.1', 'localhost']) if (!entries.includes(host)) entries.push(host);
  return entries.join(',');
}

/**
 * The configuration handed to main() as the runtime hands it to the image: the two forms as JSON
 * (secret keys as placeholders, the real values served by the Sekoia emulator's /secrets), the
 * token, url_callback (logs and events go through the real shipping code), free ports.
 */
export function buildDemoEnv(input: DemoEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    MODULE_CONFIGURATION: JSON.stringify({
      misp_url: input.mispUrl,
      misp_api_key: SECRET_PLACEHOLDER,
      sekoia_api_key: SECRET_PLACEHOLDER,
    }),
    TRIGGER_CONFIGURATION: JSON.stringify({
      ioc_collection_server: input.sekoiaUrl,
      ioc_collection_uuid: input.collectionId,
      publish_timestamp: 1,
      sleep_time: DEMO_SLEEP_SECONDS,
      // Every supported type, so the demo shows every Sekoia format (the form's default is 11 types).
      attribute_types: [...SUPPORTED_ATTRIBUTE_TYPES],
    }),
    TOKEN: input.runtimeToken,
    URL_CALLBACK: `${input.sekoiaUrl}/callback`,
    LIVENESS_PORT: '0',
    METRICS_PORT: '0',
    SYMPHONY_DATA_PATH: input.dataPath,
    SYMPHONY_VOLUME_PATH: input.volumePath,
    NO_PROXY: withLoopbackNoProxy(input.base.NO_PROXY ?? input.base.no_proxy),
  };
  for (const name of ['LOG_LEVEL', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) {
    if (input.base[name] !== undefined) env[name] = input.base[name];
  }
  return env;
}
