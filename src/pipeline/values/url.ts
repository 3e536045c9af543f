import { accepted, refused, type ValueCheck } from './check';
import { normaliseDomainName } from './domain';
import { canonicalIpv6, isIpv4Address } from './ip';
import { hasWhitespaceOrUnsafeCharacter } from '../text';

/** `scheme://authority rest`: the authority (user@host:port) must not be empty. */
const WITH_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i;
/** Characters a URL host can never hold (RFC 3986 delimiters and what browsers refuse). */
const FORBIDDEN_IN_HOST = /[<>"{}|\\^`[\]@]/;
/** `host[:port]` and what follows, without a scheme. */
const WITHOUT_SCHEME = /^([^/?#]+)([/?#].*)?$/;
/**
 * File extensions that are not top-level domains: a bare `igfxtray.exe` in a url attribute is a
 * file name. Two-letter extensions and real TLDs (.zip, .mov, .py, .sh, .cab) are left out.
 */
const FILE_EXTENSIONS = new Set(
  'exe dll sys tmp dat bat vbs lnk scr hta ini doc docx xls xlsx pdf txt jpg jpeg png gif rar'.split(' '),
);

/** The host of an authority `[user@]host[:port]`, brackets kept for IPv6. */
function hostOf(authority: string): string {
  const afterUser = authority.slice(authority.lastIndexOf('@') + 1);
  if (afterUser.startsWith('[')) {
    const end = afterUser.indexOf(']');
    return end < 0 ? afterUser : afterUser.slice(0, end + 1);
  }
  const colon = afterUser.indexOf(':');
  return colon < 0 ? afterUser : afterUser.slice(0, colon);
}

function isIpv6Literal(host: string): boolean {
  return host.startsWith('[') && host.endsWith(']') && canonicalIpv6(host.slice(1, -1)) !== undefined;
}

/** A host that is a real address or DNS name, as a schemeless URL needs to be recognisable. */
function isRecognisableHost(host: string): boolean {
  return isIpv4Address(host) || isIpv6Literal(host) || 'name' in normaliseDomainName(host);
}

function looksLikeFileName(text: string): boolean {
  return FILE_EXTENSIONS.has(text.slice(text.lastIndexOf('.') + 1).toLowerCase());
}

/**
 * Checks a MISP url value. MISP barely validates it: real data holds `107.183.86`, `Data/glp.uin`,
 * `igfxtray.exe`, and C2 hosts such as `www.whitewall.top`. We keep, as is after trimming:
 * - a URL with a scheme and a non-empty host: `https://example.com/x`, `ftp://1.2.3.4:8080` (a defanged `hxxp://` is refanged before, in mapping.ts);
 * - a schemeless `host[:port][/path]` whose host is an IP address or a DNS name:
 *   `evil.com/a.php`, `www.whitewall.top` (a flagged IOC is not dropped for lack of a scheme).
 * We refuse: no recognisable host (`107.183.86`, `Data/glp.uin`), a bare file name
 * (`igfxtray.exe`), an e-mail address, whitespace or control characters.
 */
export function checkUrl(text: string): ValueCheck {
  if (text === '') return refused('empty URL');
  if (hasWhitespaceOrUnsafeCharacter(text)) return refused('URL with a space or a control character');
  const withScheme = WITH_SCHEME.exec(text);
  if (withScheme) {
    const host = hostOf(withScheme[1] ?? '');
    if (host === '') return refused('URL without a host');
    if (host.startsWith('[') ? !isIpv6Literal(host) : FORBIDDEN_IN_HOST.test(host)) {
      return refused('URL with an invalid host');
    }
    return accepted('url.value', text);
  }
  const withoutScheme = WITHOUT_SCHEME.exec(text);
  if (withoutScheme?.[1]?.includes('@')) return refused('not a URL: looks like an e-mail address');
  if (withoutScheme && isRecognisableHost(hostOf(withoutScheme[1] ?? ''))) {
    if (withoutScheme[2] === undefined && looksLikeFileName(text)) return refused('a file name, not a URL');
    return accepted('url.value', text);
  }
  return refused('not a URL: no scheme (e.g. http://) and no host name or address');
}
