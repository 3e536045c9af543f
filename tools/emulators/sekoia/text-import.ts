import { SEKOIA_FORMATS, type SekoiaFormat } from '../../../src/sekoia/types';
import { isRecord } from '../http';
import type { ImportFields } from './collections';
import { ImportRejected, readImportFields } from './import-fields';

export interface TextImportRequest {
  format: SekoiaFormat;
  /** Non-empty lines, trimmed; checked when the import lands, not now. */
  lines: string[];
  fields: ImportFields;
}

/** Fault knobs for what the OpenAPI description leaves open (it lists 400 and no limit). */
export interface TextImportChecks {
  /** Values that make the whole request fail with 400 (a batch rejected for its content). */
  rejectValues: ReadonlySet<string>;
  /** More lines than this: 400 naming the size. Undefined: no limit (none is documented). */
  maxLines: number | undefined;
}

/**
 * Validates a text-import body; throws ImportRejected with the 400 message. A line the format does
 * not accept does not fail the request (nothing says the API rejects a batch for one bad line): it
 * is left out when the import lands.
 */
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
  const fields = readImportFields(body);
  const lines = body.indicators
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) throw new ImportRejected('indicators holds no value');
  if (checks.maxLines !== undefined && lines.length > checks.maxLines) {
    throw new ImportRejected(
      `indicators holds ${lines.length} lines; at most ${checks.maxLines} per request`,
    );
  }
  const refused = lines.find((line) => checks.rejectValues.has(line));
  if (refused !== undefined) throw new ImportRejected(`invalid indicator ${JSON.stringify(refused)}`);
  return { format: body.format as SekoiaFormat, lines, fields };
}
