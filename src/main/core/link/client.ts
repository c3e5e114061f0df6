/**
 * The sync client: one WebSocket to the platform, protocol v1. It authenticates, resumes from the stored
 * cursor (or takes a snapshot), stores events through the SyncStore, sends the outbox in order, heartbeats,
 * and reconnects with capped exponential backoff and full jitter. Every timer runs on the injected Clock.
 *
 * A bad inbound frame is counted, logged (redacted) and dropped; it never closes the socket or touches the
 * store. A gap in seq is repaired on the same socket by saying hello again with the stored cursor.
 */
import type WebSocket from 'ws';
import type { Collection } from '@shared/domain';
import type { LinkStats, OutboxResult } from '@shared/contract/link';
import { CLOSE_AUTH_FAILED, decodeServerFrame, PROTOCOL_VERSION, type ServerFrame } from '@shared/protocol';
import type { Clock, TimerHandle } from '@node/clock';
import type { Logger } from '@node/log';
import type { InboundEvent, SyncStore } from './apply';
import { createBackoff } from './backoff';
import type { Outbox } from './outbox';
import { frameText } from '@node/ws-frames';
import { classifySocketError, openPlatformSocket } from './socket';

export interface Target {
  url: string;
  token: string | null;
}

export type ClientStatus = 'online' | 'connecting' | 'offline' | 'auth_failed' | 'degraded' | 'disabled';

export interface ClientView {
  status: ClientStatus;
  since: number;
  url: string | null;
  lastError: string | null;
  lastSyncAt: number | null;
  snapshot: { received: number; total: number } | null;
  operator: string | null;
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
  /** something in the view changed */
  onChange(): void;
  /** a batch or snapshot was stored (after commit) */
  onStored(collections: Set<Collection>): void;
  /** an action was answered */
  onResult(r: OutboxResult): void;
  heartbeatMs?: number;
  /** silence longer than this declares the link dead */
  deadAfterMs?: number;
  connectTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  random?: () => number;
  /** the most events stored in one transaction */
  batchMax?: number;
}

const ALL_DATA: Collection[] = ['alerts', 'runbooks', 'dashboards', 'rosters', 'incidents', 'checklists', 'handovers'];

export function createSyncClient(o: ClientOptions) {
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const deadAfterMs = o.deadAfterMs ?? 45_000;
  const connectTimeoutMs = o.connectTimeoutMs ?? 10_000;
  const batchMax = o.batchMax ?? 5000;
  const backoff = createBackoff({ baseMs: o.backoffBaseMs ?? 500, capMs: o.backoffCapMs ?? 30_000, random: o.random });

  const view: ClientView = {
    status: 'connecting',
    since: o.clock.now(),
    url: null,
    lastError: null,
    lastSyncAt: null,
    snapshot: null,
    operator: null,
  };
  const stats: LinkStats = {
    framesReceived: 0,
    eventsApplied: 0,
    duplicates: 0,
    gaps: 0,
    unknownKinds: 0,
    rejectedEvents: 0,
    badFrames: {},
    serverErrors: 0,
    connects: 0,
    snapshots: 0,
    lastSnapshotStoreMs: null,
  };

  /** per-connection state; replaced on every attempt so late callbacks of an old socket do nothing */
  interface Conn {
    ws: WebSocket;
    url: string;
    welcomed: boolean;
    serverId: string | null;
    upstream: 'ok' | 'degraded' | 'down';
    lastHeard: number;
    /** ids handed to this socket (each unanswered action goes once per connection) */
    sent: Set<string>;
    stage: { seq: number; next: number; items: { kind: string; data: unknown }[] } | null;
    queue: InboundEvent[];
    flushScheduled: boolean;
    timers: { connect: TimerHandle | null; beat: TimerHandle | null };
  }
  let conn: Conn | null = null;
  let retry: TimerHandle | null = null;
  let stopped = true;
  let attempt = 0;
  let kickScheduled = false;

  function setStatus(status: ClientStatus, error?: string | null) {
    // An outage keeps the moment it began while reconnect attempts come and go.
    const keepSince = status === view.status || (status === 'connecting' && view.status === 'offline');
    if (!keepSince) view.since = o.clock.now();
    if (!(status === 'connecting' && view.status === 'offline')) view.status = status;
    if (error !== undefined) view.lastError = error;
    o.onChange();
  }

  const count = (code: string) => (stats.badFrames[code] = (stats.badFrames[code] ?? 0) + 1);

  function send(c: Conn, frame: object): boolean {
    if (c.ws.readyState !== c.ws.OPEN) return false;
    c.ws.send(JSON.stringify(frame));
    return true;
  }

  function hello(c: Conn) {
    const cur = o.sync.read();
    c.welcomed = false;
    c.stage = null;
    c.queue = [];
    send(c, {
      type: 'hello',
      clientId: o.clientId,
      protocol: PROTOCOL_VERSION,
      cursor: cur?.cursor ?? null,
      serverId: cur?.serverId ?? null,
      operator: o.operator().slice(0, 80),
    });
  }

  /** sends every unanswered action this socket has not carried yet, in submit order */
  function flushOutbox() {
    const c = conn;
    if (!c || !c.welcomed) return;
    let changed = false;
    for (const e of o.outbox.unanswered()) {
      if (c.sent.has(e.id)) continue;
      if (c.ws.readyState !== c.ws.OPEN) break;
      o.outbox.markSent(e.id);
      changed = true;
      c.sent.add(e.id);
      send(c, {
        type: 'action',
        id: e.id,
        action: e.type,
        payload: e.payload,
        at: e.createdAt,
        actor: e.actor || undefined,
      });
    }
    if (changed) o.onChange();
  }

  function flushEvents(c: Conn) {
    c.flushScheduled = false;
    while (c.queue.length && conn === c) {
      const batch = c.queue.splice(0, batchMax);
      const r = o.sync.applyBatch(batch);
      stats.eventsApplied += r.applied;
      stats.duplicates += r.duplicates;
      stats.unknownKinds += r.unknownKinds;
      stats.rejectedEvents += r.rejected;
      if (r.applied + r.unknownKinds + r.rejected > 0) view.lastSyncAt = o.clock.now();
      if (r.collections.size) o.onStored(r.collections);
      if (r.gapAt !== null) {
        stats.gaps++;
        o.log.log('warn', 'link.seq_gap', { expected: (r.cursor ?? -1) + 1, got: r.gapAt });
        hello(c); // resume from the stored cursor on the same socket
        break;
      }
    }
    o.onChange();
  }

  function onSnapshot(c: Conn, f: Extract<ServerFrame, { type: 'snapshot' }>) {
    if (f.chunk === 0) c.stage = { seq: f.seq, next: 0, items: [] };
    if (!c.stage || f.chunk !== c.stage.next || f.seq !== c.stage.seq) {
      count('snapshot_out_of_order');
      o.log.log('warn', 'link.snapshot_out_of_order', { chunk: f.chunk, seq: f.seq });
      view.snapshot = null;
      hello(c);
      return;
    }
    for (const it of f.items) c.stage.items.push(it);
    c.stage.next++;
    view.snapshot = { received: f.received, total: f.total };
    if (f.chunk + 1 < f.chunks) return o.onChange();
    const stage = c.stage;
    c.stage = null;
    const started = o.clock.now();
    const r = o.sync.applySnapshot({
      seq: stage.seq,
      serverId: c.serverId ?? '',
      platform: c.url,
      items: stage.items,
      at: o.clock.now(),
    });
    stats.snapshots++;
    stats.lastSnapshotStoreMs = o.clock.now() - started;
    stats.eventsApplied += r.applied;
    stats.unknownKinds += r.unknownKinds;
    stats.rejectedEvents += r.rejected;
    view.snapshot = null;
    view.lastSyncAt = o.clock.now();
    o.onStored(new Set(ALL_DATA));
    o.onChange();
  }

  function onFrame(c: Conn, f: ServerFrame) {
    if (f.type === 'event') {
      // Events before the welcome belong to the stream a re-hello replaced; a snapshot must finish first.
      if (!c.welcomed) return;
      if (c.stage) {
        count('event_during_snapshot');
        c.stage = null;
        view.snapshot = null;
        return hello(c);
      }
      c.queue.push({ seq: f.seq, kind: f.kind, data: f.data, at: f.at });
      if (!c.flushScheduled) {
        c.flushScheduled = true;
        // setImmediate groups the frames of one socket read into one transaction (not a timer: no delay).
        setImmediate(() => {
          if (conn !== c) return;
          try {
            flushEvents(c);
          } catch (err) {
            storeFailed(c, err);
          }
        });
      }
      return;
    }
    if (c.queue.length) flushEvents(c); // keep order: stored events before whatever this frame changes
    switch (f.type) {
      case 'welcome': {
        c.welcomed = true;
        c.serverId = f.serverId;
        view.operator = f.operator;
        backoff.reset();
        if (f.mode === 'snapshot') view.snapshot = { received: 0, total: 0 };
        setStatus(c.upstream === 'ok' ? 'online' : 'degraded', null);
        flushOutbox();
        return;
      }
      case 'snapshot':
        if (c.welcomed) onSnapshot(c, f);
        return;
      case 'result': {
        const e = o.outbox.get(f.id);
        if (o.outbox.settle(f.id, f.ok, f.ok ? null : (f.error ?? null))) {
          o.onResult({
            id: f.id,
            type: e?.type ?? 'unknown',
            ok: f.ok,
            error: f.ok ? null : (f.error ?? null),
            replay: !!f.replay,
          });
          o.onChange();
        }
        return;
      }
      case 'status': {
        c.upstream = f.upstream;
        if (c.welcomed)
          setStatus(
            f.upstream === 'ok' ? 'online' : 'degraded',
            f.upstream === 'ok' ? null : (f.detail ?? `upstream ${f.upstream}`),
          );
        return;
      }
      case 'ping':
        send(c, { type: 'pong', t: f.t });
        return;
      case 'pong':
        return;
      case 'error': {
        stats.serverErrors++;
        o.log.log(f.fatal ? 'error' : 'warn', 'link.server_error', { code: f.error.code, message: f.error.message });
        view.lastError = `${f.error.code}: ${f.error.message}`;
        o.onChange();
        return;
      }
    }
  }

  function cleanup(c: Conn) {
    o.clock.clearTimeout(c.timers.connect);
    o.clock.clearTimeout(c.timers.beat);
    c.timers.connect = c.timers.beat = null;
  }

  function lost(c: Conn, why: { code: string; message: string }) {
    if (conn !== c) return;
    cleanup(c);
    conn = null;
    c.ws.terminate();
    view.snapshot = null;
    if (stopped) return;
    if (why.code === 'auth_failed') {
      // Retrying a refused token only hammers the platform; a new token or "reconnect" starts again.
      setStatus('auth_failed', why.message);
      return;
    }
    retryLater(why.message);
  }

  function retryLater(message: string) {
    setStatus('offline', message);
    const delay = backoff.next();
    o.log.log('info', 'link.retry', { inMs: delay, attempt: backoff.attempts, why: message });
    retry = o.clock.setTimeout(() => {
      retry = null;
      void connect();
    }, delay);
  }

  /** A store failure (disk full, locked) must not kill the process: drop the socket, resume from the cursor later. */
  function storeFailed(c: Conn, err: unknown) {
    o.log.log('error', 'link.store_failed', { err: String(err) });
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
      send(c, { type: 'ping', t: o.clock.now() });
      beat(c);
    }, heartbeatMs);
  }

  async function connect(): Promise<void> {
    const my = ++attempt;
    let target: Target | null;
    try {
      target = await o.resolveTarget();
    } catch (err) {
      target = null;
      view.lastError = `The platform could not be resolved: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (stopped || my !== attempt) return;
    view.url = target?.url ?? null;
    if (!target) return setStatus('disabled');
    if (!target.token) return setStatus('auth_failed', 'No platform token is stored. Enter it in Settings → Platform.');
    setStatus('connecting');
    stats.connects++;
    let ws: WebSocket;
    try {
      ws = openPlatformSocket(target.url, target.token);
    } catch (err) {
      // e.g. a URL ws cannot use; retried with backoff because Settings may change meanwhile
      return retryLater(err instanceof Error ? err.message : String(err));
    }
    const c: Conn = {
      ws,
      url: target.url,
      welcomed: false,
      serverId: null,
      upstream: 'ok',
      lastHeard: o.clock.now(),
      sent: new Set(),
      stage: null,
      queue: [],
      flushScheduled: false,
      timers: { connect: null, beat: null },
    };
    conn = c;
    c.timers.connect = o.clock.setTimeout(
      () =>
        lost(c, {
          code: 'unreachable',
          message: `The platform did not answer within ${Math.round(connectTimeoutMs / 1000)} s.`,
        }),
      connectTimeoutMs,
    );
    ws.on('open', () => {
      if (conn !== c) return;
      o.clock.clearTimeout(c.timers.connect);
      c.timers.connect = null;
      c.lastHeard = o.clock.now();
      hello(c);
      beat(c);
    });
    ws.on('message', (data, isBinary) => {
      if (conn !== c) return;
      c.lastHeard = o.clock.now();
      stats.framesReceived++;
      const { text, bytes } = frameText(data, isBinary);
      const d = decodeServerFrame(text, bytes);
      if (!d.ok) {
        count(d.code);
        // unknown frame types are how a newer server speaks to us: expected, so not worth a warning
        if (d.code !== 'unknown_type') o.log.log('warn', 'link.bad_frame', { code: d.code, message: d.message });
        return;
      }
      try {
        onFrame(c, d.frame);
      } catch (err) {
        storeFailed(c, err);
      }
    });
    ws.on('error', (err) => lost(c, classifySocketError(err)));
    ws.on('close', (code, reason) => {
      const text = reason.toString().slice(0, 200);
      if (code === CLOSE_AUTH_FAILED)
        return lost(c, { code: 'auth_failed', message: text || 'The platform refused the token.' });
      lost(c, { code: 'closed', message: `The platform closed the link (${code}${text ? `: ${text}` : ''}).` });
    });
  }

  return {
    view: (): Readonly<ClientView> => view,
    stats: (): LinkStats => ({ ...stats, badFrames: { ...stats.badFrames } }),
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
      backoff.reset();
      const c = conn;
      conn = null;
      if (c) {
        cleanup(c);
        c.ws.terminate();
      }
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
    kick() {
      if (kickScheduled) return;
      kickScheduled = true;
      setImmediate(() => {
        kickScheduled = false;
        flushOutbox();
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      attempt++;
      o.clock.clearTimeout(retry);
      retry = null;
      const c = conn;
      conn = null;
      if (!c) return;
      cleanup(c);
      if (c.ws.readyState !== c.ws.OPEN) return void c.ws.terminate();
      await new Promise<void>((resolve) => {
        c.ws.once('close', () => resolve());
        c.ws.close(1000, 'client stopping');
        // a peer that never answers the close must not hold up shutdown
        o.clock.setTimeout(() => {
          c.ws.terminate();
          resolve();
        }, 1000);
      });
    },
  };
}
export type SyncClient = ReturnType<typeof createSyncClient>;
