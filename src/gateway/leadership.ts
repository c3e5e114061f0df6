/**
 * Who runs the source. A gateway on SQLite is alone and leads its source from the start. A replica on
 * PostgreSQL (`replication` given) leads only while it holds the source's advisory lock (postgres/replicas.ts):
 * it then starts the source, and publishes its health for the others; while it follows, the source is not
 * started (no polling, no writing, no ack extension), its consoles are pumped when the shared log moves, the
 * health they see is the leader's, and after an action or a webhook it asks the leader to poll.
 * What else runs only where the source runs (the escalation runner and the outbox) follows `leading`.
 */
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { PgConnectionConfig } from '@node/pg-sync';
import type { Hub } from './hub';
import { startReplica, type LeaderInfo, type Replica } from './postgres/replicas';
import type { Source, SourceContext, SourceHealth } from './source';

export interface ReplicationOptions {
  connection: PgConnectionConfig;
  /** this replica's name (default: host and pid) */
  replica: string;
  /** the leadership key: replicas with the same key take turns leading (the source and its clusters) */
  key: string;
  /** how often a follower tries the lock (default 1000 ms) */
  tickMs?: number;
  /** the leader lost its lock connection; the default logs it, the CLI exits so a supervisor restarts it */
  lost?(reason: string): void;
}

export interface LeadershipInfo {
  /** this replica's name (null for a gateway that is alone) */
  replica: string | null;
  /** what this replica leads now: the clusters (or the source's name); empty while it follows */
  leads: string[];
  /** the replica that leads, as last seen */
  leader: string | null;
}

export interface Leadership {
  info(): LeadershipInfo;
  /** after an upstream action: on a follower, the leader is asked to poll */
  changedUpstream(cluster?: string): void;
  /** after page messages were written: on a follower, the leader is asked to send them */
  requestDelivery(): void;
  stop(): Promise<void>;
}

export interface LeadershipDeps {
  source: Source;
  /** the source's context; its health goes to the hub (and, when leading, to the followers) */
  ctx: Omit<SourceContext, 'health'>;
  hub: Pick<Hub, 'setHealth' | 'pumpAll'>;
  /** what a leader leads (cluster names, or the source's name) */
  leads: string[];
  clock: Clock;
  log: Logger;
  /** the log may have grown (another replica wrote): pump when the head moved (`announcedHead`: as notified) */
  logMayHaveMoved(announcedHead?: number): void;
  /** this replica now runs the source (true, once it started), or lost it (false) */
  leading?(on: boolean): void;
  /** as the leader: a follower wrote page messages to send */
  deliver?(): void;
}

const NO_LEADER: SourceHealth = {
  upstream: 'degraded',
  detail: 'no gateway replica leads this source right now; another one takes over within seconds',
};

export async function startLeadership(d: LeadershipDeps, replication?: ReplicationOptions): Promise<Leadership> {
  if (!replication) {
    await d.source.start({ ...d.ctx, health: d.hub.setHealth });
    d.leading?.(true);
    return {
      info: () => ({ replica: null, leads: d.leads, leader: null }),
      changedUpstream: () => undefined,
      requestDelivery: () => undefined,
      stop: async () => undefined,
    };
  }
  let replica: Replica | null = null;
  const follow = (leader: LeaderInfo | null) =>
    d.hub.setHealth(leader ? (leader.health ?? { upstream: 'ok', detail: null }) : NO_LEADER);
  replica = startReplica({
    connection: replication.connection,
    key: replication.key,
    replica: replication.replica,
    clock: d.clock,
    log: d.log,
    tickMs: replication.tickMs,
    lead: () => {
      // as a gateway alone starts: healthy until the source says otherwise (not the "no leader" of a follower)
      d.hub.setHealth({ upstream: 'ok', detail: null });
      return d.source
        .start({
          ...d.ctx,
          health: (h) => {
            d.hub.setHealth(h);
            replica?.publishHealth(h);
          },
        })
        .then(() => d.leading?.(true));
    },
    lost: (reason) => {
      d.leading?.(false);
      void d.source.stop().catch(() => undefined);
      d.hub.setHealth(NO_LEADER);
      replication.lost?.(reason);
    },
    eventsMayHaveMoved: d.logMayHaveMoved,
    follow,
    refresh: (cluster) => void d.source.refresh?.(cluster || undefined),
    deliver: () => d.deliver?.(),
  });
  return {
    info: () => ({
      replica: replication.replica,
      leads: replica?.leading() ? d.leads : [],
      leader: replica?.leader()?.replica ?? null,
    }),
    changedUpstream: (cluster) => replica?.requestRefresh(cluster),
    requestDelivery: () => replica?.requestDelivery(),
    stop: async () => {
      await replica?.stop();
    },
  };
}

/**
 * The source as the action handler and the webhook route use it: after an action, or an accepted webhook,
 * `changed` is told (on a follower it asks the leader to poll, so the change reaches the log soon).
 */
export function tellingUpstreamChanges(source: Source, changed: (cluster?: string) => void): Pick<Source, 'name' | 'apply' | 'webhook'> {
  return {
    name: source.name,
    apply: async (a, opts) => {
      const r = await source.apply(a, opts);
      changed();
      return r;
    },
    webhook: source.webhook
      ? async (body, cluster) => {
          const r = await source.webhook!(body, cluster);
          if (r.ok) changed(cluster);
          return r;
        }
      : undefined,
  };
}
