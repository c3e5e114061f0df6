/**
 * The gateway server: HTTP (/healthz, /metrics, /webhook) and the protocol v1 WebSocket on one port.
 * It owns the event log, snapshots, idempotency and auth; the Source owns the upstream.
 *
 * startGateway is the composition root; each unit is built here from what it needs, in dependency order:
 *
 *   store (GatewayStore) ─┬─ stream   (stream.ts: events + snapshot pacing per connection)
 *                         ├─ hub      (hub.ts: the connections, upstream health → status frames)
 *                         ├─ intake   (intake.ts: source events → log → pump all)
 *                         ├─ actions  (actions.ts: idempotency, in-flight, process vs source actions)
 *                         └─ sessions (session.ts: frames of one socket: hello, ping, action)
 *   http routes (http.ts) · upgrade + auth (upgrade.ts) · heartbeat (heartbeat.ts)
 *
 * Flow per connection: upgrade (bearer token, constant-time; subprotocol vigil.v1) → hello → welcome →
 * snapshot chunks or the events after the client's cursor → live events.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { CLOSE_GOING_AWAY, HARD_FRAME_BYTES, MAX_FRAME_BYTES, PROTOCOL } from '@shared/protocol';
import { systemClock, type Clock } from '@node/clock';
import { createLogger, type Logger } from '@node/log';
import { createActionHandler } from './actions';
import { startHeartbeat } from './heartbeat';
import { createRoutes } from './http';
import { createHub } from './hub';
import { createIntake } from './intake';
import { startLeadership, type LeadershipInfo, type ReplicationOptions } from './leadership';
import { createGatewayMetrics, type GatewayMetrics } from './metrics';
import { createSessions } from './session';
import type { Source, SourceEvent } from './source';
import { openGatewayStore } from './sqlite/store';
import type { GatewayStore } from './store';
import { createStream } from './stream';
import { createUpgradeHandler } from './upgrade';

export interface GatewayOptions {
  source: Source;
  /** the bearer token clients present; registered with the logger as a secret */
  token: string;
  /** where the SQLite store lives (gateway.db); not needed when `store` is given */
  dataDir?: string;
  /** the store to serve from instead of gateway.db in dataDir; the gateway closes it when it stops */
  store?: GatewayStore;
  host?: string;
  port?: number;
  clock?: Clock;
  /** structured log lines (default: JSON on stderr, plugin "vigil-gateway") */
  log?: Logger;
  /** the /metrics registry (default: a new one labelled with the source's name); pass one to hook a source to it */
  metrics?: GatewayMetrics;
  heartbeatMs?: number;
  deadAfterMs?: number;
  /** most entities per snapshot chunk (also capped by MAX_FRAME_BYTES) */
  chunkItems?: number;
  /** events kept in gateway.db's log (not used with `store`); a client further behind gets a snapshot */
  retain?: number;
  maxFrameBytes?: number;
  /**
   * One replica of several on a PostgreSQL store (`store` is then the PostgreSQL one): the source runs only
   * while this replica leads it (leadership.ts). Without it the gateway is alone and runs its source.
   */
  replication?: ReplicationOptions;
  /** what this gateway's source leads in /healthz: its clusters (default: the source's name) */
  leads?: string[];
}

export interface Gateway {
  url: string;
  port: number;
  serverId: string;
  store: GatewayStore;
  metrics: GatewayMetrics;
  /** whether this replica leads its source now, and who does */
  leadership(): LeadershipInfo;
  /** source events appended directly (tests, and the demo source's in-process callers) */
  emit(events: SourceEvent[]): void;
  connections(): number;
  close(): Promise<void>;
  /** stops dead, as a killed process would: no close frames, nothing awaited (fault tests) */
  kill(): Promise<void>;
}

function openDefaultStore(o: GatewayOptions): GatewayStore {
  if (!o.dataDir) throw new Error('the gateway needs a dataDir for its database (or a store)');
  return openGatewayStore(path.join(o.dataDir, 'gateway.db'), { retain: o.retain });
}

export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? createLogger({ plugin: 'vigil-gateway', now: () => clock.now() });
  log.addSecret(o.token);
  const maxFrameBytes = o.maxFrameBytes ?? MAX_FRAME_BYTES;
  const store = o.store ?? openDefaultStore(o);
  const metrics = o.metrics ?? createGatewayMetrics(o.source.name);
  metrics.head.set(store.head());

  const stream = createStream({ store, metrics, chunkItems: o.chunkItems ?? 5000, maxFrameBytes });
  const hub = createHub({ metrics, log, stream });
  const intake = createIntake({ store, clock, metrics, log, hub });
  /** set once leadership runs: a follower asks the leader to poll after changing something upstream */
  let upstreamChanged: (cluster?: string) => void = () => undefined;
  const source: Pick<Source, 'name' | 'apply' | 'webhook'> = {
    name: o.source.name,
    apply: async (a, opts) => {
      const r = await o.source.apply(a, opts);
      upstreamChanged();
      return r;
    },
    webhook: o.source.webhook
      ? async (body, cluster) => {
          const r = await o.source.webhook!(body, cluster);
          if (r.ok) upstreamChanged(cluster);
          return r;
        }
      : undefined,
  };
  const actions = createActionHandler({ store, source, clock, log, metrics, logged: intake.logged });
  const sessions = createSessions({ store, clock, log, metrics, stream, hub, actions, maxFrameBytes });

  let closing = false;
  const server = http.createServer(
    createRoutes({
      store,
      source,
      leadership: () => leadership.info(),
      metrics,
      health: hub.health,
      connections: () => hub.conns.size,
      maxBodyBytes: maxFrameBytes,
    }),
  );
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  server.on(
    'upgrade',
    createUpgradeHandler({
      token: o.token,
      metrics,
      log,
      closing: () => closing,
      accept: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => sessions.serve(ws)),
    }),
  );

  const inDoubt = store.unfinishedActions();
  if (inDoubt > 0) log.log('warn', 'gateway.actions_in_doubt', { count: inDoubt });
  let lastHead = store.head();
  const leadership = await startLeadership(
    {
      source: o.source,
      ctx: {
        emit: (events) => intake.append(events),
        now: () => clock.now(),
        known: () => ({
          alerts: store.current('alert').map((e) => e.data),
          silences: store.current('silence').map((e) => e.data),
        }),
        ackLedger: store,
      },
      hub,
      leads: o.leads ?? [o.source.name],
      clock,
      log,
      logMayHaveMoved: () => {
        const head = store.head();
        if (head === lastHead) return;
        lastHead = head;
        metrics.head.set(head);
        hub.pumpAll();
      },
    },
    o.replication,
  );
  upstreamChanged = leadership.changedUpstream;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const heartbeat = startHeartbeat({
    clock,
    conns: () => hub.conns,
    everyMs: o.heartbeatMs ?? 15_000,
    deadAfterMs: o.deadAfterMs ?? 45_000,
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.log('info', 'gateway.listening', { url, source: o.source.name, serverId: store.serverId, head: store.head() });

  const stopServing = async () => {
    wss.close();
    await new Promise<void>((r) => server.close(() => r()));
  };

  return {
    url,
    port,
    serverId: store.serverId,
    store,
    metrics,
    leadership: () => leadership.info(),
    emit: (events) => intake.append(events),
    connections: () => hub.conns.size,
    async close() {
      if (closing) return;
      closing = true;
      heartbeat.stop();
      for (const c of hub.conns) c.ws.close(CLOSE_GOING_AWAY, 'gateway shutting down');
      await leadership.stop();
      await o.source.stop().catch((err) => log.log('warn', 'gateway.source_stop_failed', { err: String(err) }));
      await Promise.allSettled([...hub.conns].map((c) => c.chain));
      for (const c of hub.conns) c.ws.terminate();
      await stopServing();
      intake.stop();
      store.close();
    },
    async kill() {
      closing = true;
      intake.stop();
      heartbeat.stop();
      for (const c of hub.conns) c.ws.terminate();
      server.closeAllConnections();
      await leadership.stop();
      await o.source.stop().catch(() => undefined);
      await stopServing();
      store.close();
    },
  };
}
