import { isRecord } from '../http';
import type { ImportFields, KillChainPhase } from './collections';

/** Sekoia's limit on the description of an import (docs/apis.md#the-text-import). */
export const MAX_DESCRIPTION_LENGTH = 500;

/** Thrown with the 400 message to answer. */
export class ImportRejected extends Error {}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function optionalDate(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ImportRejected(
      `${field} must be an ISO 8601 date such as 2026-12-01T00:00:00Z, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function killChainPhases(value: unknown): KillChainPhase[] | undefined {
  if (value === undefined || value === null) return undefined;
  const valid =
    Array.isArray(value) &&
    value.every(
      (phase) =>
        isRecord(phase) && typeof phase.kill_chain_name === 'string' && typeof phase.phase_name === 'string',
    );
  if (!valid)
    throw new ImportRejected('kill_chain_phases must be a list of {"kill_chain_name", "phase_name"} strings');
  return value as KillChainPhase[];
}

function description(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > MAX_DESCRIPTION_LENGTH) {
    throw new ImportRejected(`description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return value;
}

/** The fields shared by the text import's body and the JSON import's default_fields. */
export function readImportFields(body: Record<string, unknown>): ImportFields {
  const fields: ImportFields = {
    validUntil: optionalDate(body, 'valid_until'),
    validFrom: optionalDate(body, 'valid_from'),
    description: description(body.description),
    killChainPhases: killChainPhases(body.kill_chain_phases),
  };
  if (body.x_ic_related_threat_refs !== undefined && !Array.isArray(body.x_ic_related_threat_refs)) {
    throw new ImportRejected('x_ic_related_threat_refs must be a list of threat ids');
  }
  return fields;
}
