/**
 * People and what they may do (docs/deploy.md, "People, tokens and roles"). The gateway proves who is on a
 * connection from its credential (a personal token, the SSO proxy's headers, or — unproven — the shared
 * token) and tells the console in `welcome.identity`; every record it keeps names that person. The console
 * uses the same role table to disable, with the reason, what a role cannot do.
 */
import { z } from 'zod';

export const ROLES = ['viewer', 'responder', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** A login: what `users add` takes and the SSO proxy's X-Forwarded-User carries (an email is fine). */
export const LoginSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N}._@+-]*$/u,
    'a login is letters, digits and . _ @ + - (starting with a letter or digit)',
  );

/** A display name: what silences, timelines and handovers show. */
export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a display name has no control characters');

/** How the gateway knows who is on a connection. */
export const CREDENTIAL_KINDS = ['token', 'proxy', 'shared'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** The person a connection acts as, as `welcome.identity` carries it. */
export const IdentitySchema = z.object({
  /** null for the shared token: it proves only that the console knows the team's token */
  login: z.string().max(128).nullable(),
  name: z.string().max(80),
  role: RoleSchema,
  /** personal token: "token"; SSO proxy headers: "proxy"; the team's shared token: "shared" (names unproven) */
  via: z.enum(CREDENTIAL_KINDS),
});
export type Identity = z.infer<typeof IdentitySchema>;

/** One person the gateway knows, as `person.upsert` carries it (never a token or its hash). */
export const PersonSchema = z.object({
  login: LoginSchema,
  name: z.string().max(80),
  role: RoleSchema,
  /** false once revoked: kept so old records still resolve, never offered for new roles */
  active: z.boolean(),
});
export type Person = z.infer<typeof PersonSchema>;

/** What the shared token appends to every name it records: the name was typed, not proven. */
export const SHARED_MARK = ' (shared token)';

/**
 * The name a record carries for this identity: the display name when the credential proved it, the typed
 * name marked "(shared token)" when it did not. Always at most 80 characters (the records' limit).
 */
export function recordName(i: Pick<Identity, 'name' | 'via'>): string {
  let name = i.name.trim() || 'unknown';
  if (i.via !== 'shared') return name.slice(0, 80);
  // a name that comes marked already (a console records and sends the marked one) is not marked twice
  while (name.endsWith(SHARED_MARK)) name = name.slice(0, -SHARED_MARK.length).trim() || 'unknown';
  return `${name.slice(0, 80 - SHARED_MARK.length)}${SHARED_MARK}`;
}

const RANK: Record<Role, number> = { viewer: 0, responder: 1, admin: 2 };

/** Actions that change what the platform serves to everyone (content, people): admins only. */
const ADMIN_PREFIXES = ['runbook.', 'roster.', 'dashboard.', 'user.', 'template.'];

/** The least role an action needs: admin for content and people, responder for everything else. */
export function requiredRole(action: string): Role {
  return ADMIN_PREFIXES.some((p) => action.startsWith(p)) ? 'admin' : 'responder';
}

export const roleAllows = (role: Role, action: string): boolean => RANK[role] >= RANK[requiredRole(action)];

/** The higher of two roles (a person in several SSO groups gets the highest their groups map to). */
export const higherRole = (a: Role, b: Role): Role => (RANK[a] >= RANK[b] ? a : b);
