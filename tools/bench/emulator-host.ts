import { closeSync, openSync, writeSync } from 'node:fs';
import { parseCliArgs, startFromCli, type StartedEmulators } from '../emulators/cli';
import { serveIpc } from './ipc';

/**
 * The emulators' process during a bench: started exactly as the emulator CLI starts them (same
 * options, same code), plus an IPC channel through which the bench reads their counters, clears
 * the IOC Collection between runs, and gets the bodies the trigger posted (for the floor).
 * argv: <attributes> <seed> <window days>; attributes "none": the Sekoia emulator alone (a real
 * MISP on the other side).
 */

/** What the bench reads between runs. */
export interface EmulatorCounters {
  /** Every request MISP served (restSearch, getVersion, ...). */
  mispRequests: number;
  /** events/restSearch and attributes/restSearch requests. */
  mispSearches: number;
  /** Imports (text or JSON) the collection accepted. */
  sekoiaImports: number;
  /** Values received in those imports once landed, duplicates included. */
  sekoiaValues: number;
  /** Distinct indicators stored. */
  sekoiaStored: number;
  /** Reads of the collection's indicator list (its pages and look-ups by value): the collection check. */
  sekoiaListRequests: number;
  /** Indicators edited (PUT: a new valid_until). */
  sekoiaEdits: number;
  /** The `event` of the last event received on /callback, if any. */
  lastEvent?: Record<string, unknown>;
  /** User + system CPU of the emulators' process so far, in microseconds. */
  cpuMicros: number;
}

/** An import as the trigger posted it: its path (query included) and its JSON body, verbatim. */
export interface PostedBody {
  path: string;
  body: string;
}

function collectionCheckRequests(requests: readonly string[]): {
  sekoiaListRequests: number;
  sekoiaEdits: number;
} {
  let sekoiaListRequests = 0;
  let sekoiaEdits = 0;
  for (const request of requests) {
    if (request.startsWith('GET ') && /\/indicators(\?|$)/.test(request)) sekoiaListRequests += 1;
    else if (request.startsWith('PUT ')) sekoiaEdits += 1;
  }
  return { sekoiaListRequests, sekoiaEdits };
}

function counters(started: StartedEmulators): EmulatorCounters {
  const { misp, sekoia } = started;
  if (!sekoia) throw new Error('the Sekoia emulator is not running');
  const cpu = process.cpuUsage();
  const counts = misp?.requestCounts() ?? {};
  const report = sekoia.collection();
  const last = sekoia.events().at(-1);
  return {
    mispRequests: Object.values(counts).reduce((sum, count) => sum + count, 0),
    mispSearches: (counts['/attributes/restSearch'] ?? 0) + (counts['/events/restSearch'] ?? 0),
    sekoiaImports: report.importRequests,
    sekoiaValues: report.valuesReceived,
    sekoiaStored: report.indicators.length,
    ...collectionCheckRequests(sekoia.apiRequests()),
    lastEvent: last?.event as Record<string, unknown> | undefined,
    cpuMicros: cpu.user + cpu.system,
  };
}

/**
 * Writes the imports the collection accepted, as posted, one JSON PostedBody per line, in order:
 * the floor posts exactly the trigger's requests (text or JSON import, with their descriptions).
 * Returns how many bodies.
 */
function dumpBodies(started: StartedEmulators, file: string): { bodies: number } {
  const sekoia = started.sekoia;
  if (!sekoia) throw new Error('the Sekoia emulator is not running');
  const fd = openSync(file, 'w');
  let bodies = 0;
  try {
    for (const request of sekoia.recordedRequests()) {
      const posted: PostedBody = { path: request.path, body: request.body };
      writeSync(fd, `${JSON.stringify(posted)}\n`);
      bodies += 1;
    }
  } finally {
    closeSync(fd);
  }
  return { bodies };
}

/** Writes the MISP searches kept since the start, one JSON {path, body} per line; returns how many. */
function dumpSearches(started: StartedEmulators, file: string): number {
  const misp = started.misp;
  if (!misp) throw new Error('the MISP emulator is not running');
  const searches = misp.recordedSearches();
  const fd = openSync(file, 'w');
  try {
    for (const search of searches) writeSync(fd, `${JSON.stringify(search)}\n`);
  } finally {
    closeSync(fd);
  }
  misp.recordSearches(false);
  return searches.length;
}

async function main(): Promise<void> {
  const [attributes, seed, windowDays] = process.argv.slice(2);
  const started = await startFromCli(
    parseCliArgs(
      attributes === 'none'
        ? ['--only', 'sekoia', '--seed', seed]
        : ['--attributes', attributes, '--seed', seed, '--window-days', windowDays],
    ),
  );
  // The floor posts the trigger's requests again: the emulator keeps them as they came.
  if (started.sekoia) started.sekoia.settings.recordRequests = true;
  // The trigger's first cycle is the first thing MISP serves: its searches are the floor's.
  started.misp?.recordSearches(true);
  serveIpc({
    counters: () => counters(started),
    dumpSearches: (file) => dumpSearches(started, String(file)),
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
