/**
 * Who is signed in at this console (docs/deploy.md, "Signing in"). Only the platform can say: its welcome
 * names the person the credential proved, and that person is kept (link_meta 'session', per target: the
 * embedded gateway, or the platform URL) so an offline console still acts as them. A refused credential or a
 * sign-out leaves nobody signed in: new actions are refused, queued ones wait for their own person.
 *
 * `me()` is the person local records and queued actions are attributed to:
 * - a personal token or the SSO proxy: the proven login and display name;
 * - the shared token (or a gateway from before identity): the name typed in Settings, via 'shared', which
 *   every record marks "(shared token)";
 * - no platform at all: the typed name, via 'local';
 * - signing in (no welcome yet for this target) or signed out: nobody (null).
 */
import type { Identity } from '@shared/identity';
import type { Session, Settings, SignOutReason } from '@shared/domain';
import type { Logger } from '@node/log';
import type { DB } from '@node/sqlite';
import type { Me } from '../context';

interface Stored {
  key: string;
  identity: Identity;
}

export interface ConsoleSession {
  /** a welcome or identity frame on the current target said who the credential belongs to (null: a gateway before identity) */
  proven(identity: Identity | null): void;
  /** the platform refused the credential: signed out, for this reason */
  refused(reason: SignOutReason): void;
  /** the credential changed (a new token, sign-in elsewhere): who it proves is not known until the next welcome */
  forget(): void;
  me(): Me | null;
  state(): Omit<Session, 'heldActions' | 'name'>;
}

export function createConsoleSession(o: {
  db: DB;
  settings: () => Settings;
  log: Logger;
  /** the target the link connects to now: 'embedded', the platform URL, or null for none */
  key(): string | null;
  onChange(): void;
}): ConsoleSession {
  const read = o.db.prepare("SELECT value FROM link_meta WHERE key = 'session'");
  const write = o.db.prepare(
    "INSERT INTO link_meta (key, value) VALUES ('session', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  );
  const erase = o.db.prepare("DELETE FROM link_meta WHERE key = 'session'");
  /** signed out of a target, and why */
  let out: { key: string | null; reason: SignOutReason; identity: Identity | null } | null = null;
  const signedOut = () => (out && out.key === o.key() ? out : null);

  /** what link_meta holds, read once (this console is its only writer) */
  let kept: Stored | null | undefined;
  function stored(): Stored | null {
    if (kept !== undefined) return kept;
    const row = read.get() as { value: string } | undefined;
    try {
      kept = row ? (JSON.parse(row.value) as Stored) : null;
    } catch {
      kept = null;
    }
    return kept;
  }
  const current = (): Identity | null => {
    const s = stored();
    return s && s.key === o.key() ? s.identity : null;
  };

  return {
    proven(identity) {
      const key = o.key();
      if (!key) return;
      const id: Identity = identity ?? { login: null, name: o.settings().operator, role: 'responder', via: 'shared' };
      const before = current();
      kept = { key, identity: id };
      write.run(JSON.stringify(kept));
      out = null;
      if (JSON.stringify(before) !== JSON.stringify(id)) {
        o.log.log('info', 'link.signed_in', { login: id.login, role: id.role, via: id.via });
        o.onChange();
      }
    },
    refused(reason) {
      // signing out leaves no token: the reconnect's "no credential" is that same sign-out
      if (reason === 'missing' && signedOut()) return;
      const last = current() ?? signedOut()?.identity ?? null;
      erase.run();
      kept = null;
      out = { key: o.key(), reason, identity: last };
      o.log.log('warn', 'link.signed_out', { login: last?.login ?? null, reason });
      o.onChange();
    },
    forget() {
      erase.run();
      kept = null;
      out = null;
      o.onChange();
    },
    me() {
      if (o.key() === null) return { name: o.settings().operator, login: null, role: 'responder', via: 'local' };
      if (signedOut()) return null;
      const i = current();
      if (!i) return null;
      return i.via === 'shared' ? { ...i, name: o.settings().operator } : { ...i };
    },
    state() {
      if (o.key() === null) return { state: 'local', identity: null, reason: null };
      const gone = signedOut();
      if (gone) return { state: 'signed_out', identity: gone.identity, reason: gone.reason };
      const i = current();
      if (!i) return { state: 'signing_in', identity: null, reason: null };
      return {
        state: 'signed_in',
        identity: i.via === 'shared' ? { ...i, name: o.settings().operator } : i,
        reason: null,
      };
    },
  };
}
