/**
 * `text` (resolved against `base`) fit for a log line or an error: no user, password, query or
 * fragment, where credentials and tokens hide. Undefined when it is not a URL.
 */
export function safeUrl(text: string, base?: string): string | undefined {
  try {
    const url = new URL(text, base);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return undefined;
  }
}
