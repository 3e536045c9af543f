import { isRecord } from '../json';

/** What one restSearch answer body held. */
export type RestSearchAnswer =
  | { ok: true; attributes: unknown[] }
  /** `retry`: the body looks like JSON cut short (a dropped connection): worth another attempt. */
  | { ok: false; retry: boolean; problem: string };

const PREVIEW_CHARS = 200;

/** The start of a body for a message: one line, at most 200 characters. */
export function previewOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS)}...` : line;
}

/**
 * Reads a restSearch body. MISP writes `{"response": {"Attribute": [...]}}` (JsonExport); also
 * accepted: `{"Attribute": [...]}` (the same without the wrapper, as some proxies and PyMISP-based
 * relays hand it on) and `{"response": []}`, the empty answer of older MISP versions.
 */
export function parseRestSearchAnswer(body: unknown): RestSearchAnswer {
  if (body === undefined || body === null || body === '') {
    return { ok: false, retry: true, problem: 'an empty body' };
  }
  return typeof body === 'string' ? parseText(body) : checkShape(body);
}

/** axios hands on a body it could not parse as JSON as text. */
function parseText(text: string): RestSearchAnswer {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, retry: true, problem: 'an empty body' };
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch {
    const looksLikeJson = trimmed.startsWith('{') || trimmed.startsWith('[');
    return {
      ok: false,
      retry: looksLikeJson,
      problem: looksLikeJson
        ? `invalid or truncated JSON (${text.length} characters, ending "${previewOf(text.slice(-60))}")`
        : `a body that is not JSON: "${previewOf(text)}"`,
    };
  }
  return checkShape(data);
}

function checkShape(data: unknown): RestSearchAnswer {
  if (isRecord(data)) {
    const response = data.response;
    if (isRecord(response) && Array.isArray(response.Attribute))
      return { ok: true, attributes: response.Attribute };
    if (Array.isArray(response) && response.length === 0) return { ok: true, attributes: [] };
    if (response === undefined && Array.isArray(data.Attribute))
      return { ok: true, attributes: data.Attribute };
  }
  return {
    ok: false,
    retry: false,
    problem: `JSON without a response.Attribute list: "${previewOf(JSON.stringify(data) ?? '')}"`,
  };
}
