/**
 * Who has a console connected to which replica, so the replica that pages (the leader) can tell "delivered
 * to 张三's console" from "not connected" when 张三's console is on another replica. A page reaches the
 * person's console through the shared event log whichever replica it is connected to (`page.update`, fanned
 * out with LISTEN/NOTIFY); what needs sharing is only the answer to "is anybody connected as this login".
 *
 * Each replica keeps one row of `meta` (key `presence/<replica>`, value `{"at": ms, "logins": [...]}`): it
 * looks at its connections every `everyMs` and writes the row when the set changed, and at least every
 * `refreshMs`. A row older than `staleMs` is a dead replica's and counts for nothing (its consoles fail over
 * to another replica within seconds, which then publishes them). A graceful stop removes the row.
 */
import type { Clock, TimerHandle } from '@node/clock';
import type { Logger } from '@node/log';
import type { PgSync } from '@node/pg-sync';

export interface PresenceOptions {
  db: PgSync;
  replica: string;
  clock: Clock;
  log: Logger;
  /** the logins of the consoles connected to this replica now */
  logins(): Iterable<string>;
  everyMs?: number;
  refreshMs?: number;
  staleMs?: number;
}

export interface Presence {
  /** whether a console signed in as `login` is connected to another live replica */
  elsewhere(login: string): boolean;
  stop(): void;
}

const KEY_PREFIX = 'presence/';

export function startPresence(o: PresenceOptions): Presence {
  const everyMs = o.everyMs ?? 1000;
  const refreshMs = o.refreshMs ?? 10_000;
  const staleMs = o.staleMs ?? 30_000;
  const key = `${KEY_PREFIX}${o.replica}`;
  let last = '';
  let lastAt = -Infinity;
  let timer: TimerHandle | null = null;
  let stopped = false;

  function publish() {
    const logins = JSON.stringify([...new Set(o.logins())].sort());
    const now = o.clock.now();
    if (logins === last && now - lastAt < refreshMs) return;
    o.db.query(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, `{"at":${now},"logins":${logins}}`],
    );
    last = logins;
    lastAt = now;
  }

  function tick() {
    if (stopped) return;
    try {
      publish();
    } catch (err) {
      o.log.log('warn', 'gateway.presence_failed', { err: String(err) });
    }
    timer = o.clock.setTimeout(tick, everyMs);
  }
  tick();

  return {
    elsewhere(login) {
      try {
        return (
          o.db.query(
            `SELECT 1 FROM meta WHERE key LIKE 'presence/%' AND key <> $1
               AND (value::jsonb ->> 'at')::bigint > $2 AND value::jsonb -> 'logins' ? $3 LIMIT 1`,
            [key, o.clock.now() - staleMs, login],
          ).rowCount > 0
        );
      } catch (err) {
        o.log.log('warn', 'gateway.presence_failed', { err: String(err) });
        return false;
      }
    },
    stop() {
      stopped = true;
      o.clock.clearTimeout(timer);
      try {
        o.db.query('DELETE FROM meta WHERE key = $1', [key]);
      } catch {
        // the database is gone: the row goes stale
      }
    },
  };
}
