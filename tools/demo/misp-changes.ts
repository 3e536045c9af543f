import { createHash } from 'node:crypto';
import type { MispEmulator } from '../emulators/misp';
import type { MispAttributeJson } from '../emulators/misp/wire-types';

/** How often the long-running demo changes MISP: less than sleep_time, so most cycles see news. */
export const CHANGE_INTERVAL_MS = 45_000;

/** The sample event the demo adds attributes to (Glasswing loader C2, published). */
const GROWING_EVENT_ID = 2;

function hex(text: string, algorithm: 'md5' | 'sha256'): string {
  return createHash(algorithm).update(text).digest('hex');
}

function ids(type: string, value: string): MispAttributeJson {
  return { type, value, to_ids: true, category: 'Network activity' };
}

/** Describes attributes for the console: `ip-dst 198.51.100.101, domain x.example`. */
function describe(attributes: readonly MispAttributeJson[]): string {
  return attributes.map((attribute) => `${attribute.type} ${attribute.value}`).join(', ');
}

/**
 * Change number `n` (1, 2, ...): odd ones publish a new small event, even ones add attributes to
 * a sample event and republish it. Returns the line the demo prints. Values stay in documentation
 * ranges (RFC 5737, example.* domains) and differ at each change.
 */
export function applyChange(misp: MispEmulator, n: number, nowSeconds: number): string {
  const octet = 100 + (n % 150);
  if (n % 2 === 1) {
    const host = `update${n}.demo-phish.example`;
    const attributes = [
      ids('ip-dst', `198.51.100.${octet}`),
      ids('domain', host),
      ids('url', `https://${host}/login`),
      { ...ids('sha256', hex(`demo-change-${n}`, 'sha256')), category: 'Payload delivery' },
    ];
    const id = misp.addEvent({
      Event: {
        info: `Demo change ${n}: new phishing infrastructure`,
        published: true,
        publish_timestamp: String(nowSeconds),
        timestamp: String(nowSeconds),
        Tag: [{ name: 'tlp:green' }],
        Attribute: attributes,
      },
    });
    return `MISP: published new event ${id} "Demo change ${n}" with ${attributes.length} IDS attributes (${describe(attributes)}).`;
  }
  const attributes = [
    ids('ip-dst', `203.0.113.${octet}`),
    { ...ids('md5', hex(`demo-change-${n}`, 'md5')), category: 'Payload delivery' },
  ];
  misp.addAttributes(GROWING_EVENT_ID, attributes, { publish: true });
  return `MISP: added ${attributes.length} IDS attributes to event ${GROWING_EVENT_ID} and republished it (${describe(attributes)}).`;
}

/**
 * Applies a change every `intervalMs` until stopped; `report` prints each change's line. Ticks
 * before `ready()` (the first cycle done) change nothing: a change read by the first cycle would
 * not show as an incremental push.
 */
export function startMispChanges(
  misp: MispEmulator,
  report: (line: string) => void,
  intervalMs: number = CHANGE_INTERVAL_MS,
  ready: () => boolean = () => true,
): { stop(): void } {
  let n = 0;
  const timer = setInterval(() => {
    if (!ready()) return;
    n += 1;
    report(`${applyChange(misp, n, Math.floor(Date.now() / 1000))} The next cycle pushes only these.`);
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
