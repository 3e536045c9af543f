/**
 * A small built-in warninglist (known-benign values, as MISP's lists of public resolvers and top
 * domains). enforceWarninglist drops attributes whose value, or one part of a composite value, or
 * a URL's host, is on it.
 */
export const DEFAULT_WARNINGLIST: readonly string[] = [
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '9.9.9.9',
  '2001:4860:4860::8888',
  '127.0.0.1',
  '::1',
  'localhost',
  'google.com',
  'www.google.com',
  'microsoft.com',
  'www.microsoft.com',
  'windowsupdate.com',
];

export class Warninglist {
  private entries = new Set<string>();

  constructor(values: readonly string[] = DEFAULT_WARNINGLIST) {
    this.replace(values);
  }

  /** Replaces every entry (as a warninglist update on the server would). */
  replace(values: readonly string[]): void {
    this.entries = new Set(values.map((value) => value.toLowerCase()));
  }

  matches(value: string): boolean {
    if (this.entries.has(value.trim().toLowerCase())) return true;
    for (const part of value.split('|')) {
      const candidate = part.trim().toLowerCase();
      if (this.entries.has(candidate) || this.entries.has(hostOf(candidate))) return true;
    }
    return false;
  }
}

/** The host of a URL-ish value ("http://host:80/path" -> "host"), or the value itself. */
function hostOf(value: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/.exec(value);
  return match ? match[1] : value;
}
