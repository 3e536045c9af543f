import { INCOMPLETE_CYCLE_EXIT_CODE, runTrigger, RunTriggerOptions } from './runtime';
import type { RunOptions } from './runtime/types';
import type { TriggerRegistry } from './triggers';
import { messageOf } from './errors';

export interface MainDeps extends Omit<RunTriggerOptions, 'runOptions'> {
  /** Command -> trigger. @default buildTriggerRegistry() (every trigger of the module) */
  registry?: TriggerRegistry;
  /** Where usage errors go. @default process.stderr */
  stderr?: NodeJS.WritableStream;
  /** Where --help goes. @default process.stdout */
  stdout?: NodeJS.WritableStream;
}

/** Exit code of a command line that names no known trigger, or an unknown flag. */
export const USAGE_EXIT_CODE = 2;

const FLAGS: Record<string, keyof RunOptions> = {
  '--once': 'once',
  '--dry-run': 'dryRun',
  '--reconcile': 'reconcile',
};
const HELP_FLAGS = ['--help', '-h'];

const USAGE_LINE =
  'Usage: node dist/main.js <command> [--once] [--dry-run] [--reconcile]   (or: <command> --help)';

/** What `--help` prints: the usage, the flags, the exit codes and the environment that matters. */
export function helpText(commands: readonly string[]): string {
  return `${USAGE_LINE}

Commands (the trigger's docker_parameters):
${commands.map((command) => `  ${command}`).join('\n') || '  (none)'}

Flags:
  --once      Run one cycle, then exit: 0 when the cycle completed, ${INCOMPLETE_CYCLE_EXIT_CODE} when it did not
              (MISP or Sekoia.io unreachable, an internal error...: run it again later), 1 after a
              critical error (fix what it names) or when the platform's secrets could not be
              fetched, 2 for a command line it does not understand.
  --dry-run   Read MISP and map, push nothing and record nothing (sekoia_api_key may be left out).
  --reconcile Reconcile after the first cycle, whatever reconcile_every_hours says: push what MISP flags
              and the collection lacks, refresh what would expire, revoke what MISP withdrew (with
              revoke_withdrawn). With --once: a one-off repair run.
  --help, -h  Print this help and exit 0.

Environment variables:
  MODULE_CONFIGURATION    The account form as JSON (or base64 of JSON): misp_url, misp_api_key, sekoia_api_key, ...
                          Or the file module_configuration in SYMPHONY_VOLUME_PATH.
  TRIGGER_CONFIGURATION   The trigger form as JSON (or base64 of JSON): ioc_collection_uuid, ...
                          Or the file trigger_configuration in SYMPHONY_VOLUME_PATH.
  SYMPHONY_VOLUME_PATH    Folder of those files. Default: /symphony
  SYMPHONY_DATA_PATH      Folder of the state file (what was pushed, where the next cycle starts). Default: /symphony_data
  URL_CALLBACK, TOKEN     Set by the Sekoia.io platform; without them the run is local (logs on the console only).
  LOG_LEVEL               debug, info, warning, error or critical. Default: info
  HTTP_PROXY, HTTPS_PROXY, NO_PROXY   Proxies, when the account form sets none.
  LIVENESS_PORT, METRICS_PORT         Ports of /health and /metrics. Default: 8000 and 8020
`;
}

function loadRegistry(): TriggerRegistry {
  // Loaded on demand: tests hand in their own registry without loading the real triggers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildTriggerRegistry } = require('./triggers') as typeof import('./triggers');
  return buildTriggerRegistry();
}

/**
 * `node dist/main.js <command> [--once] [--dry-run] [--reconcile]`. `args` are the words after the script
 * (process.argv.slice(2)). Resolves with the exit code: 0 after --help (alone or after the
 * command), 2 for an unknown or missing command or flag, else what runTrigger resolves.
 */
export async function main(args: readonly string[], deps: MainDeps = {}): Promise<number> {
  const {
    registry: givenRegistry,
    stderr = process.stderr,
    stdout = process.stdout,
    ...runTriggerOptions
  } = deps;
  const registry = givenRegistry ?? loadRegistry();
  if (args.some((arg) => HELP_FLAGS.includes(arg))) {
    stdout.write(helpText([...registry.keys()]));
    return 0;
  }
  const [command, ...flags] = args;
  const runOptions: RunOptions = { once: false, dryRun: false };
  const unknownFlags = flags.filter((flag) => !(flag in FLAGS));
  for (const flag of flags) if (flag in FLAGS) runOptions[FLAGS[flag]] = true;
  const definition = command === undefined ? undefined : registry.get(command);
  if (!definition || unknownFlags.length > 0) {
    const known = [...registry.keys()].join(', ') || '(none)';
    const problem = !command
      ? 'No command given.'
      : !definition
        ? `Unknown command "${command}".`
        : `Unknown option ${unknownFlags.map((flag) => `"${flag}"`).join(', ')}.`;
    stderr.write(`${problem}\n${USAGE_LINE}\nKnown commands: ${known}\n`);
    return USAGE_EXIT_CODE;
  }
  return runTrigger(definition, { ...runTriggerOptions, runOptions });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Whatever a trigger left open must not keep a stopped container alive.
      setTimeout(() => process.exit(code), 1000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`Fatal: ${messageOf(error)}\n`);
      process.exit(1);
    },
  );
}
