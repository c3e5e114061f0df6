/**
 * Who is on a connection, from the credential of its upgrade request (docs/deploy.md):
 * - a personal access token (`Authorization: Bearer vgl_…`): looked up by its id, its secret checked against
 *   the stored scrypt hash, refused when revoked, expired, or its person is revoked;
 * - the SSO proxy's headers (`--auth trusted-header`): X-Forwarded-User / -Email / -Groups /
 *   -Preferred-Username, believed only from an address in `--trusted-proxy`; from anywhere else they are
 *   refused outright;
 * - the team's shared token (`--token`): proves only that the console knows it, so the name the console
 *   types is recorded marked "(shared token)"; its role is responder.
 * `recheck` answers again for an open connection when people or tokens change, so a revocation closes
 * sockets already open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { DisplayNameSchema, higherRole, LoginSchema, type Identity, type Role } from '@shared/identity';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import { secretMatches } from '@node/secret';
import { parseToken, secretMatchesHash } from './tokens';
import type { UserStore } from './users';

export interface TrustedHeaderOptions {
  /** addresses (CIDR, or one address) the SSO proxy connects from */
  proxies: readonly string[];
  /** SSO group → role; a person gets the highest role any of their groups maps to */
  groupRoles: Readonly<Record<string, Role>>;
  /** the role of a person none of whose groups maps to one; null = such a person is refused */
  defaultRole: Role | null;
}

export interface AuthConfig {
  /** personal access tokens are accepted (needs a UserStore) */
  personal: boolean;
  /** the team's shared token (small-team mode), or null */
  sharedToken: string | null;
  trustedHeader: TrustedHeaderOptions | null;
}

/** The credential behind an accepted connection. */
export interface Principal {
  /** for the shared token, `name` is empty until the console's hello says it */
  identity: Identity;
  /** the personal token's id (re-checked when tokens change), else null */
  tokenId: string | null;
  expiresAt: number | null;
}

/** Why a credential was refused: also sent as the X-Vigil-Auth header, so a console can say it in words. */
export type AuthRefusal = 'missing' | 'wrong' | 'revoked' | 'expired' | 'untrusted_proxy' | 'no_role' | 'busy';

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403 | 503; refusal: AuthRefusal; message: string; login?: string };

export interface Authenticator {
  authenticate(req: IncomingMessage): Promise<AuthOutcome>;
  /** an open connection's credential now: the identity it has (name and role may have changed), or why not */
  recheck(p: Principal): { ok: true; identity: Identity } | { ok: false; refusal: AuthRefusal; message: string };
}

/** the token of an `Authorization: Bearer <token>` header, or null */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m ? m[1].trim() : null;
}

/** A CIDR list ("127.0.0.1/32", "10.0.0.0/8", "::1"); throws on a malformed entry. */
export function addressList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.trim().split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : isIP(addr) === 4 ? 'ipv4' : null;
    const max = type === 'ipv6' ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (!type || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new Error(`--trusted-proxy takes addresses or CIDRs like 127.0.0.1/32 or 10.0.0.0/8, got "${c}"`);
    list.addSubnet(addr, prefix, type);
  }
  return list;
}

const FORWARDED = ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-preferred-username'];

/** a header as text: proxies send UTF-8 bytes, which Node hands over as latin1 */
function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  const raw = (Array.isArray(v) ? v[0] : v)?.trim();
  if (!raw) return null;
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? raw : utf8;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createAuthenticator(o: {
  config: AuthConfig;
  users: UserStore | null;
  clock: Pick<Clock, 'now'>;
  log: Logger;
  /** most token checks under way at once; more are refused 503 (scrypt costs memory) */
  maxPendingChecks?: number;
}): Authenticator {
  const { config, users } = o;
  const proxies = config.trustedHeader ? addressList(config.trustedHeader.proxies) : null;
  /** token id → sha256 of the secret that matched its scrypt hash (saves the KDF on every reconnect) */
  const verified = new Map<string, Buffer>();
  let pending = 0;
  const maxPending = o.maxPendingChecks ?? 32;

  const refused = (status: 401 | 403 | 503, refusal: AuthRefusal, message: string, login?: string): AuthOutcome => ({
    ok: false,
    status,
    refusal,
    message,
    login,
  });

  function tokenState(
    tokenId: string,
  ): { ok: true; identity: Identity; expiresAt: number | null } | { ok: false; refusal: AuthRefusal; message: string } {
    const t = users?.tokenSecret(tokenId);
    const u = t ? users!.user(t.login) : null;
    if (!t || !u) return { ok: false, refusal: 'wrong', message: 'the token is not known to this gateway' };
    if (t.revokedAt !== null || u.revokedAt !== null)
      return { ok: false, refusal: 'revoked', message: `the token of ${u.login} was revoked` };
    if (t.expiresAt !== null && t.expiresAt <= o.clock.now())
      return { ok: false, refusal: 'expired', message: `the token of ${u.login} expired` };
    return { ok: true, identity: { login: u.login, name: u.name, role: u.role, via: 'token' }, expiresAt: t.expiresAt };
  }

  async function personal(token: string): Promise<AuthOutcome> {
    const parts = parseToken(token);
    const stored = parts && users?.tokenSecret(parts.id);
    if (!parts || !stored) return refused(401, 'wrong', 'the token is not known to this gateway');
    const seen = verified.get(parts.id);
    let good = !!seen && timingSafeEqual(seen, digest(parts.secret));
    if (!good) {
      if (pending >= maxPending) return refused(503, 'busy', 'too many sign-ins at once; try again in a moment');
      pending++;
      try {
        good = await secretMatchesHash(parts.secret, stored.hash);
      } finally {
        pending--;
      }
      if (good) {
        if (verified.size >= 10_000) verified.clear();
        verified.set(parts.id, digest(parts.secret));
      }
    }
    if (!good) return refused(401, 'wrong', 'the token is not known to this gateway', stored.login);
    const state = tokenState(parts.id);
    if (!state.ok) return refused(401, state.refusal, state.message, stored.login);
    users!.touchToken(parts.id, o.clock.now());
    return { ok: true, principal: { identity: state.identity, tokenId: parts.id, expiresAt: state.expiresAt } };
  }

  function viaProxy(req: IncomingMessage, th: TrustedHeaderOptions): AuthOutcome {
    const email = header(req, 'x-forwarded-email');
    const login = header(req, 'x-forwarded-user') ?? email;
    if (!login || !LoginSchema.safeParse(login).success)
      return refused(403, 'wrong', 'the SSO proxy sent no X-Forwarded-User Vigil can use as a login');
    const stored = users?.user(login) ?? null;
    if (stored?.revokedAt != null) return refused(403, 'revoked', `${login} was revoked on this gateway`, login);
    const groups = (header(req, 'x-forwarded-groups') ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    let role: Role | null = null;
    for (const g of groups) {
      const r = th.groupRoles[g];
      if (r) role = role ? higherRole(role, r) : r;
    }
    role ??= stored && stored.origin !== 'proxy' ? stored.role : th.defaultRole;
    if (!role)
      return refused(
        403,
        'no_role',
        `none of ${login}'s groups (${groups.join(', ') || 'none'}) has a Vigil role`,
        login,
      );
    const offered = DisplayNameSchema.safeParse(header(req, 'x-forwarded-preferred-username') ?? email ?? login);
    const name =
      stored && stored.origin !== 'proxy' ? stored.name : offered.success ? offered.data : login.slice(0, 64);
    users?.seenViaProxy({ login, name, role }, o.clock.now());
    return { ok: true, principal: { identity: { login, name, role, via: 'proxy' }, tokenId: null, expiresAt: null } };
  }

  return {
    async authenticate(req) {
      const th = config.trustedHeader;
      if (th && proxies) {
        const fromProxy = proxies.check(
          req.socket.remoteAddress ?? '',
          isIP(req.socket.remoteAddress ?? '') === 6 ? 'ipv6' : 'ipv4',
        );
        const signedIn = !!(header(req, 'x-forwarded-user') ?? header(req, 'x-forwarded-email'));
        if (fromProxy && signedIn) return viaProxy(req, th);
        if (!fromProxy && FORWARDED.some((h) => req.headers[h] !== undefined))
          return refused(
            403,
            'untrusted_proxy',
            'X-Forwarded-* sign-in headers are taken only from the trusted SSO proxy',
          );
        if (!config.personal && !config.sharedToken)
          return refused(
            401,
            'missing',
            fromProxy
              ? 'the SSO proxy did not sign this request in'
              : 'this gateway takes connections only through its SSO proxy',
          );
      }
      const token = bearerToken(req.headers.authorization);
      if (token === null) return refused(401, 'missing', 'no Authorization: Bearer token');
      if (config.sharedToken !== null && secretMatches(token, config.sharedToken))
        return {
          ok: true,
          principal: {
            identity: { login: null, name: '', role: 'responder', via: 'shared' },
            tokenId: null,
            expiresAt: null,
          },
        };
      if (config.personal && users) return personal(token);
      return refused(401, 'wrong', 'the token is not accepted here');
    },
    recheck(p) {
      const i = p.identity;
      if (i.via === 'shared') return { ok: true, identity: i };
      if (i.via === 'token') {
        const s = tokenState(p.tokenId ?? '');
        return s.ok ? { ok: true, identity: s.identity } : s;
      }
      const u = users?.user(i.login ?? '');
      if (u?.revokedAt != null)
        return { ok: false, refusal: 'revoked', message: `${i.login} was revoked on this gateway` };
      return { ok: true, identity: u && u.origin !== 'proxy' ? { ...i, name: u.name } : i };
    },
  };
}
