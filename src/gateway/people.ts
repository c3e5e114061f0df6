/**
 * Keeping open connections true to the people store. The `users` command changes people and tokens from
 * another process, so the gateway polls the store's revision (one indexed row, every `everyMs`): when it
 * moves, every open connection's credential is checked again — a revoked token or person gets a fatal
 * `credential_revoked` error and close 4001 at once; a changed name or role gets an `identity` frame — and
 * every person is offered to the log as `person.upsert` (unchanged ones add nothing), so consoles can pick
 * them for incident roles. A token that expires while its socket is open is closed the same way, with
 * `credential_expired`.
 */
import { recordName, type Identity } from '@shared/identity';
import { CLOSE_AUTH_FAILED, ERROR_CODES } from '@shared/protocol';
import type { Clock, TimerHandle } from '@node/clock';
import type { Logger } from '@node/log';
import type { AuthRefusal, Authenticator } from './auth';
import { isOpen, send, sendError, type Conn } from './conn';
import type { OfferedEvent } from './entities';
import type { UserStore } from './users';

export interface PeopleWatch {
  /** checks now (also what each tick does) */
  check(): void;
  stop(): void;
}

/** Closes a connection whose credential no longer holds: a fatal error frame saying why, then close 4001. */
export function withdraw(c: Conn, log: Logger, refusal: AuthRefusal, message: string): void {
  if (!isOpen(c)) return;
  const code = refusal === 'expired' ? ERROR_CODES.credentialExpired : ERROR_CODES.credentialRevoked;
  log.log('warn', 'gateway.credential_withdrawn', { login: c.who.identity.login, code, message });
  sendError(c, { code, message }, true);
  c.ws.close(CLOSE_AUTH_FAILED, message.slice(0, 120));
}

const sameIdentity = (a: Identity, b: Identity) => a.name === b.name && a.role === b.role && a.login === b.login;

export function watchPeople(o: {
  users: Pick<UserStore, 'revision' | 'users'>;
  auth: Pick<Authenticator, 'recheck'>;
  conns: () => Iterable<Conn>;
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  log: Logger;
  /** person events into the log */
  offer(events: OfferedEvent[]): void;
  everyMs: number;
}): PeopleWatch {
  let seen: number | null = null;
  let timer: TimerHandle | null = null;
  let stopped = false;

  function recheckAll() {
    for (const c of o.conns()) {
      const r = o.auth.recheck(c.who);
      if (!r.ok) {
        withdraw(c, o.log, r.refusal, r.message);
        continue;
      }
      if (sameIdentity(r.identity, c.who.identity)) continue;
      c.who.identity = r.identity;
      if (c.clientId) send(c, { type: 'identity', operator: recordName(r.identity), identity: r.identity });
    }
  }

  function expired() {
    const now = o.clock.now();
    for (const c of o.conns())
      if (c.who.expiresAt !== null && c.who.expiresAt <= now)
        withdraw(c, o.log, 'expired', `the token of ${c.who.identity.login} expired`);
  }

  function check() {
    const rev = o.users.revision();
    if (rev !== seen) {
      const first = seen === null;
      seen = rev;
      if (!first) recheckAll();
      o.offer(
        o.users.users().map((u) => ({
          kind: 'person.upsert',
          data: { login: u.login, name: u.name, role: u.role, active: u.revokedAt === null },
        })),
      );
    }
    expired();
  }

  const tick = () => {
    timer = o.clock.setTimeout(() => {
      if (stopped) return;
      try {
        check();
      } catch (err) {
        o.log.log('error', 'gateway.people_check_failed', { err: String(err) });
      }
      tick();
    }, o.everyMs);
  };
  check();
  tick();

  return {
    check,
    stop() {
      stopped = true;
      o.clock.clearTimeout(timer);
    },
  };
}
