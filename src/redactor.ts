/** Shorter values are not redacted: replacing "abc" everywhere would garble every line. */
export const MIN_REDACTED_LENGTH = 6;

const MASK = '***';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces secret values with `***` in any text. Each secret is also matched in the forms it takes
 * inside JSON and URLs, and user:password in URLs is always masked.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(values: Iterable<unknown> = []) {
    this.add(values);
  }

  /** Adds secret values (non-strings and short values are ignored). */
  add(values: Iterable<unknown>): void {
    let changed = false;
    for (const value of values) {
      if (typeof value !== 'string') continue;
      const trimmed = value.trim();
      for (const form of [
        value,
        trimmed,
        JSON.stringify(trimmed).slice(1, -1),
        encodeURIComponent(trimmed),
      ]) {
        if (form.length >= MIN_REDACTED_LENGTH && !this.secrets.has(form)) {
          this.secrets.add(form);
          changed = true;
        }
      }
    }
    if (changed) {
      // Longest first, so that a secret containing another is masked whole.
      const sorted = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(sorted.join('|'), 'g');
    }
  }

  redact(text: string): string {
    const masked = this.pattern ? text.replace(this.pattern, MASK) : text;
    return masked.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]*@/gi, `$1${MASK}@`);
  }
}

/** The values of the secret fields of a configuration. */
export function secretValuesOf(
  configuration: Record<string, unknown>,
  secretFields: readonly string[],
): unknown[] {
  return secretFields.map((field) => configuration[field]);
}
