/** The Sekoia runtime contract, reusable by any trigger: knows nothing of MISP. */
export { INCOMPLETE_CYCLE_EXIT_CODE, runTrigger } from './run-trigger';
export type { RunTriggerOptions } from './run-trigger';
export type { SignalSource, StopSignal } from './signals';
export { processSignals } from './signals';
export type { MonitoringPorts } from './monitoring';
export type { Logger, LogLevel, RunOptions, TriggerContext, TriggerDefinition } from './types';
