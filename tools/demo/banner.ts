import type { RunOptions } from '../../src/runtime/types';
import { DEMO_SLEEP_SECONDS } from './demo-env';
import { CHANGE_INTERVAL_MS } from './misp-changes';

export interface BannerInput {
  mispUrl: string;
  mispEvents: number;
  mispAttributes: number;
  sekoiaUrl: string;
  collectionId: string;
  dataPath: string;
  runOptions: RunOptions;
  /** @default CHANGE_INTERVAL_MS */
  changeIntervalMs?: number;
}

function modeLine(runOptions: RunOptions, changeIntervalMs: number): string {
  const what = runOptions.dryRun
    ? 'dry run (reads and maps, pushes nothing)'
    : 'pushes to the emulated collection';
  if (runOptions.once) return `one cycle, ${what}, then a summary`;
  return (
    `${what}; a cycle every ${DEMO_SLEEP_SECONDS} s, and every ${Math.round(changeIntervalMs / 1000)} s ` +
    'the demo adds attributes to MISP. Stop with Ctrl-C'
  );
}

/** The banner printed before the trigger starts: against what it runs, and how to run it for real. */
export function bannerLines(input: BannerInput): string[] {
  const rule = '='.repeat(78);
  return [
    rule,
    'DEMO: the trigger runs against EMULATORS on this machine (no real MISP, no Sekoia.io).',
    `  MISP emulator       ${input.mispUrl}  (${input.mispEvents} sample events, ${input.mispAttributes} attributes)`,
    `  Sekoia.io emulator  ${input.sekoiaUrl}  (IOC Collection ${input.collectionId}, runtime endpoints)`,
    `  Mode: ${modeLine(input.runOptions, input.changeIntervalMs ?? CHANGE_INTERVAL_MS)}.`,
    `  State: ${input.dataPath} (fresh for each demo run, removed at the end).`,
    'To run it against a real MISP: set MODULE_CONFIGURATION and TRIGGER_CONFIGURATION (JSON), or put',
    'module_configuration and trigger_configuration files in a folder named by SYMPHONY_VOLUME_PATH, then',
    'run npm start again (README: "Running against a real MISP from your machine").',
    "The lines below are the trigger's own logs, as the Playbooks UI shows them.",
    rule,
  ];
}
