/**
 * One gateway replica among several on the same PostgreSQL database (issue #17): who leads the source,
 * and how the others hear of new events. Leadership, not consensus:
 * - every `tickMs` a replica that does not lead tries `pg_try_advisory_lock` on the source's key, on its own
 *   connection (not the store's). The one that gets it leads: it starts the source (polling, writing the
 *   events, extending acks) and keeps the lock for as long as its connection lives. When the leader dies its
 *   session ends, PostgreSQL releases the lock, and another replica takes it at its next tick;
 * - the leader records itself and its upstream health in `leaders`, so the replicas that follow can say
 *   who leads and report the same health to their consoles;
 * - followers LISTEN on the events channel (every append notifies it with the new head) and pump their
 *   consoles; each tick also compares the head, in case a notification was lost with a connection;
 * - a follower that changed something upstream (an action) or got a webhook asks the leader to poll, with a
 *   notification on the refresh channel;
 * - a follower that wrote page messages (a person's `e` on a console connected to it) asks the leader to send
 *   them, with a notification on the paging channel (the leader runs the outbox).
 * A leader whose lock connection fails has lost its lock (another replica may already lead): it reports it
 * with `lost`, and the process stops (a supervisor starts it again, clean, as a follower).
 */
import pg from 'pg';
import type { Clock, TimerHandle } from '@node/clock';
import type { Logger } from '@node/log';
import type { PgConnectionConfig } from '@node/pg-sync';
import type { SourceHealth } from '../source';
import { EVENTS_CHANNEL } from './event-log';
import { LOCKS } from './locks';

export const REFRESH_CHANNEL = 'vigil_refresh';
export const PAGING_CHANNEL = 'vigil_paging';

export interface LeaderInfo {
  replica: string;
  since: number;
  health: SourceHealth | null;
  /** the leader's last heartbeat */
  updatedAt: number;
}

export interface ReplicaOptions {
  connection: PgConnectionConfig;
  /** the leadership key: the source and its clusters (replicas leading the same upstreams share it) */
  key: string;
  /** this replica's name, shown in /healthz and the leaders table */
  replica: string;
  clock: Clock;
  log: Logger;
  /** how often a follower tries the lock and the leader renews its heartbeat (default 1000 ms) */
  tickMs?: number;
  /** this replica now leads: start the source */
  lead(): Promise<void>;
  /** this replica led and its lock connection failed */
  lost(reason: string): void;
  /** the head may have moved (a notification, with the head its commit made, or a tick): pump the consoles */
  eventsMayHaveMoved(announcedHead?: number): void;
  /** as a follower: the leader as recorded (null when none) */
  follow(leader: LeaderInfo | null): void;
  /** as the leader: a follower asks for a poll (cluster name, or '' for all) */
  refresh(cluster: string): void;
  /** as the leader: a follower wrote page messages to send */
  deliver?(): void;
}

export interface Replica {
  leading(): boolean;
  /** the leader as last seen (this replica when it leads) */
  leader(): LeaderInfo | null;
  /** the leader records its upstream health for the followers */
  publishHealth(h: SourceHealth): void;
  /** a follower asks the leader to poll */
  requestRefresh(cluster?: string): void;
  /** a follower asks the leader to send the page messages it wrote */
  requestDelivery(): void;
  stop(): Promise<void>;
}

/** the head an events notification carries (event-log.ts notifies it), when it is one */
const announcedHead = (payload: string | undefined): number | undefined => {
  const n = Number(payload);
  return payload && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

export function startReplica(o: ReplicaOptions): Replica {
  const tickMs = o.tickMs ?? 1000;
  let client: pg.Client | null = null;
  let leading = false;
  let leader: LeaderInfo | null = null;
  let stopped = false;
  let timer: TimerHandle | null = null;
  let busy = false;

  const drop = (c: pg.Client, why: string) => {
    if (client !== c) return;
    client = null;
    void c.end().catch(() => undefined);
    if (leading) {
      leading = false;
      o.log.log('error', 'gateway.leadership_lost', { key: o.key, replica: o.replica, reason: why });
      o.lost(why);
    }
  };

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({
      connectionString: o.connection.connectionString,
      password: o.connection.password,
      application_name: `${o.connection.applicationName ?? 'vigil-gateway'} (leadership)`,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
      connectionTimeoutMillis: 10_000,
    });
    c.on('error', (err) => drop(c, String(err)));
    c.on('end', () => drop(c, 'connection closed'));
    c.on('notification', (n) => {
      if (n.channel === EVENTS_CHANNEL) o.eventsMayHaveMoved(announcedHead(n.payload));
      else if (n.channel === REFRESH_CHANNEL && leading) o.refresh(n.payload ?? '');
      else if (n.channel === PAGING_CHANNEL && leading && n.payload === o.key) o.deliver?.();
    });
    await c.connect();
    await c.query(`LISTEN ${EVENTS_CHANNEL}`);
    await c.query(`LISTEN ${REFRESH_CHANNEL}`);
    await c.query(`LISTEN ${PAGING_CHANNEL}`);
    client = c;
    return c;
  }

  async function tryLead(c: pg.Client) {
    const r = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCKS.leaderSql}) AS ok`, [o.key]);
    if (!r.rows[0].ok) return false;
    const now = o.clock.now();
    await c.query(
      `INSERT INTO leaders (source, replica, since, health, updated_at) VALUES ($1, $2, $3, NULL, $3)
       ON CONFLICT (source) DO UPDATE SET replica = excluded.replica, since = excluded.since, health = NULL, updated_at = excluded.updated_at`,
      [o.key, o.replica, now],
    );
    leading = true;
    leader = { replica: o.replica, since: now, health: null, updatedAt: now };
    o.log.log('info', 'gateway.leading', { key: o.key, replica: o.replica });
    await o.lead();
    return true;
  }

  async function readLeader(c: pg.Client) {
    const r = await c.query<{ replica: string; since: string; health: string | null; updated_at: string }>(
      'SELECT replica, since, health, updated_at FROM leaders WHERE source = $1',
      [o.key],
    );
    // without the lock held by anybody, the row is only history
    const held = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $2 AND objid = hashtext($1)::oid AND objsubid = 2`,
      [o.key, LOCKS.leaderClass],
    );
    const row = r.rows[0];
    leader =
      row && Number(held.rows[0].n) > 0
        ? { replica: row.replica, since: Number(row.since), health: row.health ? (JSON.parse(row.health) as SourceHealth) : null, updatedAt: Number(row.updated_at) }
        : null;
    o.follow(leader);
  }

  async function tick() {
    if (stopped || busy) return;
    busy = true;
    const c = client;
    try {
      const conn = c ?? (await connect());
      if (leading) await conn.query('UPDATE leaders SET updated_at = $3 WHERE source = $1 AND replica = $2', [o.key, o.replica, o.clock.now()]);
      else if (!(await tryLead(conn))) await readLeader(conn);
      o.eventsMayHaveMoved();
    } catch (err) {
      if (c && client === c) drop(c, String(err));
      else o.log.log('warn', 'gateway.replica_connect_failed', { key: o.key, err: String(err) });
      if (!leading) o.follow(null);
    } finally {
      busy = false;
      if (!stopped) timer = o.clock.setTimeout(() => void tick(), tickMs);
    }
  }

  void tick();

  return {
    leading: () => leading,
    leader: () => leader,
    publishHealth(h) {
      if (!leading || !client) return;
      if (leader) leader.health = h;
      void client
        .query('UPDATE leaders SET health = $3 WHERE source = $1 AND replica = $2', [o.key, o.replica, JSON.stringify(h)])
        .catch(() => undefined);
    },
    requestRefresh(cluster = '') {
      if (leading || !client) return;
      void client.query('SELECT pg_notify($1, $2)', [REFRESH_CHANNEL, cluster]).catch(() => undefined);
    },
    requestDelivery() {
      if (leading || !client) return;
      void client.query('SELECT pg_notify($1, $2)', [PAGING_CHANNEL, o.key]).catch(() => undefined);
    },
    async stop() {
      stopped = true;
      o.clock.clearTimeout(timer);
      const c = client;
      client = null;
      leading = false;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
