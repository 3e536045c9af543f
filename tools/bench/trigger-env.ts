/**
 * How the bench configures the trigger: the environment the Sekoia runtime would hand over
 * (docs/architecture.md#the-platform-contract), pointed at the emulators. Pure.
 */

/** Seconds between cycles, as configured: the schema's largest, never a retry wait's length. */
export const CYCLE_SLEEP_SECONDS = 86_400;
/** The emulator spreads publish times over this many days before its start... */
export const DATA_WINDOW_DAYS = 30;
/** ...and the first cycle looks back one more day, so it reads the whole data set. */
export const PUBLISH_DAYS = DATA_WINDOW_DAYS + 1;

export interface EmulatorEndpoints {
  mispUrl: string;
  mispApiKey: string;
  sekoiaUrl: string;
  sekoiaApiKey: string;
  runtimeToken: string;
  collectionId: string;
}

export interface TriggerEnvInput extends EmulatorEndpoints {
  /** SYMPHONY_DATA_PATH: the state file's directory. */
  dataPath: string;
  /** SYMPHONY_VOLUME_PATH: an empty directory, so no /symphony file is read. */
  volumePath: string;
}

/** The module and trigger configurations of a bench run: the defaults, over the whole data set. */
export function benchConfigurations(endpoints: EmulatorEndpoints): {
  module: Record<string, unknown>;
  trigger: Record<string, unknown>;
} {
  return {
    module: {
      misp_url: endpoints.mispUrl,
      misp_api_key: endpoints.mispApiKey,
      sekoia_api_key: endpoints.sekoiaApiKey,
    },
    trigger: {
      ioc_collection_server: endpoints.sekoiaUrl,
      ioc_collection_uuid: endpoints.collectionId,
      publish_timestamp: PUBLISH_DAYS,
      sleep_time: CYCLE_SLEEP_SECONDS,
    },
  };
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy'];

/** `base` without proxies (all traffic stays on loopback) plus the runtime's configuration values. */
export function triggerEnvironment(input: TriggerEnvInput, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of PROXY_VARIABLES) delete env[name];
  const { module, trigger } = benchConfigurations(input);
  return {
    ...env,
    MODULE_CONFIGURATION: JSON.stringify(module),
    TRIGGER_CONFIGURATION: JSON.stringify(trigger),
    URL_CALLBACK: `${input.sekoiaUrl}/callback`,
    TOKEN: input.runtimeToken,
    LIVENESS_PORT: '0',
    METRICS_PORT: '0',
    SYMPHONY_VOLUME_PATH: input.volumePath,
    SYMPHONY_DATA_PATH: input.dataPath,
    LOG_LEVEL: 'info',
  };
}

/**
 * The environment the image sets for the trigger: the `ENV` instructions of the Dockerfile's last
 * stage (`ENV A=1 B=2`, one or more pairs, values optionally double-quoted). The bench runs the
 * trigger with them, so that it measures the trigger as the image runs it.
 */
export function imageEnvironment(dockerfile: string): Record<string, string> {
  const stages = dockerfile.split(/^FROM\s/im);
  const lastStage = stages[stages.length - 1] ?? '';
  const env: Record<string, string> = {};
  for (const line of lastStage.split('\n')) {
    const instruction = /^ENV\s+(.*)$/i.exec(line.trim());
    if (!instruction) continue;
    const pairs = instruction[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g);
    for (const [, name, raw, quoted] of pairs) env[name] = quoted ?? raw;
  }
  return env;
}
