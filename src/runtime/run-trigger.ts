import { Clock, systemClock } from '../clock';
import { AppError, isAbortError } from '../errors';
import { defaultConfigSource } from './config-values';
import { buildContext } from './context';
import { createEventSender } from './events';
import { Liveness } from './liveness';
import { loadConfiguration } from './load-configuration';
import { createLogSender } from './log-sender';
import { LogShipper, LogShipperOptions } from './log-shipper';
import { createRuntimeLogger, RuntimeLogger } from './logger';
import { createRuntimeMetrics } from './metrics';
import { MonitoringPorts, startMonitoring } from './monitoring';
import { Redactor } from './redactor';
import { createRuntimeHttp } from './runtime-http';
import { compileSchema, createAjv } from './schema';
import { readRuntimeSettings } from './settings';
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

function describeFailure(error: unknown): string {
  if (error instanceof AppError && error.fatal) return error.message;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `Internal error, the trigger stopped working: ${message}. Please report it with the logs above; restarting the trigger may get around it.`;
}

/**
 * Runs a trigger under the Sekoia runtime contract and resolves with the process exit code: 0 after
 * a stop signal (or a --once run), 1 when a --once run hit a fatal error. A fatal error in a
 * long-running trigger is logged once as critical, then the trigger idles until stopped.
 */
export async function runTrigger<ModuleConfiguration, TriggerConfiguration>(
  definition: TriggerDefinition<ModuleConfiguration, TriggerConfiguration>,
  options: RunTriggerOptions = {},
): Promise<number> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const runOptions: RunOptions = { once: false, dryRun: false, ...options.runOptions };
  const controller = new AbortController();
  const unsubscribe = (options.signals ?? processSignals).subscribe((name) => {
    if (!controller.signal.aborted) logger.info(`${name} received: stopping.`);
    controller.abort();
  });

  const source = defaultConfigSource(env);
  const settings = readRuntimeSettings(source);
  const redactor = new Redactor([settings.token]);
  const metrics = createRuntimeMetrics();
  const liveness = new Liveness(clock);
  metrics.heartbeatTimestamp.set(clock.now() / 1000);
  const closers: (() => void)[] = [];
  const runtimeHttp = (url: string) => {
    const client = createRuntimeHttp(url, env, settings.token, RUNTIME_REQUEST_TIMEOUT_MS);
    closers.push(client.close);
    return client.http;
  };
  const shipper = settings.urlLogs
    ? new LogShipper({
        ...options.logShipping,
        send: createLogSender(runtimeHttp(settings.urlLogs), settings.urlLogs, clock),
        clock,
        onStatus: (message) => logger.consoleOnly('warning', message),
        onShipped: (count) => metrics.logsShipped.inc(count),
      })
    : undefined;
  const logger: RuntimeLogger = createRuntimeLogger({
    redactor,
    clock,
    level: env.LOG_LEVEL,
    consoleStream: options.consoleStream,
    shipper,
  });
  for (const warning of settings.warnings) logger.warning(warning);
  shipper?.start();
  const monitoring = await startMonitoring({
    host: options.host ?? '0.0.0.0',
    livenessPort: settings.livenessPort,
    metricsPort: settings.metricsPort,
    liveness,
    metrics,
    logger,
  });
  options.onListening?.(monitoring.ports);

  // Events outlive the stop signal: one the trigger sends while stopping (the last cycle's counts)
  // is still delivered, within the stop grace period; aborted only at shutdown.
  const delivery = new AbortController();
  const shutdown = async (code: number): Promise<number> => {
    delivery.abort();
    unsubscribe();
    await monitoring.close();
    await logger.close(options.flushTimeoutMs ?? 2000);
    for (const close of closers) close();
    return code;
  };
  const stopOnError = async (error: unknown): Promise<number> => {
    if (isAbortError(error) && controller.signal.aborted) return shutdown(0);
    logger.critical(describeFailure(error));
    if (error instanceof Error && !(error instanceof AppError) && error.stack) logger.debug(error.stack);
    if (runOptions.once) return shutdown(1);
    liveness.markStoppedOnError();
    await whenAborted(controller.signal);
    return shutdown(0);
  };

  let context: TriggerContext<ModuleConfiguration, TriggerConfiguration>;
  try {
    const ajv = createAjv();
    const loaded = await loadConfiguration<ModuleConfiguration, TriggerConfiguration>({
      source,
      settings,
      cwd: options.cwd ?? process.cwd(),
      triggerFileName: definition.triggerFile,
      ajv,
      redactor,
      logger,
      clock,
      signal: controller.signal,
      random: options.random,
    });
    liveness.heartbeatThresholdSeconds = definition.heartbeatThresholdSeconds(loaded.triggerConfiguration);
    const results = loaded.triggerFile.results;
    const sendEvent = createEventSender({
      http: settings.urlCallback ? runtimeHttp(settings.urlCallback) : undefined,
      urlCallback: settings.urlCallback,
      validateResult: results
        ? compileSchema(ajv, results, `${definition.triggerFile} "results"`)
        : undefined,
      logger,
      clock,
      signal: delivery.signal,
      random: options.random,
      onSent: () => {
        liveness.eventSent();
        metrics.eventsSent.inc();
      },
    });
    context = buildContext({
      ...loaded,
      triggerConfigurationUuid: settings.triggerConfigurationUuid,
      env,
      dataPath: settings.dataPath,
      logger,
      clock,
      signal: controller.signal,
      runOptions,
      metrics,
      liveness,
      sendEvent,
    });
  } catch (error) {
    return stopOnError(error);
  }
  if (controller.signal.aborted) return shutdown(0);

  const outcome = await settleWithGrace(
    // A run() that throws before its first await must land in the same error policy.
    Promise.resolve().then(() => definition.run(context)),
    controller.signal,
    options.stopGraceMs ?? 2500,
  );
  if (outcome.kind === 'late') {
    logger.warning(
      `The trigger did not stop within ${(options.stopGraceMs ?? 2500) / 1000} s of the stop signal; exiting anyway.`,
    );
    return shutdown(0);
  }
  if (outcome.kind === 'failed') return stopOnError(outcome.error);
  return shutdown(0);
}
