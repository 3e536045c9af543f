/**
 * 1200 -> "1,200": what `n.toLocaleString('en-US')` writes, without it. The first toLocaleString
 * of a process sets up ICU's number formatting (about 25 ms of CPU, measured on the bench), and
 * the log lines only ever print counts: a safe integer is written here; anything else (a fraction,
 * NaN, an infinity, -0) still goes through toLocaleString.
 */
export function formatNumber(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let at = out.length; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`;
  return n < 0 ? `-${out}` : out;
}
