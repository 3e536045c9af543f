import type Ajv from 'ajv';
import type { Clock } from '../clock';
import { ConfigSource, readJsonObject } from './config-values';
import { loadManifest, loadTriggerFile, Manifest, secretFieldsOf, TriggerFile } from './module-files';
import { Redactor, secretValuesOf } from '../redactor';
import { createRuntimeHttp } from './runtime-http';
import { fetchSecrets, mergeSecrets, SECRETS_TIMEOUT_MS } from './secrets';
import type { RuntimeSettings } from './settings';
import type { CarriedOverConfigurations, Logger, RawConfigurations } from './types';
import { validateConfigurations } from './validate-configuration';

export interface LoadConfigurationInput {
  source: ConfigSource;
  settings: RuntimeSettings;
  cwd: string;
  triggerFileName: string;
  ajv: Ajv;
  /** Secret values found on the way are added to it before anything can print them. */
  redactor: Redactor;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
  random?: () => number;
  /** The trigger's reading of older configurations (TriggerDefinition.carryOver). */
  carryOver?: (configurations: RawConfigurations) => CarriedOverConfigurations;
  /** Required account fields this run goes without (TriggerDefinition.optionalInDryRun in a dry run). */
  optionalAccountFields?: readonly string[];
}

export interface LoadedConfiguration<ModuleConfiguration, TriggerConfiguration> {
  manifest: Manifest;
  triggerFile: TriggerFile;
  moduleConfiguration: Readonly<ModuleConfiguration>;
  triggerConfiguration: Readonly<TriggerConfiguration>;
}

/**
 * Module files, configuration values, secrets, then validation against the schemas: the order
 * the platform expects (placeholders stand for secrets until they are merged).
 */
export async function loadConfiguration<ModuleConfiguration, TriggerConfiguration>(
  input: LoadConfigurationInput,
): Promise<LoadedConfiguration<ModuleConfiguration, TriggerConfiguration>> {
  const { settings, logger, redactor } = input;
  const manifest = loadManifest(input.cwd);
  const triggerFile = loadTriggerFile(input.triggerFileName, input.cwd);
  const secretFields = secretFieldsOf(manifest);
  let moduleConfiguration = readJsonObject(input.source, 'module_configuration') ?? {};
  const triggerConfiguration = readJsonObject(input.source, 'trigger_configuration') ?? {};
  redactor.add(secretValuesOf(moduleConfiguration, secretFields));

  if (secretFields.length > 0 && settings.urlCallback) {
    if (settings.urlSecrets && settings.token) {
      const { http, close } = createRuntimeHttp(
        settings.urlSecrets,
        input.source.env,
        settings.token,
        SECRETS_TIMEOUT_MS,
      );
      try {
        const secrets = await fetchSecrets({
          http,
          urlSecrets: settings.urlSecrets,
          clock: input.clock,
          signal: input.signal,
          random: input.random,
          onRetry: (message) => logger.warning(message),
        });
        redactor.add(Object.values(secrets));
        moduleConfiguration = mergeSecrets(moduleConfiguration, secrets);
      } finally {
        close();
      }
    } else {
      logger.warning(
        'The runtime gave no token or no secrets URL: the secrets are taken from the module configuration as it is.',
      );
    }
  }

  let carried: RawConfigurations = { module: moduleConfiguration, trigger: triggerConfiguration };
  if (input.carryOver) {
    const { notices, ...configurations } = input.carryOver(carried);
    for (const notice of notices) logger[notice.level](notice.message);
    carried = configurations;
  }
  const { warnings, ...valid } = validateConfigurations<ModuleConfiguration, TriggerConfiguration>({
    ajv: input.ajv,
    manifest,
    triggerFile,
    moduleConfiguration: carried.module,
    triggerConfiguration: carried.trigger,
    optionalAccountFields: input.optionalAccountFields,
  });
  for (const warning of warnings) logger.warning(warning);
  return { manifest, triggerFile, ...valid };
}
