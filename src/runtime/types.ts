import type { Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { DataStorage } from './storage';

/** Sekoia's log levels, as the Playbooks UI shows them. */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

/**
 * The logger handed to a trigger. Every line goes to the console and is shipped to Sekoia's logs
 * endpoint; values of secrets are redacted before either. A `critical` line makes the platform
 * stop the trigger: use it only for what the user must fix.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  critical(message: string): void;
}

/** How the trigger was asked to run, from the command line (local runs and the demo). */
export interface RunOptions {
  /** Run one cycle, then stop. @default false */
  once: boolean;
  /** Read and map, but write nothing to the destination. @default false */
  dryRun: boolean;
  /** Run the trigger's reconciliation now, whatever its schedule (`--reconcile`). @default false */
  reconcile?: boolean;
}

/** What the runtime gives a trigger. Built once by the runtime; knows nothing of MISP. */
export interface TriggerContext<ModuleConfiguration, TriggerConfiguration> {
  /** Validated against manifest.json's `configuration`, secrets merged in, defaults applied; frozen. */
  readonly moduleConfiguration: Readonly<ModuleConfiguration>;
  /** Validated against the trigger JSON's `arguments`, defaults applied; frozen. */
  readonly triggerConfiguration: Readonly<TriggerConfiguration>;
  /** trigger_configuration_uuid when the runtime gave one. */
  readonly triggerConfigurationUuid: string | undefined;
  /** The environment the runtime read its configuration from (proxy variables live here too). */
  readonly env: Readonly<NodeJS.ProcessEnv>;
  /**
   * The local data folder: /symphony_data (+ sub_folder), or SYMPHONY_DATA_PATH. Where state
   * survives restarts when `storage` is local; only a working copy when it is S3.
   */
  readonly dataPath: string;
  /** The data path's backend (file_backend): local, or an S3 bucket where state must be kept. */
  readonly storage: DataStorage;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Aborted on SIGTERM/SIGINT: every sleep and request takes it. */
  readonly signal: AbortSignal;
  readonly runOptions: Readonly<RunOptions>;
  /** Prometheus registry served at metrics_port /metrics. */
  readonly metrics: Registry;
  /**
   * Sends an event to the platform (url_callback). `event` must be valid against the trigger
   * JSON's `results` schema. Retried on 5xx and network errors; a 4xx is logged, not retried.
   * Resolves false when the event could not be delivered.
   */
  sendEvent(name: string, event: Record<string, unknown>): Promise<boolean>;
  /** Tells /health the trigger is alive; call at least once per cycle. */
  heartbeat(): void;
  /** A cycle ended well: resets the consecutive-failure count. */
  cycleSucceeded(): void;
  /**
   * A cycle failed: one of the trigger's own non-fatal errors (AppError), already logged by the
   * trigger, or a bug (any other error), which the runtime logs as an error with its stack. The
   * run goes on. The runtime sends one critical when the failures last (the SDK's rule: 5 in a
   * row, up 30 minutes, and no good cycle for min(uptime, 5 days) / 5).
   */
  cycleFailed(error: unknown): void;
}

/** The two configurations as the runtime read them (secrets merged in), before validation. */
export interface RawConfigurations {
  module: Record<string, unknown>;
  trigger: Record<string, unknown>;
}

/** The configurations as this version of a trigger names them, and a line to log per change made. */
export interface CarriedOverConfigurations extends RawConfigurations {
  notices: Array<{ level: 'info' | 'warning'; message: string }>;
}

/** A trigger the entry point can run: `node dist/main.js <command>`. */
export interface TriggerDefinition<ModuleConfiguration, TriggerConfiguration> {
  /** The trigger JSON's docker_parameters, e.g. trigger-misp-ids-to-ioc-collection. */
  command: string;
  /** The trigger JSON file, relative to the working directory, e.g. trigger_misp_ids_to_ioc.json. */
  triggerFile: string;
  /**
   * Runs until `context.signal` aborts (or after one cycle with runOptions.once). A fatal
   * AppError thrown from here is logged once as critical and the process idles until stopped;
   * any other error counts as a failed cycle (a bug is logged with its stack) and run() is called
   * again RERUN_DELAY_MS later, as the SDK's loop does.
   */
  run(context: TriggerContext<ModuleConfiguration, TriggerConfiguration>): Promise<void>;
  /**
   * Seconds without a heartbeat after which /health answers 500, from the trigger's configuration
   * (a trigger that sleeps 300 s between cycles must not look dead after 60 s).
   */
  heartbeatThresholdSeconds(triggerConfiguration: Readonly<TriggerConfiguration>): number;
  /**
   * Reads configurations written for older versions of the trigger (keys renamed or dropped since)
   * before they are validated, so they keep working unchanged.
   */
  carryOver?(configurations: RawConfigurations): CarriedOverConfigurations;
  /** Required account fields a dry run (runOptions.dryRun) goes without: it pushes nothing. */
  optionalInDryRun?: readonly string[];
}
