/**
 * The vetted-URL predicate: the only gate between a string from anywhere (alert annotations, runbooks,
 * rosters) and the OS opener. Pure, so it is tested against hostile input directly.
 */
import { decodeComponent, parseUrl } from './total';

export const DEFAULT_SCHEMES = ['http:', 'https:', 'mailto:', 'tel:'] as const;
/** Deep-link schemes of the IM clients rosters name; allowed only where a caller asks for them. */
export const IM_SCHEMES = ['slack:', 'dingtalk:', 'msteams:', 'wxwork:'] as const;

/** The verdict on one URL: the normalised URL to open, or why it may not be opened. */
export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

export function checkExternalUrl(raw: unknown, extraSchemes: readonly string[] = []): UrlCheck {
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  if (raw.length === 0 || raw.length > 4096) return { ok: false, reason: 'empty or too long' };
  if (CONTROL.test(raw)) return { ok: false, reason: 'contains control or invisible characters' };
  if (raw !== raw.trim()) return { ok: false, reason: 'leading or trailing whitespace' };
  if (raw.includes('\\')) return { ok: false, reason: 'contains a backslash' };
  const u = parseUrl(raw);
  if (!u) return { ok: false, reason: 'not an absolute URL' };
  const allowed = new Set<string>([...DEFAULT_SCHEMES, ...extraSchemes]);
  if (!allowed.has(u.protocol)) return { ok: false, reason: `scheme ${u.protocol} is not allowed` };
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    if (u.username || u.password) return { ok: false, reason: 'credentials in the URL (user@host look-alike)' };
    const host = u.hostname;
    if (!host) return { ok: false, reason: 'no host' };
    // Punycode labels are how look-alike (homograph) hosts reach us after URL parsing.
    if (host.split('.').some((label) => label.startsWith('xn--')))
      return { ok: false, reason: `internationalised host ${host} may be a look-alike` };
    if (/[^a-z0-9.\-[\]:]/i.test(host)) return { ok: false, reason: `unexpected characters in host ${host}` };
  }
  // a broken escape (`mailto:%E0%A4%A`) is refused like any other bad address, never thrown
  const target = u.protocol === 'mailto:' || u.protocol === 'tel:' ? decodeComponent(u.pathname) : '';
  if (target === null) return { ok: false, reason: `${u.protocol} with a broken %-escape` };
  if (u.protocol === 'mailto:' && !/^[^@\s]+@[^@\s]+$/.test(target)) return { ok: false, reason: 'mailto without a single address' };
  if (u.protocol === 'tel:' && !/^\+?[0-9().\- ]{3,32}$/.test(target)) return { ok: false, reason: 'tel with characters other than digits' };
  return { ok: true, url: u.toString() };
}

export const isSafeExternalUrl = (raw: unknown, extraSchemes: readonly string[] = []): boolean =>
  checkExternalUrl(raw, extraSchemes).ok;
