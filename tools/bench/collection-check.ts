/**
 * The collection check's cost (npm run bench:collection): an emulated IOC Collection holding
 * --iocs IOCs (460,000: what 1,000,000 MISP attributes give), listed whole by the Sekoia.io client
 * as the sweep lists it, then --refresh of them given a new expiry by PUT. Prints one JSON object:
 * the requests and seconds of the listing and of the refresh. Times are over loopback against the
 * emulator in the same process: the request counts are the figures that carry to Sekoia.io.
 */
import { createSekoiaClient } from '../../src/sekoia/client';
import { systemClock } from '../../src/clock';
import { checkCollection, emptyCheckCounts } from '../../src/trigger/reconcile/collection-check';
import { DEFAULT_SEKOIA_API_KEY, startSekoiaEmulator } from '../emulators/sekoia';

const COLLECTION = 'ioc-collection--00000000-0000-4000-8000-0000000000be';
const DAY_MS = 86_400_000;

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`--${name} takes a whole number`);
  return value;
}

/** The i-th distinct IPv4 address of 10.0.0.0/8. */
function ipOf(index: number): string {
  return `10.${(index >>> 16) & 255}.${(index >>> 8) & 255}.${index & 255}`;
}

/** Fills the collection: `count` IPs, the first `expiring` of them valid one more day only. */
async function fill(url: string, count: number, expiring: number, nowMs: number): Promise<void> {
  const soon = new Date(nowMs + DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const later = new Date(nowMs + 300 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (let start = 0; start < count; start += 1000) {
    const end = Math.min(count, start + 1000);
    const lines = Array.from({ length: end - start }, (_, i) => ipOf(start + i)).join('\n');
    const body = {
      indicators: lines,
      format: 'ipv4-addr.value',
      valid_until: end <= expiring ? soon : later,
    };
    const response = await fetch(`${url}/v2/inthreat/ioc-collections/${COLLECTION}/indicators/text`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEFAULT_SEKOIA_API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 202) throw new Error(`the emulator refused an import: ${response.status}`);
  }
}

type SekoiaClient = ReturnType<typeof createSekoiaClient>;

interface CheckRun {
  counts: ReturnType<typeof emptyCheckCounts>;
  pages: number;
  listingMs: number;
  totalMs: number;
}

/** Runs the collection check over the filled emulator, timing the listing apart from the refresh. */
async function runCheck(client: SekoiaClient, nowMs: number): Promise<CheckRun> {
  const run: CheckRun = { counts: emptyCheckCounts(), pages: 0, listingMs: 0, totalMs: 0 };
  const started = process.hrtime.bigint();
  await checkCollection(
    {
      listPage: async (offset, signal) => {
        const pageStarted = performance.now();
        const page = await client.listCollectionPage(offset, signal);
        run.listingMs += performance.now() - pageStarted;
        run.pages += 1;
        return page;
      },
      lookup: (value, signal) => client.listIndicators(value, signal),
      edit: (id, changes, signal) => client.editIndicator(id, changes, signal),
      records: async () => [],
      markRefreshed: async () => undefined,
      pushAgain: async () => undefined,
      flags: () => true,
      pushedNow: () => false,
      refreshBefore: nowMs + 2 * DAY_MS,
      nowMs,
      iocValidityDays: 30,
      dryRun: false,
      signal: new AbortController().signal,
    },
    run.counts,
  );
  run.totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  return run;
}

/** The JSON figures of a run: requests and seconds of the listing and of the refresh. */
function figures(iocs: number, run: CheckRun, requests: readonly string[]): Record<string, unknown> {
  const puts = requests.filter((request) => request.startsWith('PUT ')).length;
  const refreshMs = run.totalMs - run.listingMs;
  return {
    iocs,
    listing: { requests: run.pages, seconds: round(run.listingMs / 1000), listed: run.counts.listed },
    refresh: {
      indicators: run.counts.refreshed,
      requests: puts,
      seconds: round(refreshMs / 1000),
      ms_per_request: puts === 0 ? 0 : round(refreshMs / puts),
    },
    total_requests: requests.length,
    total_seconds: round(run.totalMs / 1000),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    note: 'loopback against the in-process emulator; the request counts carry to Sekoia.io, the times do not',
  };
}

async function main(): Promise<void> {
  const iocs = argument('iocs', 460_000);
  const refresh = Math.min(iocs, argument('refresh', 15_000));
  const emulator = await startSekoiaEmulator({
    collections: [COLLECTION],
    iocQuota: Math.max(500_000, iocs),
  });
  const client = createSekoiaClient({
    server: emulator.url,
    collectionId: COLLECTION,
    apiKey: DEFAULT_SEKOIA_API_KEY,
    clock: systemClock,
    env: {},
  });
  try {
    const nowMs = Date.now();
    // Round the expiring share up to whole imports of 1,000.
    await fill(emulator.url, iocs, Math.ceil(refresh / 1000) * 1000, nowMs);
    emulator.landPendingImports();
    const before = emulator.apiRequests().length;
    const run = await runCheck(client, nowMs);
    const result = figures(iocs, run, emulator.apiRequests().slice(before));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    client.close();
    await emulator.close();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
