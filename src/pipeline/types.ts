import type { IndicatorBatch, SekoiaFormat } from '../sekoia/types';

/** The MISP attribute a value came from (kept in the state for the reconciliation sweep). */
export interface IocSource {
  attributeUuid: string;
  /** MISP's event id (digits). */
  eventId: string;
  /** The event's publish time (epoch ms), when the read knew it. */
  publishedAtMs?: number;
}

/** One value to push, in the format Sekoia files it under. */
export interface Ioc {
  format: SekoiaFormat;
  /** Normalised value: what goes on the line, and what deduplication compares. */
  value: string;
  /** Where it came from, when the attribute said (see sourceOfAttribute). */
  source?: IocSource;
  /** Where it comes from (ioc_context): the import's description. Not part of its key. */
  description?: string;
}

/** Why an attribute (or one value of it) was not pushed. */
export type SkipReason = 'unsupported_type' | 'invalid_value';

/** Result of mapping one MISP attribute: IOCs, or why there are none. */
export interface MappedAttribute {
  iocs: Ioc[];
  /** Set when the value came defanged (hxxp://, [.]) and its IOCs are the refanged value. */
  refanged?: true;
  /** Set when the attribute (or part of it) was skipped. */
  skipped?: {
    reason: SkipReason;
    /** The attribute's type as sent, or "<missing>". */
    type: string;
    /** Short, printable excerpt of the offending value, for the warning's examples. */
    example: string;
    /** What is wrong, e.g. "CIDR range, not an address". */
    detail: string;
  };
}

/** A batch with the dedupe key (see iocKey) of each value, in the same order: no key is built twice. */
export interface KeyedBatch extends IndicatorBatch {
  keys: readonly string[];
  /** The source of each value, in the same order, where known. */
  sources?: ReadonlyArray<IocSource | undefined>;
  /** Where its IOCs come from (ioc_context), sent as the import's description. */
  description?: string;
}
