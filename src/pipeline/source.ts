import { HYPHEN, isDigit, isLowerLetter, isUpperLetter } from './code-units';
import type { IocSource } from './types';

/**
 * `text` is 1 to `max` characters, each accepted by `allowed` (a UTF-16 code unit): what
 * /^[...]{1,max}$/ tells, in a loop (this runs once per attribute pushed; the loop is cheaper).
 */
function isWordOf(text: string, max: number, allowed: (code: number) => boolean): boolean {
  if (text.length === 0 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) if (!allowed(text.charCodeAt(i))) return false;
  return true;
}

/** 0-9, A-Z, a-z, `-`. */
const isUuidCharacter = (code: number): boolean =>
  isDigit(code) || isUpperLetter(code) || isLowerLetter(code) || code === HYPHEN;

/**
 * The attribute's uuid and event id, for the state (the reconciliation sweep tells the user which
 * attribute gave a value it revokes). Undefined when the attribute lacks either: the value is
 * still pushed, only its source is unknown.
 */
export function sourceOfAttribute(raw: unknown, publishedAtMs?: number): IocSource | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { uuid, event_id: eventId } = raw as { uuid?: unknown; event_id?: unknown };
  // Printed in log lines as it is: only what a uuid is made of.
  if (typeof uuid !== 'string' || !isWordOf(uuid, 64, isUuidCharacter)) return undefined;
  if (typeof eventId !== 'string' && typeof eventId !== 'number') return undefined;
  const id = String(eventId);
  if (!isWordOf(id, 19, isDigit)) return undefined;
  return publishedAtMs === undefined
    ? { attributeUuid: uuid, eventId: id }
    : { attributeUuid: uuid, eventId: id, publishedAtMs };
}
