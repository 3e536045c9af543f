import type { MappedAttribute } from './types';

/** Examples kept per type, and shown in the warning in all. */
export const MAX_EXAMPLES = 3;

type Skipped = NonNullable<MappedAttribute['skipped']>;

export interface SkipExample {
  type: string;
  example: string;
  detail: string;
}

/**
 * Counts what a cycle did not push, by reason, and for invalid values by MISP type with a few
 * examples, for the cycle's warning and event. Memory is bounded: a few examples per type.
 * Reasons beyond mapping (already_pushed, rejected) are counted with `count`.
 */
export class SkipTally {
  private readonly byReason = new Map<string, number>();
  private readonly invalidByType = new Map<string, number>();
  private readonly examplesByType = new Map<string, SkipExample[]>();

  /** Records one mapping skip (see MappedAttribute.skipped). */
  record(skipped: Skipped): void {
    this.count(skipped.reason);
    if (skipped.reason !== 'invalid_value') return;
    this.invalidByType.set(skipped.type, (this.invalidByType.get(skipped.type) ?? 0) + 1);
    const examples = this.examplesByType.get(skipped.type) ?? [];
    if (examples.length < MAX_EXAMPLES) {
      examples.push({ type: skipped.type, example: skipped.example, detail: skipped.detail });
      this.examplesByType.set(skipped.type, examples);
    }
  }

  /** Adds `n` to a reason's count, e.g. count('already_pushed', 12). */
  count(reason: string, n = 1): void {
    if (n > 0) this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + n);
  }

  /** Counts by reason, for the event's `skipped` and the summary line. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.byReason);
  }

  get invalidCount(): number {
    return this.byReason.get('invalid_value') ?? 0;
  }

  /** Invalid values by MISP type, most frequent first (ties: first seen first). */
  invalidCountsByType(): Array<[type: string, count: number]> {
    return [...this.invalidByType].sort((a, b) => b[1] - a[1]);
  }

  /** Up to MAX_EXAMPLES examples, taken in turn from each type, most frequent type first. */
  examples(): SkipExample[] {
    const lists = this.invalidCountsByType().map(([type]) => this.examplesByType.get(type) ?? []);
    const picked: SkipExample[] = [];
    for (let round = 0; round < MAX_EXAMPLES; round += 1) {
      for (const list of lists) {
        const example = list[round];
        if (example !== undefined && picked.length < MAX_EXAMPLES) picked.push(example);
      }
    }
    return picked;
  }
}

/**
 * The one warning line of a cycle with invalid values, or undefined when there were none: counts
 * by type, up to 3 examples with what is wrong, and what to do.
 */
export function formatInvalidValuesWarning(tally: SkipTally): string | undefined {
  const total = tally.invalidCount;
  if (total === 0) return undefined;
  const byType = tally
    .invalidCountsByType()
    .map(([type, n]) => `${type}: ${n}`)
    .join(', ');
  const examples = tally
    .examples()
    .map((e) => `${e.type} "${e.example}" (${e.detail})`)
    .join('; ');
  const what =
    total === 1
      ? '1 MISP attribute value was skipped because it is invalid'
      : `${total} MISP attribute values were skipped because they are invalid`;
  return (
    `${what} (${byType}), e.g. ${examples}. The other attributes were processed. ` +
    'Fix these values in MISP, or clear their IDS flag (to_ids), to silence this warning.'
  );
}
