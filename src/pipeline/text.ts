/**
 * Text helpers shared by the value checks: control characters, composite values, and short
 * excerpts that are safe to put on a log line.
 */

/**
 * C0 and C1 control characters, DEL, the Unicode line and paragraph separators, and the bidi
 * controls that can make a log line read differently from what it holds, and lone surrogates
 * (not encodable in UTF-8). Sekoia's text import is one value per line, so none of these may
 * reach a pushed value.
 */
const UNSAFE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/** Printable ASCII (space to `~`) only: nearly every value, and none of them unsafe. */
function isPrintableAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

export function hasUnsafeCharacter(text: string): boolean {
  // The loop first: the regex (a Unicode one) costs several times more, for every value pushed.
  return !isPrintableAscii(text) && UNSAFE_CHARACTER.test(text);
}

/** Any whitespace (including no-break and Unicode spaces) or unsafe character. */
export function hasWhitespaceOrUnsafeCharacter(text: string): boolean {
  return /\s/.test(text) || UNSAFE_CHARACTER.test(text);
}

/**
 * Splits a MISP composite value (`a|b`) on its FIRST `|` and trims both parts: real data has
 * spaces around the pipe. Undefined when there is no `|`.
 */
export function splitComposite(value: string): [string, string] | undefined {
  const at = value.indexOf('|');
  if (at < 0) return undefined;
  return [value.slice(0, at).trim(), value.slice(at + 1).trim()];
}

/** Longest excerpt put in a skip example or a log line. */
export const MAX_EXCERPT_CHARS = 80;

const ESCAPED_BY_NAME: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '"': '\\"',
  '\\': '\\\\',
};

function escapeCodePoint(char: string): string {
  const named = ESCAPED_BY_NAME[char];
  if (named !== undefined) return named;
  // Unsafe characters (lone surrogates included) must not act on the log line.
  if (UNSAFE_CHARACTER.test(char)) {
    return `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
  }
  return char;
}

/**
 * A printable excerpt of `text`, at most `maxChars` long: control, bidi and separator characters
 * escaped (`\n`, `\u0000`), `"` and `\` escaped so the excerpt can sit between quotes, cut with
 * `…` when longer. Reads at most a few hundred characters of `text` whatever its size.
 * @default maxChars 80
 */
export function printableExcerpt(text: string, maxChars: number = MAX_EXCERPT_CHARS): string {
  let out = '';
  // Where to cut, should the whole not fit: the last piece boundary that leaves room for `…`.
  let cut = -1;
  // Iterating the string walks code points, so a surrogate pair is never cut in half.
  for (const char of text) {
    const piece = escapeCodePoint(char);
    if (cut < 0 && out.length + piece.length > maxChars - 1) cut = out.length;
    out += piece;
    if (out.length > maxChars) return `${out.slice(0, cut)}…`;
  }
  return out;
}

/** A printable description of any raw JSON value, for examples of malformed attributes. */
export function describeRaw(value: unknown): string {
  if (typeof value === 'string') return printableExcerpt(value);
  if (value === undefined) return '<missing>';
  if (value === null) return '<null>';
  if (Array.isArray(value)) return '<array>';
  if (typeof value === 'object') return '<object>';
  return printableExcerpt(`<${typeof value} ${String(value)}>`);
}
