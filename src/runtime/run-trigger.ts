import type { AxiosInstance } from 'axios';
import { Clock, systemClock } from '../clock';
import { AppError, isAbortError } from '../errors';
import { ConfigSource, defaultConfigSource } from './config-values';
import { buildContext } from './context';
import { createEventSender } from './events';
import { FailureStreak } from './failure-streak';
import { Liveness } from './liveness';
import { loadConfiguration } from './load-configuration';
import { createLogSender } from './log-sender';
import { LogShipper, LogShipperOptions } from './log-shipper';
import { createConsoleWriter, createRuntimeLogger, RuntimeLogger } from './logger';
import { createRuntimeMetrics, RuntimeMetrics } from './metrics';
import { Monitoring, MonitoringPorts, startMonitoring } from './monitoring';
import { Redactor } from '../redactor';
import { createRuntimeHttp } from './runtime-http';
import { compileSchema, createAjv } from './schema';
import type Ajv from 'ajv';
import { readRuntimeSettings, RuntimeSettings } from './settings';
import { SECRETS_EXIT_CODE, SecretsUnavailableError } from './secrets';
import { readDataStorage, storageSecrets } from './storage';
import { processSignals, settleWithGrace, SignalSource, whenAborted } from './signals';
import type { RunOptions, TriggerContext, TriggerDefinition } from './types';

export interface RunTriggerOptions {
  /** From the command line. @default { once: false, dryRun: false } */
  runOptions?: Partial<RunOptions>;
  /** Environment holding the configuration values, LOG_LEVEL and the SYMPHONY_* overrides. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Directory holding manifest.json and the trigger file. @default process.cwd() */
  cwd?: string;
  /** @default systemClock */
  clock?: Clock;
  /** Where SIGTERM/SIGINT come from. @default the process' own signals */
  signals?: SignalSource;
  /** Console output. @default process.stdout */
  consoleStream?: NodeJS.WritableStream;
  /** Interface the /health and /metrics servers listen on. @default '0.0.0.0' */
  host?: string;
  /** How long run() is given to return once stopped, before shutting down anyway. @default 2500 */
  stopGraceMs?: number;
  /** Longest wait for the last log flush at shutdown. @default 2000 */
  flushTimeoutMs?: number;
  /** Source of retry jitter. @default Math.random */
  random?: () => number;
  /** Log shipping tuning (tests). @default batches of 50, every 5 s, 60 s rate limit, 10,000 kept */
  logShipping?: Partial<Pick<LogShipperOptions, 'batchSize' | 'intervalMs' | 'rateLimitMs' | 'maxBuffered'>>;
  /** Told the ports once /health and /metrics listen (port 0 picks free ones). */
  onListening?: (ports: MonitoringPorts) => void;
}

/** @default 10000 */
const RUNTIME_REQUEST_TIMEOUT_MS = 10_000;

/** @default 2500 */
const STOP_GRACE_MS = 2500;

/** Wait before running the trigger again after it threw a non-fatal error: no hot loop. @default 60000 */
export const RERUN_DELAY_MS = 60_000;

/** The axios instances for the runtime's endpoints, closed together at shutdown. */
class RuntimeHttpClients {
  private readonly closers: Array<() => void> = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly token: string | undefined,
  ) {}

  for(url: string): AxiosInstance {
    const client = createRuntimeHttp(url, this.env, this.token, RUNTIME_REQUEST_TIMEOUT_MS);
    this.closers.push(client.close);
    return client.http;
  }

  closeAll(): void {
    for (const close of this.closers) close();
  }
}

/** What the runtime runs on: built before the trigger's configuration is read, torn down by shutdown(). */
interface Runtime {
  options: RunTriggerOptions;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  runOptions: RunOptions;
  source: ConfigSource;
  settings: RuntimeSettings;
  redactor: Redactor;
  metrics: RuntimeMetrics;
  liveness: Liveness;
  failures: FailureStreak;
  http: RuntimeHttpClients;
  logger: RuntimeLogger;
  /** Aborted by SIGTERM/SIGINT: the trigger's signal. */
  stop: AbortController;
  /**
   * Aborted at shutdown only: an event the trigger sends while stopping (the last cycle's counts)
   * is still delivered, within the stop grace period.
   */
  delivery: AbortController;
  unsubscribeSignals: () => void;
  monitoring: Monitoring;
}

/** The logger: console, and when url_logs is known, shipping to it (its own troubles told on the console). */
function createLogger(
  options: RunTriggerOptions,
  parts: Pick<Runtime, 'env' | 'clock' | 'settings' | 'redactor' | 'metrics' | 'http'>,
): RuntimeLogger {
  const { clock, settings, redactor, metrics } = parts;
  const consoleOnly = createConsoleWriter({ redactor, clock, consoleStream: options.consoleStream });
  const shipper = settings.urlLogs
    ? new LogShipper({
        ...options.logShipping,
        send: createLogSender(parts.http.for(settings.urlLogs), settings.urlLogs, clock),
        clock,
        onStatus: (message) => consoleOnly('warning', message),
        onShipped: (count) => metrics.logsShipped.inc(count),
      })
    : undefined;
  const logger = createRuntimeLogger({
    redactor,
    clock,
    level: parts.env.LOG_LEVEL,
    consoleStream: options.consoleStream,
    shipper,
  });
  for (const warning of settings.warnings) logger.warning(warning);
  shipper?.start();
  return logger;
}

/** Settings, logs, metrics, liveness, signals and the /health and /metrics servers. */
async function startRuntime(options: RunTriggerOptions): Promise<Runtime> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const source = defaultConfigSource(env);
  const settings = readRuntimeSettings(source);
  const redactor = new Redactor([settings.token]);
  const metrics = createRuntimeMetrics();
  const failures = new FailureStreak(clock);
  const liveness = new Liveness(clock, () => failures.count);
  metrics.heartbeatTimestamp.set(clock.now() / 1000);
  const http = new RuntimeHttpClients(env, settings.token);
  const logger = createLogger(options, { env, clock, settings, redactor, metrics, http });
  const stop = new AbortController();
  const unsubscribeSignals = (options.signals ?? processSignals).subscribe((name) => {
    if (!stop.signal.aborted) logger.info(`${name} received: stopping.`);
    stop.abort();
  });
  const monitoring = await startMonitoring({
    host: options.host ?? '0.0.0.0',
    livenessPort: settings.livenessPort,
    metricsPort: settings.metricsPort,
    liveness,
    metrics,
    logger,
  });
  options.onListening?.(monitoring.ports);
  const runOptions: RunOptions = { once: false, dryRun: false, ...options.runOptions };
  return {
    options,
    env,
    clock,
    runOptions,
    source,
    settings,
    redactor,
    metrics,
    liveness,
    failures,
    http,
    logger,
    stop,
    delivery: new AbortController(),
    unsubscribeSignals,
    monitoring,
  };
}

/** The event sender: results checked against the trigger's schema, delivered to url_callback. */
function createSender(
  runtime: Runtime,
  results: Record<string, unknown> | undefined,
  triggerFile: string,
  ajv: Ajv,
) {
  const { settings, logger, clock, metrics, liveness } = runtime;
  return createEventSender({
    http: settings.urlCallback ? runtime.http.for(settings.urlCallback) : undefined,
    urlCallback: settings.urlCallback,
    validateResult: results ? compileSchema(ajv, results, `${triggerFile} "results"`) : undefined,
    logger,
    clock,
    signal: runtime.delivery.signal,
    random: runtime.options.random,
    onSent: () => {
      liveness.eventSent();
      metrics.eventsSent.inc();
    },
  });
}

/** Reads and checks the configuration (secrets included) and builds what the trigger runs with. */
async function createTriggerContext<ModuleConfiguration, TriggerConfiguration>(
  runtime: Runtime,
  definition: TriggerDefinition<ModuleConfiguration, TriggerConfiguration>,
): Promise<TriggerContext<ModuleConfiguration, TriggerConfiguration>> {
  const { settings, logger, clock, stop } = runtime;
  const storage = readDataStorage(runtime.source);
  runtime.redactor.add(storageSecrets(storage));
  const ajv = createAjv();
  const loaded = await loadConfiguration<ModuleConfiguration, TriggerConfiguration>({
    source: runtime.source,
    settings,
    cwd: runtime.options.cwd ?? process.cwd(),
    triggerFileName: definition.triggerFile,
    ajv,
    redactor: runtime.redactor,
    logger,
    clock,
    signal: stop.signal,
    random: runtime.options.random,
    carryOver: definition.carryOver?.bind(definition),
    optionalAccountFields: runtime.runOptions.dryRun ? definition.optionalInDryRun : [],
  });
  runtime.liveness.heartbeatThresholdSeconds = definition.heartbeatThresholdSeconds(
    loaded.triggerConfiguration,
  );
  return buildContext({
    ...loaded,
    triggerConfigurationUuid: settings.triggerConfigurationUuid,
    env: runtime.env,
    dataPath: settings.dataPath,
    storage,
    logger,
    clock,
    signal: stop.signal,
    runOptions: runtime.runOptions,
    metrics: runtime.metrics,
    liveness: runtime.liveness,
    failures: runtime.failures,
    sendEvent: createSender(runtime, loaded.triggerFile.results, definition.triggerFile, ajv),
  });
}

/** Stops the servers, flushes the logs, closes the connections; resolves with the exit code. */
async function shutdown(runtime: Runtime, code: number): Promise<number> {
  runtime.delivery.abort();
  runtime.unsubscribeSignals();
  await runtime.monitoring.close();
  await runtime.logger.close(runtime.options.flushTimeoutMs ?? 2000);
  runtime.http.closeAll();
  return code;
}

/** A fatal error's own message; for anything else (a bug), an internal error with its stack. */
function describeFailure(error: unknown): string {
  if (error instanceof AppError && error.fatal) return error.message;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return (
    `Internal error, the trigger stopped working: ${message}. Please report it with the logs above; restarting ` +
    `the trigger may get around it.${stack}`
  );
}

/** The error policy for what the trigger let out: a critical line, then idle until stopped (exit 1 in a --once run). */
async function stopOnError(runtime: Runtime, error: unknown): Promise<number> {
  const { logger, stop } = runtime;
  if (isAbortError(error) && stop.signal.aborted) return shutdown(runtime, 0);
  logger.critical(describeFailure(error));
  if (runtime.runOptions.once) return shutdown(runtime, 1);
  runtime.liveness.markStoppedOnError();
  await whenAborted(stop.signal);
  return shutdown(runtime, 0);
}

/** Exit code of a --once run whose cycle did not complete (the next run reads its window again). */
export const INCOMPLETE_CYCLE_EXIT_CODE = 3;

/**
 * Runs the trigger until it returns, fails for good, or outlives the stop signal by the grace
 * period. A non-fatal error thrown out of run() (a bug) runs it again RERUN_DELAY_MS later.
 */
async function runUntilStopped<ModuleConfiguration, TriggerConfiguration>(
  runtime: Runtime,
  definition: TriggerDefinition<ModuleConfiguration, TriggerConfiguration>,
  context: TriggerContext<ModuleConfiguration, TriggerConfiguration>,
): Promise<number> {
  const graceMs = runtime.options.stopGraceMs ?? STOP_GRACE_MS;
  for (;;) {
    const outcome = await settleWithGrace(
      // A run() that throws before its first await must land in the same error policy.
      Promise.resolve().then(() => definition.run(context)),
      runtime.stop.signal,
      graceMs,
    );
    if (outcome.kind === 'late') {
      runtime.logger.warning(
        `The trigger did not stop within ${graceMs / 1000} s of the stop signal; exiting anyway.`,
      );
      return shutdown(runtime, 0);
    }
    if (outcome.kind === 'done' || runtime.stop.signal.aborted) {
      // A script or a scheduler running --once must be able to tell a cycle that failed.
      const incomplete = runtime.runOptions.once && runtime.failures.count > 0;
      return shutdown(runtime, incomplete ? INCOMPLETE_CYCLE_EXIT_CODE : 0);
    }
    const { error } = outcome;
    if (error instanceof AppError && error.fatal) return stopOnError(runtime, error);
    // Ours is told here; a bug is told with its stack by cycleFailed. Either counts as a failed cycle.
    if (error instanceof AppError) {
      const then = runtime.runOptions.once
        ? 'The run ends here.'
        : `The trigger starts again in ${RERUN_DELAY_MS / 1000} s.`;
      runtime.logger.error(`${error.message.replace(/[.\s]+$/, '')}. ${then}`);
    }
    context.cycleFailed(error);
    if (runtime.runOptions.once) return shutdown(runtime, INCOMPLETE_CYCLE_EXIT_CODE);
    try {
      await runtime.clock.sleep(RERUN_DELAY_MS, runtime.stop.signal);
    } catch {
      return shutdown(runtime, 0);
    }
  }
}

/**
 * Runs a trigger under the Sekoia runtime contract and resolves with the process exit code: 0 after
 * a stop signal or a --once run whose cycle completed, INCOMPLETE_CYCLE_EXIT_CODE when a --once
 * run's cycle did not complete, and 1 when a --once run hit a fatal error or the secrets could not
 * be fetched (the orchestrator starts the trigger again). A fatal error in a long-running trigger
 * is logged once as critical, then the trigger idles until stopped.
 */
export async function runTrigger<ModuleConfiguration, TriggerConfiguration>(
  definition: TriggerDefinition<ModuleConfiguration, TriggerConfiguration>,
  options: RunTriggerOptions = {},
): Promise<number> {
  const runtime = await startRuntime(options);
  let context: TriggerContext<ModuleConfiguration, TriggerConfiguration>;
  try {
    context = await createTriggerContext(runtime, definition);
  } catch (error) {
    if (error instanceof SecretsUnavailableError) {
      runtime.logger.error(
        `${error.message} The trigger exits (code ${SECRETS_EXIT_CODE}) so that the platform starts it again; ` +
          'if this goes on, contact Sekoia.io support.',
      );
      return shutdown(runtime, SECRETS_EXIT_CODE);
    }
    return stopOnError(runtime, error);
  }
  if (runtime.stop.signal.aborted) return shutdown(runtime, 0);
  return runUntilStopped(runtime, definition, context);
}
