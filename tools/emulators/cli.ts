import { parseArgs } from 'node:util';
import { startMispEmulator, type MispEmulator } from './misp/server';
import { sampleEvents } from './misp/sample-events';
import { DEFAULT_COLLECTION_ID, startSekoiaEmulator, type SekoiaEmulator } from './sekoia/server';

export const CLI_USAGE = `Usage: node dist/tools/emulators/cli.js [options]
Starts the MISP and/or Sekoia emulators on loopback and prints their URLs as one JSON line.
  --only misp|sekoia     start one emulator (default: both)
  --attributes N         generate N MISP attributes (default: the team's sample events)
  --seed S               seed of the generated data and of fault decisions (default 1)
  --window-days D        publish times spread over the last D days (default 30)
  --host H               listen address (default 127.0.0.1)
  --misp-port P          (default 0: a free port)
  --sekoia-port P        (default 0: a free port)
Stops on SIGTERM or SIGINT.`;

export interface CliOptions {
  misp: boolean;
  sekoia: boolean;
  attributes?: number;
  seed: number;
  windowDays: number;
  host: string;
  mispPort: number;
  sekoiaPort: number;
}

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

/** Reads the command line; throws naming the option and what is expected. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      attributes: { type: 'string' },
      seed: { type: 'string' },
      'window-days': { type: 'string' },
      host: { type: 'string' },
      'misp-port': { type: 'string' },
      'sekoia-port': { type: 'string' },
    },
    strict: true,
  });
  if (values.only !== undefined && values.only !== 'misp' && values.only !== 'sekoia') {
    throw new Error(`--only must be "misp" or "sekoia", got "${values.only}"`);
  }
  return {
    misp: values.only !== 'sekoia',
    sekoia: values.only !== 'misp',
    attributes: values.attributes === undefined ? undefined : integer(values.attributes, 'attributes', 0),
    seed: integer(values.seed, 'seed', 1),
    windowDays: integer(values['window-days'], 'window-days', 30),
    host: values.host ?? '127.0.0.1',
    mispPort: integer(values['misp-port'], 'misp-port', 0),
    sekoiaPort: integer(values['sekoia-port'], 'sekoia-port', 0),
  };
}

export interface StartedEmulators {
  misp?: MispEmulator;
  sekoia?: SekoiaEmulator;
  /** The JSON line printed by the CLI. */
  description: Record<string, unknown>;
  close(): Promise<void>;
}

/** Starts what the options ask for. */
export async function startFromCli(options: CliOptions): Promise<StartedEmulators> {
  const now = Math.floor(Date.now() / 1000);
  const misp = options.misp
    ? await startMispEmulator({
        host: options.host,
        port: options.mispPort,
        seed: options.seed,
        ...(options.attributes === undefined
          ? { events: sampleEvents(now) }
          : {
              generate: {
                attributes: options.attributes,
                seed: options.seed,
                now,
                windowSeconds: options.windowDays * 86400,
              },
            }),
      })
    : undefined;
  const sekoia = options.sekoia
    ? await startSekoiaEmulator({
        host: options.host,
        port: options.sekoiaPort,
        seed: options.seed,
      })
    : undefined;
  const description: Record<string, unknown> = {};
  if (misp)
    description.misp = {
      url: misp.url,
      apiKey: misp.apiKey,
      attributes: misp.store.size,
      events: misp.store.events.length,
    };
  if (sekoia) {
    description.sekoia = {
      url: sekoia.url,
      apiKey: [...sekoia.settings.apiKeys.keys()][0],
      runtimeToken: sekoia.settings.runtimeToken,
      collectionId: DEFAULT_COLLECTION_ID,
    };
  }
  return {
    misp,
    sekoia,
    description,
    close: async () => {
      await Promise.all([misp?.close(), sekoia?.close()]);
    },
  };
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${CLI_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const started = await startFromCli(options);
  process.stdout.write(`${JSON.stringify(started.description)}\n`);
  const stop = (): void => {
    started.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `Emulators failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
