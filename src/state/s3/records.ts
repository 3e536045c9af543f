import { createGunzip, createGzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import type { ExportedRecord } from '../sqlite-state';

/** A key's MISP attribute as saved: [attribute uuid, event id(, its event's publish time in epoch ms)]. */
export type SavedSource = [string, string] | [string, string, number];

/**
 * Keys recorded as pushed until one expiry (epoch ms), with what the reconciliation knows of them
 * (absent in objects written by 1.1.x: restored as unknown, as a 1.0.x record): one line of a
 * saved object. A line with `forget` forgets its keys (revoked) instead.
 */
export interface RecordGroup {
  expires: number;
  keys: string[];
  /** When they lapse in Sekoia.io (epoch ms). */
  validUntil?: number;
  /** Their events were published at or after this time (epoch ms). */
  publishedAfter?: number;
  /** Each key's source, in the order of the keys; null where unknown. */
  sources?: Array<SavedSource | null>;
  forget?: true;
}

/** Groups per line of a base copy: a page's records share few expiries, so lines stay large. */
function groupRecords(records: readonly ExportedRecord[]): RecordGroup[] {
  const groups = new Map<string, RecordGroup>();
  for (const record of records) {
    const signature = `${record.expires}|${record.validUntil}|${record.publishedAfter}`;
    let group = groups.get(signature);
    if (group === undefined) {
      group = { expires: record.expires, keys: [] };
      if (record.validUntil !== undefined) group.validUntil = record.validUntil;
      if (record.publishedAfter !== undefined) group.publishedAfter = record.publishedAfter;
      groups.set(signature, group);
    }
    if (record.source !== undefined) {
      group.sources ??= group.keys.map(() => null);
      group.sources.push(record.source);
    } else group.sources?.push(null);
    group.keys.push(record.key);
  }
  return [...groups.values()];
}

/** One group as one line: {"e": expiry, "k": [keys], "v", "p", "s", "f" when known}. Keys are JSON strings. */
function lineOf(group: RecordGroup): string {
  const line: Record<string, unknown> = { e: group.expires, k: group.keys };
  if (group.validUntil !== undefined) line.v = group.validUntil;
  if (group.publishedAfter !== undefined) line.p = group.publishedAfter;
  if (group.sources?.some((source) => source !== null)) line.s = group.sources;
  if (group.forget) line.f = 1;
  return `${JSON.stringify(line)}\n`;
}

/** Gzipped lines of groups, as one buffer (a base copy of 1,000,000 records is about 26 MB). */
export async function encodeRecords(
  pages: AsyncIterable<readonly ExportedRecord[]> | Iterable<RecordGroup[]>,
): Promise<{ body: Buffer; keys: number }> {
  const gzip = createGzip({ level: 6 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  let keys = 0;
  for await (const page of pages) {
    const groups = isGroupPage(page) ? page : groupRecords(page);
    for (const group of groups) {
      keys += group.keys.length;
      if (!gzip.write(lineOf(group))) await new Promise((resolve) => gzip.once('drain', resolve));
    }
  }
  gzip.end();
  await ended;
  return { body: Buffer.concat(chunks), keys };
}

function isGroupPage(page: readonly ExportedRecord[] | RecordGroup[]): page is RecordGroup[] {
  return page.length > 0 && 'keys' in page[0];
}

function isSource(value: unknown): value is SavedSource | null {
  if (value === null) return true;
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3)) return false;
  const [uuid, eventId, publishedAt] = value as unknown[];
  return (
    typeof uuid === 'string' &&
    typeof eventId === 'string' &&
    (publishedAt === undefined || typeof publishedAt === 'number')
  );
}

function parseGroup(line: string, name: string, lineNumber: number): RecordGroup {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const { e, k, v, p, s, f } = (parsed ?? {}) as Record<string, unknown>;
  const valid =
    typeof e === 'number' &&
    Array.isArray(k) &&
    k.every((key) => typeof key === 'string') &&
    (v === undefined || typeof v === 'number') &&
    (p === undefined || typeof p === 'number') &&
    (s === undefined || (Array.isArray(s) && s.length === k.length && s.every(isSource)));
  if (!valid) throw new Error(`line ${lineNumber} of ${name} is not a record group`);
  const group: RecordGroup = { expires: e, keys: k as string[] };
  if (v !== undefined) group.validUntil = v as number;
  if (p !== undefined) group.publishedAfter = p as number;
  if (s !== undefined) group.sources = s as Array<SavedSource | null>;
  if (f !== undefined) group.forget = true;
  return group;
}

/** The groups of a saved object, read as it downloads (never the whole object in memory). */
export async function* decodeRecords(body: Readable, name: string): AsyncGenerator<RecordGroup> {
  // pipeline: a failed download or a broken gzip stream fails the iteration below.
  const text = pipeline(body, createGunzip(), () => undefined);
  text.setEncoding('utf8');
  let pieces: string[] = [];
  let lineNumber = 0;
  for await (const chunk of text as AsyncIterable<string>) {
    let start = 0;
    for (let at = chunk.indexOf('\n'); at >= 0; at = chunk.indexOf('\n', start)) {
      pieces.push(chunk.slice(start, at));
      const line = pieces.join('');
      pieces = [];
      start = at + 1;
      lineNumber += 1;
      if (line !== '') yield parseGroup(line, name, lineNumber);
    }
    if (start < chunk.length) pieces.push(chunk.slice(start));
  }
  const last = pieces.join('');
  if (last !== '') yield parseGroup(last, name, lineNumber + 1);
}
