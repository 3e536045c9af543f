import { createGunzip, createGzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';

/** Keys recorded as pushed until one expiry (epoch ms): one line of a saved object. */
export interface RecordGroup {
  expires: number;
  keys: string[];
}

/** Groups per line of a base copy: a page's records share few expiries, so lines stay large. */
function groupByExpiry(records: ReadonlyArray<readonly [string, number]>): RecordGroup[] {
  const groups = new Map<number, string[]>();
  for (const [key, expires] of records) {
    const keys = groups.get(expires);
    if (keys) keys.push(key);
    else groups.set(expires, [key]);
  }
  return [...groups].map(([expires, keys]) => ({ expires, keys }));
}

/** One group as one line: {"e": expiry, "k": [keys]}. Keys are JSON strings, so any value fits. */
function lineOf(group: RecordGroup): string {
  return `${JSON.stringify({ e: group.expires, k: group.keys })}\n`;
}

/** Gzipped lines of groups, as one buffer (a base copy of 1,000,000 keys is about 10 MB). */
export async function encodeRecords(
  pages: AsyncIterable<ReadonlyArray<readonly [string, number]>> | Iterable<RecordGroup[]>,
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
    const groups = isGroupPage(page) ? page : groupByExpiry(page);
    for (const group of groups) {
      keys += group.keys.length;
      if (!gzip.write(lineOf(group))) await new Promise((resolve) => gzip.once('drain', resolve));
    }
  }
  gzip.end();
  await ended;
  return { body: Buffer.concat(chunks), keys };
}

function isGroupPage(page: ReadonlyArray<readonly [string, number]> | RecordGroup[]): page is RecordGroup[] {
  return page.length > 0 && !Array.isArray(page[0]);
}

function parseGroup(line: string, name: string, lineNumber: number): RecordGroup {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const { e, k } = (parsed ?? {}) as { e?: unknown; k?: unknown };
  if (typeof e !== 'number' || !Array.isArray(k) || !k.every((key) => typeof key === 'string')) {
    throw new Error(`line ${lineNumber} of ${name} is not a record group`);
  }
  return { expires: e, keys: k as string[] };
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
