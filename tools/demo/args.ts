import type { RunOptions } from '../../src/runtime/types';

/** Exit code of a command line the demo does not understand (as main.ts uses). */
export const DEMO_USAGE_EXIT_CODE = 2;

export const DEMO_USAGE = `Usage: npm start [-- [--once] [--dry-run]]   (or: node dist/tools/demo/start.js [--once] [--dry-run])
  (no flag)   poll every 60 s until Ctrl-C; the demo adds MISP attributes now and then
  --once      run one cycle, print a summary, exit: 0 when the cycle completed, 3 when it did not,
              1 after a critical error
  --dry-run   read and map, push nothing: the trigger logs what it would push
  --reconcile also run a reconciliation after the first cycle (with --once: one cycle, then one reconciliation)
  --help, -h  print this help and exit
The flags combine. With MODULE_CONFIGURATION set (or a module_configuration file in
SYMPHONY_VOLUME_PATH), the demo runs against the real servers it names instead of the emulators;
TRIGGER_CONFIGURATION then holds the trigger form, and SYMPHONY_DATA_PATH the state folder
(node dist/src/main.js --help lists every variable).`;

/** The flags the demo passes on to the trigger, in main.ts's spelling. */
const FLAGS: Record<string, keyof RunOptions> = {
  '--once': 'once',
  '--dry-run': 'dryRun',
  '--reconcile': 'reconcile',
};

export type DemoArgs =
  { ok: true; runOptions: RunOptions; flags: string[]; help: boolean } | { ok: false; problem: string };

/** `--once` and `--dry-run`, in any order; `--help` (or -h) anywhere; anything else is a usage error. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const runOptions: RunOptions = { once: false, dryRun: false };
  const help = argv.some((arg) => arg === '--help' || arg === '-h');
  for (const arg of argv) {
    if (help) break;
    const option = FLAGS[arg];
    if (option === undefined) return { ok: false, problem: `Unknown option "${arg}".` };
    runOptions[option] = true;
  }
  const flags = Object.keys(FLAGS).filter((flag) => runOptions[FLAGS[flag]]);
  return { ok: true, runOptions, flags, help };
}
