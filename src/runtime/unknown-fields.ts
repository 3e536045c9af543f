import { FormSchema, propertiesOf } from './lenient-values';

/** Edit distance between two names (insertions, deletions, substitutions, swaps of neighbours). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(best);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The known name closest to `name`, when it is close enough to be a typo of it (at most a third of
 * its letters differ, case and - versus _ aside); else undefined.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const plain = (text: string): string => text.toLowerCase().replace(/-/g, '_');
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(plain(name), plain(candidate));
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  if (!best || best.distance > Math.max(1, Math.floor(name.length / 3))) return undefined;
  return best.name;
}

const WHERE: Record<'account' | 'trigger', string> = {
  account: 'the account form',
  trigger: 'the trigger configuration',
};

/**
 * One warning naming the fields of a configuration its form does not know (they are ignored), each
 * with the known field it is likely a typo of, or the other form it belongs to; undefined when
 * every field is known.
 */
export function unknownFieldsWarning(
  value: Readonly<Record<string, unknown>>,
  place: 'account' | 'trigger',
  schema: FormSchema,
  otherSchema: FormSchema,
): string | undefined {
  const known = Object.keys(propertiesOf(schema));
  const otherKnown = Object.keys(propertiesOf(otherSchema));
  const other = place === 'account' ? 'trigger' : 'account';
  const unknown = Object.keys(value).filter((field) => !known.includes(field));
  if (unknown.length === 0) return undefined;
  const named = unknown.map((field) => {
    if (otherKnown.includes(field)) return `"${field}" (a field of ${WHERE[other]}: set it there)`;
    const closest = closestName(field, known);
    return closest ? `"${field}" (did you mean "${closest}"?)` : `"${field}"`;
  });
  return (
    `${WHERE[place][0].toUpperCase()}${WHERE[place].slice(1)} holds ${unknown.length === 1 ? 'a field' : 'fields'} ` +
    `this trigger does not know, ignored: ${named.join(', ')}. Correct or remove ` +
    `${unknown.length === 1 ? 'it' : 'them'} in ${WHERE[place]}.`
  );
}
