/**
 * The gateway server: HTTP (/healthz, /metrics, /webhook) and the protocol v1 WebSocket on one port.
 * It owns the event log, snapshots, idempotency and auth; the Source owns the upstream.
 *
 * Flow per connection: upgrade (bearer token, constant-time; subprotocol vigil.v1) → hello → welcome →
 * snapshot chunks or the events after the client's cursor → live events. Each connection has its own
 * cursor and is "pumped" from the log, paced by the socket's write callbacks, so a slow client never
 * makes the gateway buffer the whole log in memory and a fast one gets events as soon as they are logged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { actionPayloads } from '@shared/actions';
import { describeZodError } from '@shared/rpc';
import {
  CLOSE_GOING_AWAY,
  CLOSE_PROTOCOL_ERROR,
  decodeClientFrame,
  ERROR_CODES,
  HARD_FRAME_BYTES,
  MAX_FRAME_BYTES,
  MIN_PROTOCOL_VERSION,
  PROTOCOL,
  PROTOCOL_VERSION,
  type ClientFrame,
  type WireError,
} from '@shared/protocol';
import { systemClock, type Clock, type TimerHandle } from '@node/clock';
import { frameText } from '@node/ws-frames';
import { secretMatches } from '@node/secret';
import { createGatewayMetrics } from './metrics';
import { createProcessStore, isProcessAction } from './process';
import type { Source, SourceEvent, SourceHealth } from './source';
import { openGatewayStore, type StoredResult } from './store';

export interface GatewayOptions {
  source: Source;
  token: string;
  /** SQLite file lives here (gateway.db) */
  dataDir: string;
  host?: string;
  port?: number;
  clock?: Clock;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  heartbeatMs?: number;
  deadAfterMs?: number;
  /** most entities per snapshot chunk (also capped by MAX_FRAME_BYTES) */
  chunkItems?: number;
  /** events kept in the log; a client further behind gets a snapshot */
  retain?: number;
  maxFrameBytes?: number;
}

export interface Gateway {
  url: string;
  port: number;
  serverId: string;
  store: ReturnType<typeof openGatewayStore>;
  metrics: ReturnType<typeof createGatewayMetrics>;
  /** source events appended directly (tests, and the demo source's in-process callers) */
  emit(events: SourceEvent[]): void;
  connections(): number;
  close(): Promise<void>;
  /** stops dead, as a killed process would: no close frames, nothing awaited (fault tests) */
  kill(): Promise<void>;
}

interface Conn {
  ws: WebSocket;
  clientId: string | null;
  operator: string;
  /** events up to here were sent (or covered by the snapshot) */
  cursor: number;
  /** pumping live events (after welcome + snapshot) */
  live: boolean;
  pumping: boolean;
  lastHeard: number;
  /** actions of one connection are applied in the order they came */
  chain: Promise<void>;
  /** bumped by every hello: paced sends of an older stream stop */
  stream: number;
}

const HIGH_WATER = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const ITEMS_END = Buffer.from(']}');
const PUMP_BATCH = 2000;

export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const clock = o.clock ?? systemClock;
  const log =
    o.log ??
    ((level, msg, fields) =>
      console.error(
        JSON.stringify({ ts: new Date().toISOString(), level, plugin: 'vigil-gateway', action: msg, ...fields }),
      ));
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const deadAfterMs = o.deadAfterMs ?? 45_000;
  const chunkItems = o.chunkItems ?? 5000;
  const maxFrame = o.maxFrameBytes ?? MAX_FRAME_BYTES;
  const store = openGatewayStore(path.join(o.dataDir, 'gateway.db'), { retain: o.retain });
  const processStore = createProcessStore(store.db);
  const metrics = createGatewayMetrics(o.source.name);
  metrics.head.set(store.head());
  const conns = new Set<Conn>();
  /** action ids being applied right now (a duplicate waits for the first instead of applying again) */
  const inflight = new Map<string, Promise<StoredResult>>();
  let health: SourceHealth = { upstream: 'ok', detail: null };
  metrics.upstreamUp.set(1);
  let closing = false;
  let closed = false;

  /** a Buffer is sent as a text frame: it must hold UTF-8 JSON */
  const send = (c: Conn, frame: object | string | Buffer, cb?: (err?: Error) => void) => {
    if (c.ws.readyState !== c.ws.OPEN) return false;
    if (Buffer.isBuffer(frame)) c.ws.send(frame, { binary: false }, cb);
    else c.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame), cb);
    return true;
  };
  const sendError = (c: Conn, error: WireError, fatal = false) =>
    send(c, { type: 'error', error, fatal: fatal || undefined });

  // ---- the log --------------------------------------------------------------------------------------
  function appendEvents(events: readonly SourceEvent[] | readonly { kind: string; data: unknown }[]) {
    if (!events.length || closed) return;
    let r: ReturnType<typeof store.append>;
    try {
      r = store.append(events, clock.now());
    } catch (err) {
      // The source's timer must not take the process down with it. These changes are lost to the log,
      // so clients are told the data is not trustworthy until the source reports healthy again.
      log('error', 'gateway.append_failed', { err: String(err), events: events.length });
      setHealth({
        upstream: 'degraded',
        detail: `the gateway could not store upstream changes: ${String(err).slice(0, 300)}`,
      });
      return;
    }
    for (const bad of r.invalid) {
      metrics.eventsInvalid.inc({ kind: bad.kind.slice(0, 64) });
      log('warn', 'gateway.source_event_invalid', { kind: bad.kind, reason: bad.reason });
    }
    if (!r.appended.length) return;
    for (const e of r.appended) metrics.eventsLogged.inc({ kind: e.kind });
    metrics.head.set(store.head());
    for (const c of conns) pump(c);
  }

  /** sends the events after c.cursor, a batch at a time, paced by the socket */
  function pump(c: Conn) {
    if (!c.live || c.pumping || c.ws.readyState !== c.ws.OPEN) return;
    if (c.cursor < store.oldest() - 1) {
      // the log was pruned past this client while it was behind: only a snapshot can help
      c.live = false;
      return void startSnapshot(c);
    }
    const batch = store.eventsAfter(c.cursor, PUMP_BATCH);
    if (!batch.length) return;
    c.pumping = true;
    const stream = c.stream;
    const last = batch[batch.length - 1];
    const drained = () =>
      setImmediate(() => {
        if (c.stream !== stream) return;
        c.pumping = false;
        pump(c);
      });
    for (const e of batch) {
      const frame = `{"type":"event","seq":${e.seq},"kind":${JSON.stringify(e.kind)},"data":${e.data},"at":${e.at}}`;
      send(c, frame, e === last ? drained : undefined);
    }
    c.cursor = last.seq;
    metrics.eventsSent.inc(batch.length);
    if (c.ws.bufferedAmount < HIGH_WATER) {
      c.pumping = false;
      pump(c);
    }
  }

  /** sends the snapshot in chunks that each fit in one frame, paced by the socket */
  function startSnapshot(c: Conn) {
    const snap = store.snapshot(chunkItems, maxFrame - 512);
    const stream = c.stream;
    metrics.snapshots.inc();
    metrics.snapshotItems.inc(snap.total);
    let received = 0;
    let i = 0;
    const next = () => {
      if (c.ws.readyState !== c.ws.OPEN || c.stream !== stream) return;
      if (i >= snap.chunks.length) {
        c.cursor = snap.seq;
        c.live = true;
        return pump(c);
      }
      const chunk = snap.chunks[i];
      // released as it goes: a slow client holds the gateway to the chunks it has not had yet
      snap.chunks[i] = { body: EMPTY, items: 0 };
      received += chunk.items;
      const head = `{"type":"snapshot","seq":${snap.seq},"chunk":${i},"chunks":${snap.chunks.length},"received":${received},"total":${snap.total},"items":[`;
      const frame = Buffer.concat([Buffer.from(head), chunk.body, ITEMS_END]);
      i++;
      send(c, frame, () => setImmediate(next));
    };
    next();
  }

  // ---- frames ---------------------------------------------------------------------------------------
  function onHello(c: Conn, f: Extract<ClientFrame, { type: 'hello' }>) {
    if (f.protocol < MIN_PROTOCOL_VERSION) {
      sendError(
        c,
        {
          code: ERROR_CODES.unsupportedProtocol,
          message: `protocol ${f.protocol} is older than this gateway supports (${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION})`,
        },
        true,
      );
      return void c.ws.close(CLOSE_PROTOCOL_ERROR, 'unsupported protocol version');
    }
    c.clientId = f.clientId;
    c.operator = f.operator ?? c.operator;
    c.live = false;
    c.pumping = false;
    c.stream++;
    const head = store.head();
    const resumable =
      f.cursor !== null && f.serverId === store.serverId && f.cursor <= head && f.cursor >= store.oldest() - 1;
    send(c, {
      type: 'welcome',
      protocol: Math.min(f.protocol, PROTOCOL_VERSION),
      serverId: store.serverId,
      serverTime: clock.now(),
      operator: c.operator,
      head,
      mode: resumable ? 'events' : 'snapshot',
    });
    if (f.probe) return void c.ws.close(1000, 'probe answered');
    send(c, { type: 'status', upstream: health.upstream, detail: health.detail });
    log('info', 'gateway.hello', {
      clientId: f.clientId,
      cursor: f.cursor,
      mode: resumable ? 'events' : 'snapshot',
      head,
    });
    if (resumable) {
      c.cursor = f.cursor!;
      c.live = true;
      pump(c);
    } else startSnapshot(c);
  }

  async function applyAction(c: Conn, f: Extract<ClientFrame, { type: 'action' }>): Promise<void> {
    const stored = store.storedResult(f.id);
    const pending = inflight.get(f.id);
    if (stored || pending) {
      const r = stored ?? (await pending!);
      metrics.actions.inc({ type: f.action, result: 'replayed' });
      send(c, { type: 'result', id: f.id, ok: r.ok, error: r.error ?? undefined, replay: true });
      return;
    }
    const run = (async (): Promise<StoredResult> => {
      const actor = f.actor || c.operator || 'unknown';
      const record = { id: f.id, type: f.action, payload: f.payload, actor, clientId: c.clientId, at: clock.now() };
      const parsed = actionPayloads[f.action].safeParse(f.payload);
      if (!parsed.success) {
        const r = {
          ok: false,
          error: {
            code: ERROR_CODES.badPayload,
            message: `${f.action}: ${describeZodError(parsed.error, { root: 'payload' })}`.slice(0, 2000),
          },
        };
        store.recordAction(record, r);
        return r;
      }
      if (isProcessAction(f.action)) {
        // the process tables, the events and the action id change in one transaction: applied exactly once
        const type = f.action;
        return store.db.transaction((): StoredResult => {
          const out = processStore.apply(type, parsed.data, actor, record.at);
          const r: StoredResult = out.ok ? { ok: true, error: null } : { ok: false, error: out.error };
          if (out.ok) appendEventsInTx(out.events);
          store.recordAction(record, r);
          return r;
        })();
      }
      // Durably "applying" before the source is called: if the gateway dies before the result is stored, the
      // resend of this id is resumed, and the source looks upstream for its earlier effect instead of repeating it.
      const { resumed } = store.beginAction(record);
      if (resumed) log('warn', 'gateway.action_resumed', { id: f.id, type: f.action });
      let outcome;
      try {
        outcome = await o.source.apply(
          { id: f.id, type: f.action, payload: parsed.data, at: f.at, operator: actor },
          { resumed },
        );
      } catch (err) {
        // the contract says sources never throw; one that does still gets a clear answer
        outcome = {
          ok: false as const,
          error: {
            code: ERROR_CODES.internal,
            message: `${o.source.name} source failed: ${err instanceof Error ? err.message : String(err)}`,
          },
        };
      }
      const r: StoredResult = outcome.ok ? { ok: true, error: null } : { ok: false, error: outcome.error };
      store.recordAction({ ...record, at: clock.now() }, r);
      return r;
    })();
    inflight.set(f.id, run);
    try {
      const r = await run;
      metrics.actions.inc({ type: f.action, result: r.ok ? 'applied' : 'rejected' });
      send(c, { type: 'result', id: f.id, ok: r.ok, error: r.error ?? undefined });
      for (const x of conns) pump(x);
    } finally {
      inflight.delete(f.id);
    }
  }

  /** events from process actions: appended inside the caller's transaction, pumped after commit */
  function appendEventsInTx(events: readonly { kind: string; data: unknown }[]) {
    const r = store.append(events, clock.now());
    for (const e of r.appended) metrics.eventsLogged.inc({ kind: e.kind });
    metrics.head.set(store.head());
  }

  function onMessage(c: Conn, text: string | null, bytes: number) {
    c.lastHeard = clock.now();
    const d = decodeClientFrame(text, bytes, maxFrame);
    if (!d.ok) {
      metrics.badFrames.inc({ reason: d.code });
      log('warn', 'gateway.bad_frame', { clientId: c.clientId, code: d.code, message: d.message });
      return void sendError(c, { code: d.code, message: d.message });
    }
    const f = d.frame;
    switch (f.type) {
      case 'hello':
        return onHello(c, f);
      case 'ping':
        return void send(c, { type: 'pong', t: f.t });
      case 'pong':
        return;
      case 'action':
        if (!c.clientId) {
          metrics.badFrames.inc({ reason: ERROR_CODES.helloRequired });
          return void sendError(c, { code: ERROR_CODES.helloRequired, message: 'send hello before actions' });
        }
        c.chain = c.chain.then(() =>
          applyAction(c, f).catch((err) => {
            log('error', 'gateway.action_failed', { id: f.id, err: String(err) });
            send(c, {
              type: 'result',
              id: f.id,
              ok: false,
              error: { code: ERROR_CODES.internal, message: `the gateway failed to apply the action: ${String(err)}` },
            });
          }),
        );
        return;
    }
  }

  // ---- HTTP -----------------------------------------------------------------------------------------
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
    };
    if (req.method === 'GET' && url.pathname === '/healthz')
      return reply(
        200,
        JSON.stringify({
          status: 'ok',
          serverId: store.serverId,
          source: o.source.name,
          head: store.head(),
          upstream: health.upstream,
          detail: health.detail,
          connections: conns.size,
        }),
      );
    if (req.method === 'GET' && url.pathname === '/metrics') {
      metrics.connections.set(conns.size);
      void metrics.registry.metrics().then(
        (text) => reply(200, text, metrics.registry.contentType),
        (err) => reply(500, JSON.stringify({ error: String(err) })),
      );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/webhook') {
      if (!o.source.webhook)
        return reply(404, JSON.stringify({ error: `the ${o.source.name} source takes no webhooks` }));
      const parts: Buffer[] = [];
      let size = 0;
      req.on('data', (d: Buffer) => {
        size += d.length;
        if (size > maxFrame) {
          metrics.webhooks.inc({ result: 'too_large' });
          reply(413, JSON.stringify({ error: `webhook body over ${maxFrame} bytes` }));
          req.destroy();
        } else parts.push(d);
      });
      req.on('end', async () => {
        if (res.headersSent) return;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(parts).toString('utf8'));
        } catch {
          metrics.webhooks.inc({ result: 'bad_json' });
          return reply(400, JSON.stringify({ error: 'the webhook body is not JSON' }));
        }
        const r = await o.source.webhook!(body);
        metrics.webhooks.inc({ result: r.ok ? 'ok' : 'rejected' });
        reply(r.ok ? 200 : 400, JSON.stringify(r.ok ? { status: 'ok' } : { error: r.error }));
      });
      return;
    }
    reply(
      404,
      JSON.stringify({
        error: 'not found: this is a Vigil gateway (WebSocket vigil.v1, /healthz, /metrics, /webhook)',
      }),
    );
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_FRAME_BYTES,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, text: string, extra = '') => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}\r\n${text}\n`,
      );
    };
    if (closing) return refuse(503, 'Service Unavailable');
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m || !secretMatches(m[1].trim(), o.token)) {
      metrics.authFailures.inc();
      log('warn', 'gateway.auth_failed', { remote: req.socket.remoteAddress, hadToken: !!m });
      return refuse(401, 'Unauthorized', 'WWW-Authenticate: Bearer realm="vigil"\r\n');
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.includes(PROTOCOL)) {
      metrics.badFrames.inc({ reason: 'subprotocol' });
      return refuse(400, `Bad Request: subprotocol ${PROTOCOL} required`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  function serve(ws: WebSocket) {
    const c: Conn = {
      ws,
      clientId: null,
      operator: '',
      cursor: 0,
      live: false,
      pumping: false,
      lastHeard: clock.now(),
      chain: Promise.resolve(),
      stream: 0,
    };
    conns.add(c);
    metrics.connections.set(conns.size);
    ws.on('message', (data, isBinary) => {
      const { text, bytes } = frameText(data, isBinary);
      try {
        onMessage(c, text, bytes);
      } catch (err) {
        log('error', 'gateway.frame_failed', { err: String(err) });
        sendError(c, { code: ERROR_CODES.internal, message: 'the gateway failed on this frame' });
      }
    });
    ws.on('error', (err) => {
      // ws reports an over-HARD_FRAME_BYTES frame here and closes with 1009
      metrics.badFrames.inc({
        reason:
          (err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame_too_large' : 'socket_error',
      });
      log('warn', 'gateway.socket_error', { err: err.message });
    });
    ws.on('close', () => {
      conns.delete(c);
      metrics.connections.set(conns.size);
    });
  }

  function setHealth(h: SourceHealth) {
    if (h.upstream === health.upstream && h.detail === health.detail) return;
    health = h;
    metrics.upstreamUp.set(h.upstream === 'ok' ? 1 : h.upstream === 'degraded' ? 0.5 : 0);
    log(h.upstream === 'ok' ? 'info' : 'warn', 'gateway.upstream', { upstream: h.upstream, detail: h.detail });
    for (const c of conns) if (c.clientId) send(c, { type: 'status', upstream: h.upstream, detail: h.detail });
  }

  let beatTimer: TimerHandle | null = null;
  const beat = () => {
    beatTimer = clock.setTimeout(() => {
      const now = clock.now();
      for (const c of conns) {
        if (now - c.lastHeard > deadAfterMs) c.ws.terminate();
        else send(c, { type: 'ping', t: now });
      }
      beat();
    }, heartbeatMs);
  };

  const inDoubt = store.unfinishedActions();
  if (inDoubt > 0) log('warn', 'gateway.actions_in_doubt', { count: inDoubt });
  await o.source.start({
    emit: (events) => appendEvents(events),
    health: setHealth,
    now: () => clock.now(),
    known: () => ({
      alerts: store.current('alert').map((e) => e.data),
      silences: store.current('silence').map((e) => e.data),
    }),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  beat();
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log('info', 'gateway.listening', { url, source: o.source.name, serverId: store.serverId, head: store.head() });

  return {
    url,
    port,
    serverId: store.serverId,
    store,
    metrics,
    emit: (events) => appendEvents(events),
    connections: () => conns.size,
    async close() {
      if (closing) return;
      closing = true;
      clock.clearTimeout(beatTimer);
      for (const c of conns) c.ws.close(CLOSE_GOING_AWAY, 'gateway shutting down');
      await o.source.stop().catch((err) => log('warn', 'gateway.source_stop_failed', { err: String(err) }));
      await Promise.allSettled([...conns].map((c) => c.chain));
      for (const c of conns) c.ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      closed = true;
      store.close();
    },
    async kill() {
      closing = closed = true;
      clock.clearTimeout(beatTimer);
      for (const c of conns) c.ws.terminate();
      server.closeAllConnections();
      await o.source.stop().catch(() => undefined);
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      store.close();
    },
  };
}
