import { readFileSync } from 'node:fs';
import http from 'node:http';
import axios from 'axios';
import { buildRestSearchBody } from '../../src/misp/rest-search-body';
import type { MispAttributeQuery } from '../../src/misp/types';

/**
 * MISP's floor, in its own process: one plain JSON export of the attributes the trigger reads
 * (`attributes/restSearch` with the trigger's filters, pages of FLOOR_PAGE_SIZE until a short
 * page), each answer JSON-parsed and dropped. No events listed, no grouping, no mapping: what MISP
 * must at least do to hand these attributes over. argv: a JSON file holding a FloorRequest.
 * Prints RealFloorMeasures as JSON on stdout.
 */
export const FLOOR_PAGE_SIZE = 10_000;

export interface FloorRequest {
  mispUrl: string;
  mispApiKey: string;
  query: MispAttributeQuery;
}

export interface RealFloorMeasures {
  requests: number;
  attributes: number;
  wallMs: number;
  /** User + system CPU of this process during the export, in microseconds. */
  cpuMicros: number;
  peakRssKb: number;
}

/** A page not full (raw rows, warninglisted ones included) is the last one. */
export function isLastPage(rows: number, skipped: number, pageSize: number): boolean {
  return rows + skipped < pageSize;
}

export async function exportAttributes(request: FloorRequest): Promise<RealFloorMeasures> {
  const misp = axios.create({
    baseURL: `${request.mispUrl.replace(/\/+$/, '')}/`,
    headers: {
      Authorization: request.mispApiKey,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    proxy: false,
    httpAgent: new http.Agent({ keepAlive: true }),
    maxContentLength: Infinity,
  });
  const query = { ...request.query, pageSize: FLOOR_PAGE_SIZE };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let requests = 0;
  let attributes = 0;
  for (let page = 1; ; page += 1) {
    const answer = await misp.post('attributes/restSearch', buildRestSearchBody(query, page));
    requests += 1;
    const rows = (answer.data as { response?: { Attribute?: unknown[] } }).response?.Attribute;
    if (!Array.isArray(rows))
      throw new Error(`attributes/restSearch page ${page} did not answer {"response": {"Attribute": [...]}}`);
    attributes += rows.length;
    const skipped = Number(answer.headers['x-skipped-elements-count'] ?? 0) || 0;
    if (isLastPage(rows.length, skipped, FLOOR_PAGE_SIZE)) break;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests,
    attributes,
    wallMs: performance.now() - started,
    cpuMicros: cpu.user + cpu.system,
    peakRssKb: process.resourceUsage().maxRSS,
  };
}

if (require.main === module) {
  const request = JSON.parse(readFileSync(process.argv[2], 'utf8')) as FloorRequest;
  exportAttributes(request).then(
    (measures) => {
      process.stdout.write(`${JSON.stringify(measures)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`MISP floor failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
