/**
 * The gateway's people and their personal access tokens, as one interface (no SQL here). The SQLite
 * implementation is sqlite/users.ts; a PostgreSQL one (issue #17) implements the same contract, which
 * test/unit/gateway/user-store-contract.test.ts checks per implementation.
 *
 * A token is kept only as a slow hash (tokens.ts); this store never sees a token in clear. Every change
 * to people or tokens bumps `revision()` in the same transaction, also when another process made it (the
 * `users` command runs beside a live gateway on the same data dir): the gateway polls the revision and
 * re-checks its open connections when it moves. Every change also writes an audit row.
 */
import type { Role } from '@shared/identity';

/** How a person came to be known: `users add`, a first sign-in through the SSO proxy, or the embedded gateway. */
export type UserOrigin = 'cli' | 'proxy' | 'embedded';

export interface UserRecord {
  login: string;
  name: string;
  role: Role;
  origin: UserOrigin;
  createdAt: number;
  updatedAt: number;
  /** set by `users revoke`: every token refused, proxy sign-ins refused, kept for old records */
  revokedAt: number | null;
}

export interface TokenRecord {
  /** the public part of the token (also in the token itself): what `users list` shows and a revoke names */
  id: string;
  login: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** What verifying a presented token needs: the owner and the stored hash (never the token). */
export interface TokenSecret {
  id: string;
  login: string;
  hash: string;
  expiresAt: number | null;
  revokedAt: number | null;
}

/** Who made a change, for the audit row: e.g. "cli:root" or "proxy". */
export type ChangedBy = string;

/** A refusal the caller can show as is (unknown login, login taken, …). */
export class UserStoreError extends Error {
  constructor(
    readonly code: 'not_found' | 'exists' | 'revoked' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'UserStoreError';
  }
}

export interface UserStore {
  /** moves with every change to people or tokens (last use excepted), from any process on this store */
  revision(): number;
  user(login: string): UserRecord | null;
  /** every person, revoked ones included, by login */
  users(): UserRecord[];
  /** tokens (never their hashes), of one login or of all, oldest first */
  tokens(login?: string): TokenRecord[];
  /**
   * Adds a person; a revoked login is reinstated with the new name and role (its old tokens stay revoked).
   * An active login is refused (`exists`).
   */
  addUser(
    u: { login: string; name: string; role: Role; origin: UserOrigin },
    at: number,
    by: ChangedBy,
  ): {
    user: UserRecord;
    reinstated: boolean;
  };
  /** changes a person's name or role (`not_found` for an unknown login) */
  updateUser(login: string, patch: { name?: string; role?: Role }, at: number, by: ChangedBy): UserRecord;
  /**
   * A sign-in through the SSO proxy: a person not known yet is recorded (origin proxy) so consoles can pick
   * them for incident roles; a proxy person's name and role follow what the proxy says. Someone added by
   * `users add` keeps what the admin set. No change, no revision.
   */
  seenViaProxy(u: { login: string; name: string; role: Role }, at: number): void;
  /** revokes a person and every token they hold; returns how many tokens were still usable */
  revokeUser(login: string, at: number, by: ChangedBy): { tokens: number };
  /** stores a new token's hash for an active person */
  addToken(
    t: { id: string; login: string; hash: string; expiresAt: number | null },
    at: number,
    by: ChangedBy,
  ): TokenRecord;
  /** revokes one token of a person (`not_found` when that person has no such token) */
  revokeToken(login: string, id: string, at: number, by: ChangedBy): TokenRecord;
  tokenSecret(id: string): TokenSecret | null;
  /** notes a token's use (no revision: using a token changes nothing anyone must re-check) */
  touchToken(id: string, at: number): void;
  close(): void;
}
