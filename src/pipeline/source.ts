import type { IocSource } from './types';

/**
 * The attribute's uuid and event id, for the state (the reconciliation sweep tells the user which
 * attribute gave a value it revokes). Undefined when the attribute lacks either: the value is
 * still pushed, only its source is unknown.
 */
export function sourceOfAttribute(raw: unknown, publishedAtMs?: number): IocSource | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { uuid, event_id: eventId } = raw as { uuid?: unknown; event_id?: unknown };
  // Printed in log lines as it is: only what a uuid is made of.
  if (typeof uuid !== 'string' || !/^[0-9A-Za-z-]{1,64}$/.test(uuid)) return undefined;
  if (typeof eventId !== 'string' && typeof eventId !== 'number') return undefined;
  const id = String(eventId);
  if (!/^\d{1,19}$/.test(id)) return undefined;
  return publishedAtMs === undefined
    ? { attributeUuid: uuid, eventId: id }
    : { attributeUuid: uuid, eventId: id, publishedAtMs };
}
