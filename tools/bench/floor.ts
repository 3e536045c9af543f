import { readFileSync } from 'node:fs';
import http from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import type { PostedBody } from './emulator-host';
import type { FloorMeasures } from './figures';

/**
 * The I/O floor, in its own process: the MISP requests of the trigger's first cycle made again
 * (the same paths and bodies, in the same order: the window's events listed, then each group's
 * attributes) and their answers JSON-parsed, and the requests the trigger posted to Sekoia.io
 * posted again (same paths, same bodies), in a plain sequential loop with axios and keep-alive:
 * no mapping, no grouping, no state, no retries. argv: the path of a FloorPlan JSON file. Prints
 * FloorMeasures as JSON on stdout.
 */
export interface FloorPlan {
  mispUrl: string;
  mispApiKey: string;
  sekoiaUrl: string;
  sekoiaApiKey: string;
  collectionId: string;
  /** JSON lines of {path, body}: the MISP searches of the trigger's first cycle, in order. */
  searchesFile: string;
  /** JSON lines of PostedBody, in the order to post them. */
  bodiesFile: string;
}

function client(baseURL: string, authorization: string): AxiosInstance {
  return axios.create({
    baseURL,
    headers: { Authorization: authorization, Accept: 'application/json', 'Content-Type': 'application/json' },
    proxy: false,
    httpAgent: new http.Agent({ keepAlive: true }),
    maxRedirects: 0,
    maxContentLength: Infinity,
    maxBodyLength: Infinity,
  });
}

/** How many bodies should have been posted once `page` of `pages` pages were read. */
export function bodiesDueAfter(page: number, pages: number, bodies: number): number {
  if (pages <= 0 || page >= pages) return bodies;
  return Math.floor((bodies * page) / pages);
}

function jsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

export async function runFloor(plan: FloorPlan): Promise<FloorMeasures> {
  const bodies = jsonLines<PostedBody>(plan.bodiesFile);
  const searches = jsonLines<{ path: string; body: unknown }>(plan.searchesFile);
  const misp = client(plan.mispUrl, plan.mispApiKey);
  const sekoia = client(plan.sekoiaUrl, `Bearer ${plan.sekoiaApiKey}`);
  let posted = 0;
  const postUpTo = async (due: number): Promise<void> => {
    for (; posted < due; posted += 1) await sekoia.post(bodies[posted].path, bodies[posted].body);
  };

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let pages = 0;
  for (const search of searches) {
    const response = await misp.post(search.path, search.body);
    // Parsed by axios; touched once so that the parse is not optimised away.
    if (typeof response.data !== 'object') throw new Error(`${search.path} did not answer JSON`);
    pages += 1;
    await postUpTo(bodiesDueAfter(pages, searches.length, bodies.length));
  }
  await postUpTo(bodies.length);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, pages, posts: posted, cpuMicros: cpu.user + cpu.system };
}

if (require.main === module) {
  const plan = JSON.parse(readFileSync(process.argv[2], 'utf8')) as FloorPlan;
  runFloor(plan).then(
    (measures) => {
      process.stdout.write(`${JSON.stringify(measures)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`Floor failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
