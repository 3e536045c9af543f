import { previewOf } from './rest-search-answer';
import type { MispEventSummary } from './types';
import { isRecord } from '../json';

/** What one events/restSearch answer body held. */
export type EventsAnswer = { ok: true; events: MispEventSummary[] } | { ok: false; problem: string };

/** A digit string or a number; `fallback` for anything else. */
function numberOf(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return fallback;
}

function summaryOf(entry: unknown): MispEventSummary | undefined {
  const event = isRecord(entry) && isRecord(entry.Event) ? entry.Event : entry;
  if (!isRecord(event)) return undefined;
  const id = numberOf(event.id, -1);
  if (id <= 0) return undefined;
  return {
    id: String(id),
    uuid: typeof event.uuid === 'string' ? event.uuid : '',
    published: event.published === true || event.published === 1 || event.published === '1',
    publishTimestamp: numberOf(event.publish_timestamp, 0),
    timestamp: numberOf(event.timestamp, 0),
    // Unknown: the event is read alone, page after page, as a big one.
    attributeCount: numberOf(event.attribute_count, Number.POSITIVE_INFINITY),
  };
}

/**
 * Reads an events/restSearch body: `{"response": [{"Event": {...}}, ...]}` (also the list without
 * its wrapper). Entries without a usable id are left out: their attributes cannot be asked for.
 */
export function parseEventsAnswer(body: unknown): EventsAnswer {
  let data = body;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return { ok: false, problem: `a body that is not JSON: "${previewOf(data as string)}"` };
    }
  }
  const list = isRecord(data) ? data.response : data;
  if (!Array.isArray(list)) {
    return {
      ok: false,
      problem: `JSON without a response list of events: "${previewOf(JSON.stringify(data) ?? '')}"`,
    };
  }
  const events: MispEventSummary[] = [];
  for (const entry of list) {
    const summary = summaryOf(entry);
    if (summary) events.push(summary);
  }
  return { ok: true, events };
}
