/**
 * The sync client: one WebSocket to the platform, protocol v1. It authenticates, resumes from the stored
 * cursor (or takes a snapshot), stores events through the SyncStore, sends the outbox in order, heartbeats,
 * and reconnects with capped exponential backoff and full jitter. Every timer runs on the injected Clock.
 *
 * This file is the connection lifecycle (connect, heartbeat, lose, retry, reconnect, stop). The rest is
 * in its own units: what each frame does (frames.ts), the inbound stream of events and snapshots
 * (stream.ts, snapshot-stage.ts), sending actions (sender.ts), the view and counters (client-view.ts).
 *
 * A bad inbound frame is counted, logged (redacted) and dropped; it never closes the socket or touches the
 * store. A gap in seq is repaired on the same socket by saying hello again with the stored cursor.
 */
import type WebSocket from 'ws';
import type { Collection, SignOutReason } from '@shared/domain';
import type { Identity } from '@shared/identity';
import type { LinkStats, OutboxResult } from '@shared/contract/link';
import { CLOSE_AUTH_FAILED, CLOSE_TRY_LATER, decodeServerFrame, type ServerFrame } from '@shared/protocol';
import type { Clock, TimerHandle } from '@node/clock';
import type { Logger } from '@node/log';
import { frameText } from '@node/ws-frames';
import type { SyncStore } from './apply';
import { createBackoff } from './backoff';
import { createClientView, type ClientView, type ClientViewState } from './client-view';
import { clearConnTimers, newConn, sendFrame, type Conn } from './conn';
import { createFrameHandler } from './frames';
import type { Outbox } from './outbox';
import { createActionSender } from './sender';
import { classifySocketError, openPlatformSocket } from './socket';
import { createInboundStream } from './stream';

export type { ClientStatus, ClientView } from './client-view';

export interface Target {
  url: string;
  token: string | null;
  /** the CA file a wss:// platform is checked against (null: the system's CAs) */
  caFile?: string | null;
  /** an SSO proxy in front signs the console in: connect without a token */
  proxy?: boolean;
}

export interface ClientOptions {
  clock: Clock;
  log: Logger;
  sync: SyncStore;
  outbox: Outbox;
  clientId: string;
  operator(): string;
  /** where to connect now; null = no platform configured */
  resolveTarget(): Promise<Target | null>;
  /** several gateway replicas (target.ts): `failover` when one failed, `connected` when one said welcome */
  targets?: { failover(): boolean; connected(): void };
  /** something in the view changed */
  onChange(): void;
  /** a batch or snapshot was stored (after commit) */
  onStored(collections: Set<Collection>): void;
  /** an action was answered */
  onResult(r: OutboxResult): void;
  /** the platform said who the credential belongs to (null: a gateway from before identity) */
  onIdentity(identity: Identity | null): void;
  /** the platform refused the credential (or there is none): nobody is signed in */
  onRefused(reason: SignOutReason): void;
  heartbeatMs?: number;
  /** silence longer than this declares the link dead */
  deadAfterMs?: number;
  connectTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
  /** the most events stored in one transaction */
  batchMax?: number;
  /** storing platform data failed (disk full, read-only data folder): the link backs off longer */
  onStoreFailed?(err: unknown): void;
  /** a batch or snapshot was stored after a failure: the storage problem is over */
  onStoreOk?(): void;
  /** the backoff after a store failure (default 5 s doubling to 5 min, never less than half) */
  storeBackoffBaseMs?: number;
  storeBackoffCapMs?: number;
}

/** the pause before trying the next gateway replica after one failed (plus as much again in jitter) */
const FAILOVER_MS = 100;

/**
 * When to try again. The network backoff is reset by a welcome (or a reconnect asked for). After a network
 * failure the link moves at once (after a moment's jitter, so consoles do not all land together) to another
 * gateway replica that has not failed since the last welcome, else waits the capped backoff. A store failure
 * is not the network: a welcome proves nothing about the disk, so its own, longer backoff is reset only by a
 * successful store, and it never retries at once (each retry would fetch a full snapshot again; another
 * replica would not help). A gateway that said when to come back (rate_limited) is waited for at least that long.
 */
function createRetryPolicy(o: ClientOptions) {
  const backoff = createBackoff({ baseMs: o.backoffBaseMs ?? 500, capMs: o.backoffCapMs ?? 30_000, random: o.random });
  const storeBackoff = createBackoff({
    baseMs: o.storeBackoffBaseMs ?? 5_000,
    capMs: o.storeBackoffCapMs ?? 300_000,
    random: o.random,
    jitter: 'equal',
  });
  let storeFailing = false;
  let retryAfterMs = 0;
  return {
    welcomed() {
      backoff.reset();
      o.targets?.connected();
    },
    /** a reconnect asked for: the next failure starts the backoff afresh */
    reset: () => backoff.reset(),
    retryAfter: (ms: number) => void (retryAfterMs = ms),
    storeFailed(err: unknown) {
      o.log.log('error', 'link.store_failed', { err: String(err) });
      storeFailing = true;
      o.onStoreFailed?.(err);
    },
    /** a batch or snapshot was stored: passed on, and the end of a store failure said so */
    stored(collections: Set<Collection>) {
      if (storeFailing) {
        storeFailing = false;
        storeBackoff.reset();
        o.onStoreOk?.();
      }
      o.onStored(collections);
    },
    next(): number {
      const network = () =>
        o.targets?.failover() ? FAILOVER_MS + Math.floor((o.random ?? Math.random)() * FAILOVER_MS) : backoff.next();
      const delay = Math.max(storeFailing ? storeBackoff.next() : network(), retryAfterMs);
      retryAfterMs = 0;
      return delay;
    },
    attempts: () => backoff.attempts,
    storeFailing: () => storeFailing,
  };
}

type Why = { code: string; message: string; auth?: SignOutReason };

export function createSyncClient(o: ClientOptions) {
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const deadAfterMs = o.deadAfterMs ?? 45_000;
  const connectTimeoutMs = o.connectTimeoutMs ?? 10_000;
  const retries = createRetryPolicy(o);
  const state = createClientView(o.clock, o.onChange);
  const { view, stats } = state;

  let conn: Conn | null = null;
  let retry: TimerHandle | null = null;
  let stopped = true;
  let attempt = 0;

  const sendUnanswered = createActionSender(o.outbox, state.changed);
  const stream = createInboundStream({
    clock: o.clock,
    log: o.log,
    sync: o.sync,
    state,
    clientId: o.clientId,
    operator: o.operator,
    batchMax: o.batchMax ?? 5000,
    isCurrent: (c) => conn === c,
    onStored: (collections) => retries.stored(collections),
    storeFailed,
  });
  const onFrame = createFrameHandler({
    log: o.log,
    outbox: o.outbox,
    state,
    stream,
    welcomed: () => retries.welcomed(),
    retryAfter: (ms) => retries.retryAfter(ms),
    sendActions: (c) => sendUnanswered(conn === c ? c : null),
    onResult: o.onResult,
    onIdentity: o.onIdentity,
  });

  function lost(c: Conn, why: Why) {
    if (conn !== c) return;
    clearConnTimers(c, o.clock);
    conn = null;
    c.ws.terminate();
    view.snapshot = null;
    if (stopped) return;
    if (why.code === 'auth_failed') {
      // Retrying a refused token only hammers the platform; a new token or "reconnect" starts again.
      state.setStatus('auth_failed', why.message);
      o.onRefused(why.auth ?? 'wrong');
      return;
    }
    retryLater(why.message);
  }

  function retryLater(message: string) {
    state.setStatus('offline', message);
    const delay = retries.next();
    o.log.log('info', 'link.retry', { inMs: delay, attempt: retries.attempts(), storeFailing: retries.storeFailing(), why: message });
    retry = o.clock.setTimeout(() => {
      retry = null;
      void connect();
    }, delay);
  }

  /** A store failure (disk full, locked) must not kill the process: drop the socket, resume from the cursor later. */
  function storeFailed(c: Conn, err: unknown) {
    retries.storeFailed(err);
    lost(c, {
      code: 'error',
      message: `Storing platform data failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  }

  function beat(c: Conn) {
    c.timers.beat = o.clock.setTimeout(() => {
      if (conn !== c) return;
      if (o.clock.now() - c.lastHeard >= deadAfterMs)
        return lost(c, { code: 'dead', message: `No word from the platform for ${Math.round(deadAfterMs / 1000)} s.` });
      sendFrame(c, { type: 'ping', t: o.clock.now() });
      beat(c);
    }, heartbeatMs);
  }

  async function connect(): Promise<void> {
    const my = ++attempt;
    const t = await connectable(o, state, () => stopped || my !== attempt);
    if (!t) return;
    state.setStatus('connecting');
    stats.connects++;
    let ws: WebSocket;
    try {
      ws = openPlatformSocket(t.url, t.token, { caFile: t.caFile });
    } catch (err) {
      // e.g. a URL ws cannot use; retried with backoff because Settings may change meanwhile
      return retryLater(err instanceof Error ? err.message : String(err));
    }
    const c = newConn(ws, t.url, o.clock.now());
    conn = c;
    const limit = Math.round(connectTimeoutMs / 1000);
    c.timers.connect = o.clock.setTimeout(
      () => lost(c, { code: 'unreachable', message: `The platform did not answer within ${limit} s.` }),
      connectTimeoutMs,
    );
    watchSocket(c, {
      current: () => conn === c,
      state,
      clock: o.clock,
      log: o.log,
      opened() {
        stream.hello(c);
        beat(c);
      },
      frame(f) {
        try {
          onFrame(c, f);
        } catch (err) {
          storeFailed(c, err);
        }
      },
      lost: (why) => lost(c, why),
    });
  }

  /** drops the current socket, if any, without a retry */
  function drop(): Conn | null {
    const c = conn;
    conn = null;
    if (c) clearConnTimers(c, o.clock);
    return c;
  }

  return {
    view: (): Readonly<ClientView> => view,
    stats: (): LinkStats => state.statsCopy(),
    /** the server id of the live connection, if any */
    serverId: () => conn?.serverId ?? null,
    start() {
      if (!stopped) return;
      stopped = false;
      void connect();
    },
    /** drops the socket (if any) and connects now with freshly resolved URL and token */
    reconnect() {
      o.clock.clearTimeout(retry);
      retry = null;
      retries.reset();
      drop()?.ws.terminate();
      view.since = o.clock.now();
      view.status = 'connecting';
      view.snapshot = null;
      stopped = false;
      void connect();
    },
    /**
     * New actions in the outbox: send them if the link is up. Deferred to the next turn because a module
     * may submit inside its own transaction: a frame must not leave before the row it carries is committed
     * (a rolled-back row is simply not found then).
     */
    kick: deferOnce(() => sendUnanswered(conn)),
    async stop(): Promise<void> {
      stopped = true;
      attempt++;
      o.clock.clearTimeout(retry);
      retry = null;
      const c = drop();
      if (c) await closeGracefully(c, o.clock);
    },
  };
}
export type SyncClient = ReturnType<typeof createSyncClient>;

/** `fn` on the next turn (setImmediate, not a timer: no delay), once however often it is asked for meanwhile */
function deferOnce(fn: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      fn();
    });
  };
}

/**
 * Where to connect now, with a token; null when the attempt is stale or cannot connect (the view then
 * says why: no platform configured, no token).
 */
async function connectable(o: ClientOptions, state: ClientViewState, stale: () => boolean): Promise<Target | null> {
  let t: Target | null;
  try {
    t = await o.resolveTarget();
  } catch (err) {
    t = null;
    state.view.lastError = `The platform could not be resolved: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (stale()) return null;
  state.view.url = t?.url ?? null;
  if (!t) state.setStatus('disabled');
  else if (!t.token && !t.proxy) {
    state.setStatus('auth_failed', 'Not signed in: no platform token is stored. Sign in with your personal token.');
    o.onRefused('missing');
  }
  return t && (t.token || t.proxy) ? t : null;
}

interface SocketWatch {
  /** the connection is still the client's live one (late callbacks of an old socket do nothing) */
  current(): boolean;
  state: ClientViewState;
  clock: Clock;
  log: Logger;
  opened(): void;
  frame(f: ServerFrame): void;
  lost(why: Why): void;
}

/** Wires a socket's events: open, each message decoded (bad frames counted and dropped), error, close. */
function watchSocket(c: Conn, w: SocketWatch): void {
  const { ws } = c;
  ws.on('open', () => {
    if (!w.current()) return;
    w.clock.clearTimeout(c.timers.connect);
    c.timers.connect = null;
    c.lastHeard = w.clock.now();
    w.opened();
  });
  ws.on('message', (data, isBinary) => {
    if (!w.current()) return;
    c.lastHeard = w.clock.now();
    w.state.stats.framesReceived++;
    const { text, bytes } = frameText(data, isBinary);
    const d = decodeServerFrame(text, bytes);
    if (!d.ok) {
      w.state.countBad(d.code);
      // unknown frame types are how a newer server speaks to us: expected, so not worth a warning
      if (d.code !== 'unknown_type') w.log.log('warn', 'link.bad_frame', { code: d.code, message: d.message });
      return;
    }
    w.frame(d.frame);
  });
  ws.on('error', (err) => w.lost(classifySocketError(err, ws)));
  ws.on('close', (code, reason) => {
    const text = reason.toString().slice(0, 200);
    if (code === CLOSE_AUTH_FAILED)
      return w.lost({
        code: 'auth_failed',
        auth: c.withdrawn ?? 'wrong',
        message: text || 'The platform refused the token.',
      });
    if (code === CLOSE_TRY_LATER)
      return w.lost({ code: 'rate_limited', message: `The platform asked to come back later${text ? `: ${text}` : ''}.` });
    w.lost({ code: 'closed', message: `The platform closed the link (${code}${text ? `: ${text}` : ''}).` });
  });
}

/** Closes an open socket politely; a peer that never answers the close must not hold up shutdown. */
async function closeGracefully(c: Conn, clock: Clock): Promise<void> {
  if (c.ws.readyState !== c.ws.OPEN) return void c.ws.terminate();
  await new Promise<void>((resolve) => {
    c.ws.once('close', () => resolve());
    c.ws.close(1000, 'client stopping');
    clock.setTimeout(() => {
      c.ws.terminate();
      resolve();
    }, 1000);
  });
}
