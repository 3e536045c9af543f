import type { SekoiaFormat } from '../../../src/sekoia/types';
import { isRecord } from '../http';
import type { ImportFields } from './collections';
import { ImportRejected, optionalDate, readImportFields } from './import-fields';
import { inferFormat } from './stix';

/** The JSON import takes 1 to 100 indicators per request (Sekoia's documentation). */
export const MAX_JSON_INDICATORS = 100;

export interface JsonImportRequest {
  values: Array<{ format: SekoiaFormat; value: string; validFrom?: string }>;
  /** Values no type fits: not created, not in the answer. */
  unreadable: string[];
  fields: ImportFields;
}

/** Validates a JSON-import body ({indicators: [{value, valid_from?}], default_fields?}); throws ImportRejected. */
export function parseJsonImport(body: unknown, rejectValues: ReadonlySet<string>): JsonImportRequest {
  if (!isRecord(body) || !Array.isArray(body.indicators)) {
    throw new ImportRejected('the body must be {"indicators": [{"value": ...}], "default_fields"?: {...}}');
  }
  const count = body.indicators.length;
  if (count < 1 || count > MAX_JSON_INDICATORS) {
    throw new ImportRejected(`indicators holds ${count} items; 1 to ${MAX_JSON_INDICATORS} per request`);
  }
  const defaults = body.default_fields ?? {};
  if (!isRecord(defaults)) throw new ImportRejected('default_fields must be an object');
  const fields = readImportFields(defaults);
  const values: JsonImportRequest['values'] = [];
  const unreadable: string[] = [];
  body.indicators.forEach((item: unknown, index) => {
    if (!isRecord(item) || typeof item.value !== 'string' || item.value.trim() === '') {
      throw new ImportRejected(`indicators[${index}] must be {"value": "<non-empty string>", "valid_from"?}`);
    }
    const value = item.value.trim();
    if (rejectValues.has(value)) throw new ImportRejected(`invalid indicator ${JSON.stringify(value)}`);
    const format = inferFormat(value);
    const validFrom = optionalDate(item, 'valid_from');
    if (format === undefined) unreadable.push(value);
    else values.push({ format, value, ...(validFrom === undefined ? {} : { validFrom }) });
  });
  return { values, unreadable, fields };
}
