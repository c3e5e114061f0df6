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
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { CLOSE_GOING_AWAY, HARD_FRAME_BYTES, MAX_FRAME_BYTES, PROTOCOL } from '@shared/protocol';
import { systemClock, type Clock } from '@node/clock';
import { guardServer, guardSocket } from '@node/http-guard';
import { createLogger, type Logger } from '@node/log';
import { createActionHandler } from './actions';
import { startHeartbeat } from './heartbeat';
import { createRoutes } from './http';
import { createHub } from './hub';
import { createIntake } from './intake';
import { createActionPolicy, type ActionLimits } from './policy';
import { createGatewayMetrics, type GatewayMetrics } from './metrics';
import { createSessions } from './session';
import { createSnapshotLimit, type SnapshotLimitOptions } from './snapshot-limit';
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
  /** what the gateway refuses of well-formed actions: the longest silence/ack (default 30 days) */
  limits?: Partial<ActionLimits>;
  /** how often one client may take a full snapshot (default 4 at once, then one per 30 s) */
  snapshotLimit?: Omit<SnapshotLimitOptions, 'clock'>;
}

export interface Gateway {
  url: string;
  port: number;
  serverId: string;
  store: GatewayStore;
  metrics: GatewayMetrics;
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
  const policy = createActionPolicy(o.limits);
  const actions = createActionHandler({ store, source: o.source, clock, log, metrics, policy, logged: intake.logged });
  const snapshotLimit = createSnapshotLimit({ clock, ...o.snapshotLimit });
  const sessions = createSessions({ store, clock, log, metrics, stream, hub, actions, maxFrameBytes, snapshotLimit });

  let closing = false;
  const server = http.createServer(
    createRoutes({
      store,
      source: o.source,
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
  // no request, malformed or cut off, and no peer that vanishes mid-write ends the process
  guardServer(server, log, 'gateway');
  wss.on('error', (err) => log.log('error', 'gateway.ws_server_error', { err: String(err) }));
  const upgrade = createUpgradeHandler({
    token: o.token,
    metrics,
    log,
    closing: () => closing,
    accept: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => sessions.serve(ws)),
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    guardSocket(socket, log, 'gateway');
    upgrade(req, socket, head);
  });

  const inDoubt = store.unfinishedActions();
  if (inDoubt > 0) log.log('warn', 'gateway.actions_in_doubt', { count: inDoubt });
  await o.source.start({
    emit: (events) => intake.append(events),
    health: hub.setHealth,
    now: () => clock.now(),
    known: () => ({
      alerts: store.current('alert').map((e) => e.data),
      silences: store.current('silence').map((e) => e.data),
    }),
    ackLedger: store,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
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
    emit: (events) => intake.append(events),
    connections: () => hub.conns.size,
    async close() {
      if (closing) return;
      closing = true;
      heartbeat.stop();
      for (const c of hub.conns) c.ws.close(CLOSE_GOING_AWAY, 'gateway shutting down');
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
      await o.source.stop().catch(() => undefined);
      await stopServing();
      store.close();
    },
  };
}
