/**
 * Defanged values (`hxxp://evil[.]example`) are written so that nobody clicks them; flagged for
 * IDS they can never match traffic. The analyst meant the real value: it is restored (refanged)
 * rather than skipped, so the IOC still reaches the collection.
 */

/** `hxxp://`, `hxxps://`, `hXXp://`... at the start. */
const DEFANGED_SCHEME = /^h(?:xx|XX|xX|Xx)p(s?):\/\//;
/** `[.]`, `(.)`, `{.}`, `[dot]` for a dot; `[:]` for a colon; `[://]` for `://`. */
const DEFANGED_PARTS = /\[\.\]|\(\.\)|\{\.\}|\[dot\]|\[:\]|\[:\/\/\]/gi;

const REPLACEMENTS: Readonly<Record<string, string>> = {
  '[.]': '.',
  '(.)': '.',
  '{.}': '.',
  '[dot]': '.',
  '[:]': ':',
  '[://]': '://',
};

/** The value with its defanged parts restored, and whether there were any. */
export function refang(text: string): { text: string; refanged: boolean } {
  if (!text.includes('[') && !text.includes('(') && !text.includes('{') && !/^h[xX]{2}p/.test(text)) {
    return { text, refanged: false };
  }
  const parts = text.replace(DEFANGED_PARTS, (part) => REPLACEMENTS[part.toLowerCase()] ?? part);
  const restored = parts.replace(DEFANGED_SCHEME, (_scheme, secure: string) => `http${secure}://`);
  return { text: restored, refanged: restored !== text };
}
