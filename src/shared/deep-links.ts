/**
 * Deep links into the console: `vigil://alert/<fingerprint>` and `vigil://incident/<id>`, so an IM message or
 * a status page can link straight to what it is about. A link comes from outside (another program's command
 * line, the OS), so the parser is total and strict: it returns a refusal for anything but exactly those two
 * shapes, never throws, and never "repairs" a link.
 *
 * Grammar (case-insensitive scheme and kind, case-sensitive id):
 *   vigil://alert/<id>      id: 1–128 characters of [A-Za-z0-9._:@~-], percent-encoding allowed for them
 *   vigil://incident/<id>   id: 1–64 characters, same alphabet
 * An optional single trailing "/" is accepted (some IM clients append one). No query, fragment, user, port,
 * further segments, "." / ".." ids, encoded separators or double encoding.
 */
import { encodeComponent } from './total';
import { z } from 'zod';

export const DEEP_LINK_SCHEME = 'vigil';
export const DEEP_LINK_KINDS = ['alert', 'incident'] as const;
export type DeepLinkKind = (typeof DEEP_LINK_KINDS)[number];

/** the id lengths the stored rows allow (alert fingerprint ≤ 128, incident id ≤ 64) */
export const DEEP_LINK_MAX_ID: Record<DeepLinkKind, number> = { alert: 128, incident: 64 };
/** the characters an id may have once decoded (and never just "." or "..") */
export const DEEP_LINK_ID = /^(?!\.{1,2}$)[A-Za-z0-9._:@~-]+$/;
/** longer than any valid link: refused before any other work */
const MAX_LINK = 512;

export const DeepLinkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('alert'), id: z.string().min(1).max(DEEP_LINK_MAX_ID.alert).regex(DEEP_LINK_ID) }),
  z.object({ kind: z.literal('incident'), id: z.string().min(1).max(DEEP_LINK_MAX_ID.incident).regex(DEEP_LINK_ID) }),
]);
export type DeepLink = z.infer<typeof DeepLinkSchema>;

export type DeepLinkParse = { ok: true; link: DeepLink } | { ok: false; reason: string };

const refuse = (reason: string): DeepLinkParse => ({ ok: false, reason });

/** Decodes %XX escapes of one segment; null when an escape is malformed or decodes outside the id alphabet. */
function decodeId(raw: string): string | null {
  if (!/^(?:[A-Za-z0-9._:@~-]|%[0-9A-Fa-f]{2})+$/.test(raw)) return null;
  const decoded = raw.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  // an escape may only stand for a character the alphabet already has (so no slash, backslash, "%" or NUL)
  return /^[A-Za-z0-9._:@~-]+$/.test(decoded) ? decoded : null;
}

export function parseDeepLink(raw: unknown): DeepLinkParse {
  if (typeof raw !== 'string') return refuse('not a string');
  if (raw.length === 0 || raw.length > MAX_LINK) return refuse('empty or too long');
  const prefix = `${DEEP_LINK_SCHEME}://`;
  if (raw.slice(0, prefix.length).toLowerCase() !== prefix) return refuse(`not a ${prefix} link`);
  let rest = raw.slice(prefix.length);
  if (/[?#]/.test(rest)) return refuse('a query or fragment is not allowed');
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  const parts = rest.split('/');
  if (parts.length !== 2) return refuse('expected vigil://alert/<fingerprint> or vigil://incident/<id>');
  const kind = parts[0].toLowerCase();
  if (kind !== 'alert' && kind !== 'incident') return refuse(`unknown link kind "${parts[0].slice(0, 20)}"`);
  const id = decodeId(parts[1]);
  if (id === null) return refuse('the id has characters a Vigil id never has');
  if (id === '.' || id === '..') return refuse('the id is a path segment');
  if (id.length > DEEP_LINK_MAX_ID[kind]) return refuse('the id is too long');
  return { ok: true, link: { kind, id } };
}

/** The link for an alert or incident (ids outside the alphabet are percent-encoded, and then refused by the parser). */
export function formatDeepLink(link: DeepLink): string {
  return `${DEEP_LINK_SCHEME}://${link.kind}/${encodeComponent(link.id)}`;
}

/**
 * The first command-line argument that claims to be a deep link (how Windows and Linux hand one to the app),
 * unparsed: the caller parses it, so a malformed one is refused visibly rather than ignored.
 */
export function deepLinkArg(argv: readonly unknown[]): string | null {
  for (const a of argv)
    if (typeof a === 'string' && a.slice(0, DEEP_LINK_SCHEME.length + 1).toLowerCase() === `${DEEP_LINK_SCHEME}:`)
      return a;
  return null;
}
