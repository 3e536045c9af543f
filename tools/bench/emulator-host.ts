import { closeSync, openSync, writeSync } from 'node:fs';
import { parseCliArgs, startFromCli, type StartedEmulators } from '../emulators/cli';
import { MAX_BATCH_LINES, type SekoiaFormat } from '../../src/sekoia/types';
import { serveIpc } from './ipc';

/**
 * The emulators' process during a bench: started exactly as the emulator CLI starts them (same
 * options, same code), plus an IPC channel through which the bench reads their counters, clears
 * the IOC Collection between runs, and gets the bodies the trigger posted (for the floor).
 * argv: <attributes> <seed> <window days>.
 */

/** What the bench reads between runs. */
export interface EmulatorCounters {
  /** Every request MISP served (restSearch, getVersion, ...). */
  mispRequests: number;
  mispSearches: number;
  /** Text imports the collection accepted. */
  sekoiaImports: number;
  /** Lines received in those imports, duplicates included. */
  sekoiaValues: number;
  /** Distinct indicators stored. */
  sekoiaStored: number;
  /** The `event` of the last event received on /callback, if any. */
  lastEvent?: Record<string, unknown>;
  /** User + system CPU of the emulators' process so far, in microseconds. */
  cpuMicros: number;
}

/** A text-import body as posted: one format, its lines. */
export interface PostedBody {
  format: SekoiaFormat;
  indicators: string;
}

function counters(started: StartedEmulators): EmulatorCounters {
  const { misp, sekoia } = started;
  if (!misp || !sekoia) throw new Error('both emulators must run');
  const cpu = process.cpuUsage();
  const counts = misp.requestCounts();
  const report = sekoia.collection();
  const last = sekoia.events().at(-1);
  return {
    mispRequests: Object.values(counts).reduce((sum, count) => sum + count, 0),
    mispSearches: counts['/attributes/restSearch'] ?? 0,
    sekoiaImports: report.importRequests,
    sekoiaValues: report.valuesReceived,
    sekoiaStored: report.indicators.length,
    lastEvent: last?.event as Record<string, unknown> | undefined,
    cpuMicros: cpu.user + cpu.system,
  };
}

/**
 * Writes the collection's indicators as the bodies that carried them, one JSON PostedBody per line:
 * per format, in the order received, 1,000 lines a body (the trigger's batching gives the same
 * bodies, each format's values in order and cut every 1,000). Returns how many bodies and values.
 */
function dumpBodies(started: StartedEmulators, file: string): { bodies: number; values: number } {
  const sekoia = started.sekoia;
  if (!sekoia) throw new Error('the Sekoia emulator is not running');
  const byFormat = new Map<SekoiaFormat, string[]>();
  for (const indicator of sekoia.collection().indicators) {
    let values = byFormat.get(indicator.format);
    if (!values) byFormat.set(indicator.format, (values = []));
    values.push(indicator.value);
  }
  const fd = openSync(file, 'w');
  let bodies = 0;
  let count = 0;
  try {
    for (const [format, values] of byFormat) {
      for (let start = 0; start < values.length; start += MAX_BATCH_LINES) {
        const lines = values.slice(start, start + MAX_BATCH_LINES);
        const body: PostedBody = { format, indicators: lines.join('\n') };
        writeSync(fd, `${JSON.stringify(body)}\n`);
        bodies += 1;
        count += lines.length;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { bodies, values: count };
}

async function main(): Promise<void> {
  const [attributes, seed, windowDays] = process.argv.slice(2);
  const started = await startFromCli(
    parseCliArgs(['--attributes', attributes, '--seed', seed, '--window-days', windowDays]),
  );
  serveIpc({
    counters: () => counters(started),
    dumpBodies: (file) => dumpBodies(started, String(file)),
    clear: () => {
      started.sekoia?.clearReceived();
      return true;
    },
  });
  // The bench going away (or closing the channel) stops the emulators.
  process.once('disconnect', () => {
    started.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.send?.({ kind: 'ready', description: started.description });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`Emulator host failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
