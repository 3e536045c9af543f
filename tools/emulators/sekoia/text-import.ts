import { SEKOIA_FORMATS, MAX_BATCH_LINES, type SekoiaFormat } from '../../../src/sekoia/types';
import { isRecord } from '../http';
import { isValidIndicator } from './indicator-validation';

/** Sekoia's limit on the description of a text import. */
export const MAX_DESCRIPTION_LENGTH = 500;

export interface TextImportRequest {
  format: SekoiaFormat;
  values: string[];
  validUntil?: string;
  validFrom?: string;
  description?: string;
}

export interface TextImportChecks {
  /** Refuse lines the format's validator refuses. */
  validateLines: boolean;
  /** Values that make the whole request fail (a knob for tests). */
  rejectValues: ReadonlySet<string>;
}

/** Thrown with the 400 message to answer. */
export class ImportRejected extends Error {}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function optionalDate(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ImportRejected(
      `${field} must be an ISO 8601 date such as 2026-12-01T00:00:00Z, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkKillChainPhases(value: unknown): void {
  if (value === undefined || value === null) return;
  const valid =
    Array.isArray(value) &&
    value.every(
      (phase) =>
        isRecord(phase) && typeof phase.kill_chain_name === 'string' && typeof phase.phase_name === 'string',
    );
  if (!valid)
    throw new ImportRejected('kill_chain_phases must be a list of {"kill_chain_name", "phase_name"} strings');
}

/** Validates a text-import body as the emulator's Sekoia does; throws ImportRejected with the 400 message. */
export function parseTextImport(body: unknown, checks: TextImportChecks): TextImportRequest {
  if (!isRecord(body))
    throw new ImportRejected('the body must be a JSON object with "indicators" and "format"');
  if (typeof body.indicators !== 'string')
    throw new ImportRejected('indicators must be a string, one value per line');
  if (typeof body.format !== 'string' || !(SEKOIA_FORMATS as readonly string[]).includes(body.format)) {
    throw new ImportRejected(
      `format must be one of ${SEKOIA_FORMATS.join(', ')}, got ${JSON.stringify(body.format)}`,
    );
  }
  const format = body.format as SekoiaFormat;
  const validUntil = optionalDate(body, 'valid_until');
  const validFrom = optionalDate(body, 'valid_from');
  checkKillChainPhases(body.kill_chain_phases);
  const description = body.description;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
      throw new ImportRejected(
        `description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`,
      );
    }
  }
  const values = body.indicators
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (values.length === 0) throw new ImportRejected('indicators holds no value');
  if (values.length > MAX_BATCH_LINES) {
    throw new ImportRejected(
      `indicators holds ${values.length} lines; at most ${MAX_BATCH_LINES} per request`,
    );
  }
  for (const value of values) {
    if (checks.rejectValues.has(value) || (checks.validateLines && !isValidIndicator(format, value))) {
      throw new ImportRejected(`invalid indicator ${JSON.stringify(value)} for format ${format}`);
    }
  }
  return {
    format,
    values,
    validUntil,
    validFrom,
    description: typeof description === 'string' ? description : undefined,
  };
}
