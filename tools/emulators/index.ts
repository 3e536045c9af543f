export * as misp from './misp';
export * as sekoia from './sekoia';
export { FaultController, type Fault, type FaultCounts, type FaultRule, type RandomFault } from './faults';
export { startMispEmulator, sampleEvents, generateEvents, type MispEmulator } from './misp';
export { startSekoiaEmulator, type SekoiaEmulator } from './sekoia';
export type { RunningServer } from './http';
