/**
 * Which indicators of the IOC Collection this trigger created. Every import carries a short
 * description naming the MISP host and the trigger configuration (its provenance), at no extra
 * request. Sekoia.io keeps the description of the request that created a value (docs/apis.md,
 * "Sekoia.io: imports, validity, revocation"), so a value another source created first keeps
 * theirs, and a value pushed by 1.0 or 1.1 (no description) has none: neither is ever revoked.
 */
import { MAX_DESCRIPTION_CHARS } from '../pipeline/context';
import { formatOfPattern } from '../sekoia/indicators';
import type { SekoiaFormat } from '../sekoia/types';

/** The provenance line of a trigger configuration reading `mispUrl`. Holds no credential. */
export function provenanceOf(mispUrl: string, triggerConfiguration: string): string {
  let host: string;
  try {
    // The host alone: never a user, a password or a query.
    host = new URL(mispUrl).host;
  } catch {
    host = '<invalid MISP URL>';
  }
  return `Pushed by the MISP IDS trigger from MISP ${host} (trigger configuration ${triggerConfiguration})`;
}

/**
 * The import's description: the provenance alone, or after ioc_context's description of the
 * source, which is cut so that the provenance always fits in what Sekoia.io keeps.
 */
export function describedWith(
  context: string | undefined,
  provenance: string | undefined,
): string | undefined {
  if (provenance === undefined) return context;
  if (context === undefined) return provenance;
  const room = MAX_DESCRIPTION_CHARS - provenance.length - 1;
  if (room < 4) return provenance;
  const cut = context.length <= room ? context : `${context.slice(0, room - 3)}...`;
  return `${cut}\n${provenance}`;
}

/** An indicator as the collection's list shows it (the fields the check reads). */
export interface ListedIndicator {
  value: string;
  pattern: string;
  description?: string;
}

/** Whether `indicator` holds this value, of this observable type, and names this trigger as its creator. */
export function isOurs(
  indicator: ListedIndicator,
  ioc: { format: SekoiaFormat; value: string },
  provenance: string | undefined,
): boolean {
  return (
    provenance !== undefined &&
    indicator.value === ioc.value &&
    formatOfPattern(indicator.pattern) === ioc.format &&
    (indicator.description ?? '').includes(provenance)
  );
}
