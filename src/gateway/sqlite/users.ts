/**
 * The UserStore (users.ts) on SQLite: tables users, user_tokens, users_revision and audit of gateway.db
 * (migration 3 in schema.ts). All of its SQL is in `statements` below. It opens its own connection, so the
 * `users` command and a running gateway share the file (WAL; each call is one transaction).
 */
import type { Role } from '@shared/identity';
import type { SqlConnection } from '@node/sql';
import { openDatabase } from '@node/sqlite';
import {
  UserStoreError,
  type ChangedBy,
  type TokenRecord,
  type TokenSecret,
  type UserOrigin,
  type UserRecord,
  type UserStore,
} from '../users';
import { gatewayMigrations } from './schema';

interface UserRow {
  login: string;
  name: string;
  role: Role;
  origin: UserOrigin;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
}
interface TokenRow {
  id: string;
  login: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

const toUser = (r: UserRow): UserRecord => ({
  login: r.login,
  name: r.name,
  role: r.role,
  origin: r.origin,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  revokedAt: r.revoked_at,
});
const toToken = (r: TokenRow): TokenRecord => ({
  id: r.id,
  login: r.login,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

function statements(db: SqlConnection) {
  return {
    revision: db.prepare('SELECT revision FROM users_revision WHERE id = 1'),
    bump: db.prepare('UPDATE users_revision SET revision = revision + 1 WHERE id = 1'),
    user: db.prepare('SELECT * FROM users WHERE login = ?'),
    users: db.prepare('SELECT * FROM users ORDER BY login'),
    insertUser: db.prepare(
      'INSERT INTO users (login, name, role, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    reinstate: db.prepare(
      'UPDATE users SET name = ?, role = ?, origin = ?, updated_at = ?, revoked_at = NULL WHERE login = ?',
    ),
    update: db.prepare('UPDATE users SET name = ?, role = ?, updated_at = ? WHERE login = ?'),
    revokeUser: db.prepare('UPDATE users SET revoked_at = ?, updated_at = ? WHERE login = ?'),
    tokens: db.prepare('SELECT * FROM user_tokens ORDER BY created_at, id'),
    tokensOf: db.prepare('SELECT * FROM user_tokens WHERE login = ? ORDER BY created_at, id'),
    token: db.prepare('SELECT * FROM user_tokens WHERE id = ?'),
    insertToken: db.prepare('INSERT INTO user_tokens (id, login, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    revokeTokensOf: db.prepare(
      'UPDATE user_tokens SET revoked_at = ? WHERE login = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)',
    ),
    revokeAllTokensOf: db.prepare('UPDATE user_tokens SET revoked_at = ? WHERE login = ? AND revoked_at IS NULL'),
    revokeToken: db.prepare('UPDATE user_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    touch: db.prepare('UPDATE user_tokens SET last_used_at = ? WHERE id = ?'),
    audit: db.prepare('INSERT INTO audit (at, actor, action, detail, login) VALUES (?, ?, ?, ?, ?)'),
  };
}

/**
 * A UserStore on an open, migrated connection: gateway.db, or PostgreSQL (postgres/users.ts; the SQL here is
 * what both accept); `close` closes that connection.
 */
export function createUserStore(db: SqlConnection, close: () => void): UserStore {
  const s = statements(db);
  const row = (login: string) => s.user.get(login) as UserRow | undefined;
  const must = (login: string): UserRow => {
    const r = row(login);
    if (!r) throw new UserStoreError('not_found', `no person with the login "${login}"`);
    return r;
  };
  /** every change: the revision moves and the audit names who did it, in the caller's transaction */
  const changed = (at: number, by: ChangedBy, action: string, login: string, detail: object) => {
    s.bump.run();
    s.audit.run(at, by, action, JSON.stringify(detail), login);
  };

  return {
    revision: () => (s.revision.get() as { revision: number }).revision,
    user: (login) => {
      const r = row(login);
      return r ? toUser(r) : null;
    },
    users: () => (s.users.all() as UserRow[]).map(toUser),
    tokens: (login) => ((login === undefined ? s.tokens.all() : s.tokensOf.all(login)) as TokenRow[]).map(toToken),
    addUser: db.transaction(
      (u: { login: string; name: string; role: Role; origin: UserOrigin }, at: number, by: ChangedBy) => {
        const prev = row(u.login);
        if (prev && prev.revoked_at === null)
          throw new UserStoreError('exists', `"${u.login}" is already a person here (${prev.name}, ${prev.role})`);
        if (prev) s.reinstate.run(u.name, u.role, u.origin, at, u.login);
        else s.insertUser.run(u.login, u.name, u.role, u.origin, at, at);
        changed(at, by, prev ? 'user.reinstate' : 'user.add', u.login, { name: u.name, role: u.role });
        return { user: toUser(must(u.login)), reinstated: !!prev };
      },
    ),
    updateUser: db.transaction((login: string, patch: { name?: string; role?: Role }, at: number, by: ChangedBy) => {
      const prev = must(login);
      s.update.run(patch.name ?? prev.name, patch.role ?? prev.role, at, login);
      changed(at, by, 'user.update', login, patch);
      return toUser(must(login));
    }),
    seenViaProxy: db.transaction((u: { login: string; name: string; role: Role }, at: number) => {
      const prev = row(u.login);
      if (!prev) {
        s.insertUser.run(u.login, u.name, u.role, 'proxy', at, at);
        return changed(at, 'proxy', 'user.add', u.login, { name: u.name, role: u.role });
      }
      if (prev.origin !== 'proxy' || prev.revoked_at !== null) return;
      if (prev.name === u.name && prev.role === u.role) return;
      s.update.run(u.name, u.role, at, u.login);
      changed(at, 'proxy', 'user.update', u.login, { name: u.name, role: u.role });
    }),
    revokeUser: db.transaction((login: string, at: number, by: ChangedBy) => {
      must(login);
      const usable = s.revokeTokensOf.run(at, login, at).changes;
      s.revokeAllTokensOf.run(at, login);
      s.revokeUser.run(at, at, login);
      changed(at, by, 'user.revoke', login, { tokens: usable });
      return { tokens: usable };
    }),
    addToken: db.transaction(
      (t: { id: string; login: string; hash: string; expiresAt: number | null }, at: number, by: ChangedBy) => {
        const u = must(t.login);
        if (u.revoked_at !== null)
          throw new UserStoreError('revoked', `"${t.login}" is revoked; add them again to reinstate them`);
        s.insertToken.run(t.id, t.login, t.hash, at, t.expiresAt);
        changed(at, by, 'token.add', t.login, { token: t.id, expiresAt: t.expiresAt });
        return toToken(s.token.get(t.id) as TokenRow);
      },
    ),
    revokeToken: db.transaction((login: string, id: string, at: number, by: ChangedBy) => {
      const r = s.token.get(id) as TokenRow | undefined;
      if (!r || r.login !== login) throw new UserStoreError('not_found', `"${login}" has no token ${id}`);
      if (s.revokeToken.run(at, id).changes) changed(at, by, 'token.revoke', login, { token: id });
      return toToken(s.token.get(id) as TokenRow);
    }),
    tokenSecret(id) {
      const r = s.token.get(id) as TokenRow | undefined;
      return r ? { id: r.id, login: r.login, hash: r.hash, expiresAt: r.expires_at, revokedAt: r.revoked_at } : null;
    },
    touchToken: (id, at) => void s.touch.run(at, id),
    close,
  } satisfies UserStore & { tokenSecret(id: string): TokenSecret | null };
}

/** Opens the people of the gateway.db at `file` on a connection of their own (the file is created and migrated when new). */
export function openUserStore(file: string): UserStore {
  const db = openDatabase(file, { migrations: gatewayMigrations });
  return createUserStore(db, () => db.close());
}
