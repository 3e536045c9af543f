import { isRecord } from '../json';

/**
 * Where an IOC comes from, told in its Sekoia.io description (ioc_context): the MISP event's id and
 * info, the attribute's tags, and the event's page on MISP. Pure.
 */

/** Sekoia.io takes at most this many characters of description (docs/apis.md#the-text-import). */
export const MAX_DESCRIPTION_CHARS = 500;

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const line = value.replace(/\s+/g, ' ').trim();
  return line === '' ? undefined : line;
}

/** The event id of a restSearch attribute (its event_id, else its Event's id). */
export function eventIdOf(raw: unknown): string | undefined {
  if (!isRecord(raw)) return undefined;
  const id = text(raw.event_id) ?? (isRecord(raw.Event) ? text(raw.Event.id) : undefined);
  return id !== undefined && /^\d+$/.test(id) ? id : undefined;
}

/** The tag names of a restSearch attribute (Tag: [{name}]), in order. */
function tagsOf(raw: Record<string, unknown>): string[] {
  if (!Array.isArray(raw.Tag)) return [];
  return raw.Tag.map((tag: unknown) => (isRecord(tag) ? text(tag.name) : undefined)).filter(
    (name): name is string => name !== undefined,
  );
}

/**
 * "MISP event 1234 (https://misp.example.com/events/view/1234): <info>. Tags: tlp:amber, apt28",
 * at most 500 characters (the info and the tags cut first). `mispUrl` must hold no credentials
 * (see safeUrl). Undefined when the attribute names no event.
 */
export function sourceDescription(raw: unknown, mispUrl: string): string | undefined {
  const eventId = eventIdOf(raw);
  if (eventId === undefined || !isRecord(raw)) return undefined;
  const head = `MISP event ${eventId} (${mispUrl}/events/view/${eventId})`;
  const info = isRecord(raw.Event) ? text(raw.Event.info) : undefined;
  const tags = tagsOf(raw);
  const description = `${head}${info ? `: ${info}` : ''}${tags.length > 0 ? `. Tags: ${tags.join(', ')}` : ''}`;
  return description.length <= MAX_DESCRIPTION_CHARS
    ? description
    : `${description.slice(0, MAX_DESCRIPTION_CHARS - 3)}...`;
}
