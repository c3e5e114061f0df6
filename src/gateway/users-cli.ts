/**
 * `npm run gateway -- users …`: the gateway's people and their personal access tokens, on the same data
 * dir as a running gateway (it notices within a second: revoked tokens' sockets close at once).
 *
 *   users add LOGIN --name "张三" --role viewer|responder|admin [--expires 90d] [--data-dir DIR]
 *   users token LOGIN [--expires 90d] [--data-dir DIR]          another token for LOGIN
 *   users list [--data-dir DIR]
 *   users set LOGIN [--name N] [--role R] [--data-dir DIR]
 *   users revoke LOGIN [--token ID] [--data-dir DIR]            every token (and the person), or one token
 *
 * `add` and `token` print the new token once, as the last line: "token: <TOKEN>". Only its scrypt hash is
 * stored; a lost token cannot be shown again (issue another and revoke the old one).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DisplayNameSchema, LoginSchema, RoleSchema, type Role } from '@shared/identity';
import { systemClock, type Clock } from '@node/clock';
import { openPgUserStore } from './postgres/users';
import { openUserStore } from './sqlite/users';
import { parseStore } from './store-config';
import { mintToken, parseExpiry } from './tokens';
import { UserStoreError, type TokenRecord, type UserStore } from './users';

export const USERS_USAGE = `Usage: npm run gateway -- users <command> [--data-dir DIR | --store postgres://USER@HOST:PORT/DB [--store-password-file F]]
  users add LOGIN --name NAME --role viewer|responder|admin [--expires 90d|12h|2w|never]
  users token LOGIN [--expires …]       issue another token for LOGIN
  users list
  users set LOGIN [--name NAME] [--role ROLE]
  users revoke LOGIN [--token ID]       revoke LOGIN and all their tokens, or only token ID
  The new token is printed once, as the last line "token: <TOKEN>".`;

export interface UsersCliIo {
  out(line: string): void;
  clock?: Pick<Clock, 'now'>;
  /** who runs the command, for the audit rows (default: the OS user) */
  by?: string;
}

const fail = (message: string): never => {
  throw new Error(message);
};

function login(v: string | undefined): string {
  if (!v) fail('a LOGIN is required');
  const r = LoginSchema.safeParse(v);
  return r.success ? r.data : fail(`"${v}" is not a login: ${r.error.issues[0].message}`);
}
function displayName(v: string | undefined): string {
  const r = DisplayNameSchema.safeParse(v ?? '');
  return r.success ? r.data : fail(`--name must be 1–64 characters without control characters, got "${v ?? ''}"`);
}
function role(v: string | undefined): Role {
  const r = RoleSchema.safeParse(v);
  return r.success ? r.data : fail(`--role must be viewer, responder or admin, got "${v ?? ''}"`);
}

const when = (ms: number | null, never = 'never') =>
  ms === null ? never : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function tokenState(t: TokenRecord, now: number): string {
  if (t.revokedAt !== null) return `revoked ${when(t.revokedAt)}`;
  if (t.expiresAt !== null && t.expiresAt <= now) return `expired ${when(t.expiresAt)}`;
  return `expires ${when(t.expiresAt)}`;
}

function list(users: UserStore, out: (l: string) => void, now: number) {
  const people = users.users();
  if (!people.length) return out('No people yet. Add one: users add LOGIN --name NAME --role responder');
  for (const u of people) {
    const state = u.revokedAt === null ? '' : `  REVOKED ${when(u.revokedAt)}`;
    out(`${u.login}  ${u.name}  ${u.role}  (${u.origin}, added ${when(u.createdAt)})${state}`);
    for (const t of users.tokens(u.login))
      out(
        `    token ${t.id}  created ${when(t.createdAt)}  last used ${when(t.lastUsedAt, 'never')}  ${tokenState(t, now)}`,
      );
  }
}

async function issue(
  users: UserStore,
  who: string,
  expires: string | undefined,
  now: number,
  by: string,
  out: (l: string) => void,
) {
  const expiresAt = parseExpiry(expires ?? 'never', now);
  const t = await mintToken();
  users.addToken({ id: t.id, login: who, hash: t.hash, expiresAt }, now, by);
  out(`Token ${t.id} for ${who}, ${expiresAt === null ? 'no expiry' : `expires ${when(expiresAt)} UTC`}.`);
  out('Give it to them over a private channel; it is shown only this once.');
  out(`token: ${t.token}`);
}

/** Runs one `users` command; throws an Error whose message says what to fix. */
export async function runUsers(argv: string[], io: UsersCliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      store: { type: 'string' },
      'store-password-file': { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [command, who, ...rest] = positionals;
  if (values.help || !command) return io.out(USERS_USAGE);
  if (rest.length) fail(`unexpected arguments: ${rest.join(' ')}`);
  const now = (io.clock ?? systemClock).now();
  const by = io.by ?? `cli:${os.userInfo().username}`;
  const dataDir = path.resolve(values['data-dir'] ?? 'vigil-gateway-data');
  // replicas on PostgreSQL keep their people there: the same --store as the gateway's
  const store = parseStore(values.store, values['store-password-file'], undefined, process.env);
  const users = store
    ? openPgUserStore({ connectionString: store.url, password: store.password, applicationName: 'vigil-gateway users' })
    : openUserStore(path.join(dataDir, 'gateway.db'));
  try {
    switch (command) {
      case 'list':
        return list(users, io.out, now);
      case 'add': {
        const u = {
          login: login(who),
          name: displayName(values.name),
          role: role(values.role),
          origin: 'cli' as const,
        };
        const expires = values.expires;
        if (expires !== undefined) parseExpiry(expires, now); // refuse a bad --expires before anything is stored
        const { reinstated } = users.addUser(u, now, by);
        io.out(`${reinstated ? 'Reinstated' : 'Added'} ${u.login} (${u.name}, ${u.role}) in ${dataDir}.`);
        return await issue(users, u.login, expires, now, by, io.out);
      }
      case 'token':
        return await issue(users, login(who), values.expires, now, by, io.out);
      case 'set': {
        if (values.name === undefined && values.role === undefined) fail('set needs --name or --role');
        const u = users.updateUser(
          login(who),
          {
            ...(values.name !== undefined ? { name: displayName(values.name) } : {}),
            ...(values.role !== undefined ? { role: role(values.role) } : {}),
          },
          now,
          by,
        );
        return io.out(`${u.login} is now ${u.name}, ${u.role}.`);
      }
      case 'revoke': {
        if (values.token !== undefined) {
          users.revokeToken(login(who), values.token, now, by);
          return io.out(`Token ${values.token} of ${who} revoked; a gateway on this data dir closes its connections.`);
        }
        const r = users.revokeUser(login(who), now, by);
        return io.out(
          `${who} revoked (${r.tokens} usable token(s)); a gateway on this data dir closes their connections.`,
        );
      }
      default:
        fail(`unknown users command "${command}"\n${USERS_USAGE}`);
    }
  } catch (err) {
    if (err instanceof UserStoreError) fail(err.message);
    throw err;
  } finally {
    users.close();
  }
}
