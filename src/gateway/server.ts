/**
 * The gateway server: HTTP (/healthz, /metrics, /webhook) and the protocol v1 WebSocket on one port, over
 * TLS (https/wss) when given a certificate. It owns the event log, snapshots, idempotency and who is
 * signed in (auth.ts, people.ts); the Source owns the upstream.
 *
 * startGateway is the composition root; each unit is built here from what it needs, in dependency order:
 *
 *   store (GatewayStore) ─┬─ stream   (stream.ts: events + snapshot pacing per connection)
 *                         ├─ hub      (hub.ts: the connections, upstream health → status frames)
 *                         ├─ intake   (intake.ts: source events → log → pump all)
 *                         ├─ actions  (actions.ts: idempotency, in-flight, process vs source actions)
 *                         └─ sessions (session.ts: frames of one socket: hello, ping, action)
 *   users (UserStore) ── auth (auth.ts: personal tokens, SSO proxy headers, shared token)
 *                      └─ people (people.ts: revocations close open sockets; person.upsert events)
 *   paging (paging/: the escalation runner and the outbox deliverer, over PagingStore) ── pages from the
 *                      roster, logs page.update through intake, pages the next level on a person's `e`
 *   http routes (http.ts) · upgrade (upgrade.ts) · heartbeat (heartbeat.ts)
 *
 * Flow per connection: upgrade (subprotocol vigil.v1; the credential → the person) → hello → welcome (who
 * you are) → snapshot chunks or the events after the client's cursor → live events.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { CLOSE_GOING_AWAY, HARD_FRAME_BYTES, MAX_FRAME_BYTES, PROTOCOL } from '@shared/protocol';
import { systemClock, type Clock } from '@node/clock';
import { guardServer, guardSocket } from '@node/http-guard';
import { createLogger, type Logger } from '@node/log';
import { createActionHandler } from './actions';
import { createAuthenticator, type TrustedHeaderOptions } from './auth';
import { startHeartbeat } from './heartbeat';
import { createRoutes } from './http';
import { createHub, type Hub } from './hub';
import { createIntake, type Intake } from './intake';
import { startLeadership, tellingUpstreamChanges, type Leadership, type LeadershipInfo, type ReplicationOptions } from './leadership';
import { createActionPolicy, type ActionLimits } from './policy';
import { createGatewayMetrics, type GatewayMetrics } from './metrics';
import type { PagingOptions } from './paging';
import { wirePaging, type GatewayPaging } from './paging-wiring';
import { watchPeople } from './people';
import { createSessions } from './session';
import { createSnapshotLimit, type SnapshotLimitOptions } from './snapshot-limit';
import type { Source, SourceEvent } from './source';
import { pagingOffActions } from './paging/comms';
import { openGatewayStore } from './sqlite/store';
import { openUserStore } from './sqlite/users';
import type { GatewayStore } from './store';
import { createStream } from './stream';
import { createTail } from './tail';
import { createUpgradeHandler } from './upgrade';
import type { UserStore } from './users';

export interface GatewayOptions {
  source: Source;
  /**
   * the team's shared token (small-team mode: names unproven, recorded marked "(shared token)", role
   * responder); registered with the logger as a secret. Omitted: personal tokens (and the proxy) only.
   */
  token?: string | null;
  /** personal access tokens from `users` (default true; needs `users` or a dataDir) */
  personalTokens?: boolean;
  /** people behind an SSO proxy, from its X-Forwarded-* headers (`--auth trusted-header`) */
  trustedHeader?: TrustedHeaderOptions | null;
  /** serve https/wss with this certificate chain and key (PEM) */
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
  /** where the SQLite store lives (gateway.db); not needed when `store` is given */
  dataDir?: string;
  /** the store to serve from instead of gateway.db in dataDir; the gateway closes it when it stops */
  store?: GatewayStore;
  /** the people and their tokens (default: gateway.db in dataDir); the gateway closes it when it stops */
  users?: UserStore;
  /** how often the people store is polled for revocations and changes (default 1000 ms) */
  peoplePollMs?: number;
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
  /** newest events kept in memory with their frames for the caught-up connections (tail.ts; default 10 000) */
  tailEvents?: number;
  /** events kept in gateway.db's log (not used with `store`); a client further behind gets a snapshot */
  retain?: number;
  maxFrameBytes?: number;
  /** escalation and outbound pages from a roster (paging/); its store defaults to gateway.db in dataDir */
  paging?: PagingOptions | null;
  /** what the gateway refuses of well-formed actions: the longest silence/ack (default 30 days) */
  limits?: Partial<ActionLimits>;
  /** how often one client may take a full snapshot (default 4 at once, then one per 30 s) */
  snapshotLimit?: Omit<SnapshotLimitOptions, 'clock'>;
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
  /** the people and their tokens (null: shared token only) */
  users: UserStore | null;
  metrics: GatewayMetrics;
  /** the escalation runner and deliverer (null: no paging); they run while this gateway runs its source */
  paging: GatewayPaging | null;
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

/** the people store, when personal tokens or the proxy need one */
function openUsers(o: GatewayOptions): UserStore | null {
  if (o.users) return o.users;
  const wanted = o.personalTokens !== false || !!o.trustedHeader;
  if (!wanted || !o.dataDir) return null;
  return openUserStore(path.join(o.dataDir, 'gateway.db'));
}

function checkAuthOptions(o: GatewayOptions, users: UserStore | null): void {
  if (o.token !== undefined && o.token !== null && o.token.length < 8)
    throw new Error('the shared token must be at least 8 characters');
  if (!o.token && !users && !o.trustedHeader)
    throw new Error(
      'the gateway needs a way to know who connects: personal tokens (a dataDir), a shared token, or an SSO proxy',
    );
}

function listenOn(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** runs the source now (alone) or whenever this replica leads it; pumps consoles when another replica wrote */
function leadSource(
  o: GatewayOptions,
  d: {
    source: Source;
    emit: (events: SourceEvent[]) => void;
    store: GatewayStore;
    intake: Intake;
    hub: Hub;
    metrics: GatewayMetrics;
    clock: Clock;
    log: Logger;
    paging: GatewayPaging | null;
  },
): Promise<Leadership> {
  const { store, hub } = d;
  let lastHead = store.head();
  return startLeadership(
    {
      source: d.source,
      ctx: {
        emit: d.emit,
        now: () => d.clock.now(),
        known: () => ({
          alerts: store.current('alert').map((e) => e.data),
          silences: store.current('silence').map((e) => e.data),
        }),
        ackLedger: store,
      },
      hub,
      leads: o.leads ?? [o.source.name],
      clock: d.clock,
      log: d.log,
      logMayHaveMoved: (announcedHead) => {
        // a notification says the head its commit made: no round trip to read it (a wrong one costs one
        // tail read and one pump, and cannot hold back a later pump: only an equal head is skipped)
        const head = announcedHead ?? store.head();
        if (head === lastHead) return;
        lastHead = head;
        d.metrics.head.set(head);
        hub.pumpAll({ head });
      },
      // the ladders and the outbox run where the source runs
      leading: d.paging ? (on) => d.paging!.leading(on) : undefined,
      deliver: d.paging ? () => d.paging!.deliverer.kick() : undefined,
    },
    o.replication,
  );
}

/** the credential → the person, as the options say (checked first: a mode with nobody to sign in is refused) */
function authenticatorFor(o: GatewayOptions, users: ReturnType<typeof openUsers>, clock: Clock, log: Logger) {
  checkAuthOptions(o, users);
  return createAuthenticator({
    config: {
      personal: o.personalTokens !== false && !!users,
      sharedToken: o.token ?? null,
      trustedHeader: o.trustedHeader ?? null,
    },
    users,
    clock,
    log,
  });
}

export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? createLogger({ plugin: 'vigil-gateway', now: () => clock.now() });
  log.addSecret(o.token);
  const maxFrameBytes = o.maxFrameBytes ?? MAX_FRAME_BYTES;
  const store = o.store ?? openDefaultStore(o);
  const users = openUsers(o);
  const auth = authenticatorFor(o, users, clock, log);
  const metrics = o.metrics ?? createGatewayMetrics(o.source.name);
  metrics.head.set(store.head());

  const tail = createTail({ store, capacity: o.tailEvents });
  const stream = createStream({ store, metrics, chunkItems: o.chunkItems ?? 5000, maxFrameBytes, tail });
  const hub = createHub({ metrics, log, stream, tail });
  const intake = createIntake({ store, clock, metrics, log, hub });
  const { paging, source: paged, fromSource } = wirePaging(o, { store, users, clock, log, hub, intake });
  const policy = createActionPolicy(o.limits);
  /** a follower asks the leader to poll after changing something upstream (set once leadership runs) */
  let upstreamChanged: (cluster?: string) => void = () => undefined;
  const source = tellingUpstreamChanges(paged, (cluster) => upstreamChanged(cluster));
  const actions = createActionHandler({
    store,
    source,
    clock,
    log,
    metrics,
    policy,
    logged: intake.logged,
    knownNames: () => new Set(users?.users().map((u) => u.name) ?? []),
    local: paging?.local ?? pagingOffActions((events) => intake.append(events), clock),
  });
  const snapshotLimit = createSnapshotLimit({ clock, ...o.snapshotLimit });
  const sessions = createSessions({ store, clock, log, metrics, stream, hub, actions, auth, maxFrameBytes, snapshotLimit });

  let closing = false;
  const routes = createRoutes({
    store,
    source,
    leadership: () => leadership.info(),
    paging: () => (paging ? { runs: paging.running() ? leadership.info().leads : [] } : null),
    metrics,
    health: hub.health,
    connections: () => hub.conns.size,
    maxBodyBytes: maxFrameBytes,
  });
  const server = o.tls ? https.createServer({ cert: o.tls.cert, key: o.tls.key }, routes) : http.createServer(routes);
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
    auth,
    metrics,
    log,
    closing: () => closing,
    accept: (req, socket, head, who) => wss.handleUpgrade(req, socket, head, (ws) => sessions.serve(ws, who, socket)),
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    guardSocket(socket, log, 'gateway');
    upgrade(req, socket, head);
  });

  const inDoubt = store.unfinishedActions();
  if (inDoubt > 0) log.log('warn', 'gateway.actions_in_doubt', { count: inDoubt });
  const leadership = await leadSource(o, { source: paged, emit: fromSource, store, intake, hub, metrics, clock, log, paging });
  upstreamChanged = leadership.changedUpstream;
  paging?.setLeaderAsk(() => leadership.requestDelivery());

  await listenOn(server, o.port ?? 0, o.host ?? '127.0.0.1');
  const people = users
    ? watchPeople({
        users,
        auth,
        conns: () => hub.conns,
        clock,
        log,
        offer: (events) => intake.append(events),
        everyMs: o.peoplePollMs ?? 1000,
      })
    : null;
  const heartbeat = startHeartbeat({
    clock,
    conns: () => hub.conns,
    everyMs: o.heartbeatMs ?? 15_000,
    deadAfterMs: o.deadAfterMs ?? 45_000,
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  const url = `${o.tls ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.log('info', 'gateway.listening', {
    url,
    source: o.source.name,
    serverId: store.serverId,
    head: store.head(),
    credentials: [
      users && o.personalTokens !== false && 'personal',
      o.trustedHeader && 'proxy',
      o.token && 'shared',
    ].filter(Boolean),
  });
  const closeStores = () => {
    people?.stop();
    store.close();
    users?.close();
  };

  const stopServing = async () => {
    wss.close();
    await new Promise<void>((r) => server.close(() => r()));
  };

  return {
    url,
    port,
    serverId: store.serverId,
    store,
    users,
    metrics,
    paging,
    emit: fromSource,
    leadership: () => leadership.info(),
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
      await paging?.stop();
      await stopServing();
      intake.stop();
      closeStores();
    },
    async kill() {
      closing = true;
      paging?.halt();
      intake.stop();
      heartbeat.stop();
      for (const c of hub.conns) c.ws.terminate();
      server.closeAllConnections();
      await leadership.stop();
      await o.source.stop().catch(() => undefined);
      await stopServing();
      closeStores();
    },
  };
}
