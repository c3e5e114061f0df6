/**
 * Total versions of the built-ins that throw on data the platform (or anyone) can send: percent-decoding a
 * broken escape (`%E0%A4%A`), percent-encoding a lone surrogate (`\ud800`), parsing a URL, turning a number
 * into a date outside the Date range. Each returns a value or null; none throws. Every helper that reads a
 * URL, a date or a number from platform data goes through these (test/unit/foundation/total-helpers.test.ts
 * feeds them, and the helpers built on them, arbitrary strings).
 */

/** `s` with every lone surrogate replaced by U+FFFD, so any encoder accepts it. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** encodeURIComponent that never throws (a lone surrogate is encoded as U+FFFD). */
export function encodeComponent(s: string): string {
  return encodeURIComponent(wellFormed(s));
}

/** decodeURIComponent, or null when an escape is broken or decodes to invalid UTF-8. */
export function decodeComponent(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** An absolute URL, or null. */
export function parseUrl(raw: unknown, base?: string): URL | null {
  if (typeof raw !== 'string') return null;
  try {
    return new URL(raw, base);
  } catch {
    return null;
  }
}

/** what `new Date()` accepts: ±100 000 000 days around the epoch */
export const MAX_TIME_MS = 8.64e15;

/** `t` when it is a time a Date can hold (a finite number of ms in range), else null. */
export function validTime(t: unknown): number | null {
  return typeof t === 'number' && Number.isFinite(t) && Math.abs(t) <= MAX_TIME_MS ? t : null;
}

/** The ISO 8601 form of a time, or null when it is no date. */
export function isoTime(t: unknown): string | null {
  const v = validTime(t);
  return v === null ? null : new Date(v).toISOString();
}

/** A date and time in `lng`'s format, or `fallback` when `t` is no date or `lng` no locale. */
export function localTime(t: unknown, lng: string, fallback = '—', opts: Intl.DateTimeFormatOptions = { hour12: false }): string {
  const v = validTime(t);
  if (v === null) return fallback;
  try {
    return new Date(v).toLocaleString(lng, opts);
  } catch {
    return new Date(v).toLocaleString('en', opts);
  }
}
