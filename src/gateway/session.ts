/**
 * One accepted WebSocket, frame by frame: hello → welcome → status → snapshot or the events after the
 * client's cursor (then live); ping → pong; actions in the order they came, each answered with a result.
 * A bad frame gets an error frame and changes nothing; the socket stays open.
 */
import { DisplayNameSchema, recordName } from '@shared/identity';
import {
  CLOSE_PROTOCOL_ERROR,
  CLOSE_TRY_LATER,
  decodeClientFrame,
  ERROR_CODES,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  type ClientFrame,
} from '@shared/protocol';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import { frameText } from '@node/ws-frames';
import type { WebSocket } from 'ws';
import type { ActionFrame, ActionHandler } from './actions';
import type { Authenticator, Principal } from './auth';
import { newConn, send, sendError, type Conn, type Transport } from './conn';
import { statusFrame, type Hub } from './hub';
import type { GatewayMetrics } from './metrics';
import { withdraw } from './people';
import type { SnapshotLimit } from './snapshot-limit';
import type { EventLog } from './store';
import type { Stream } from './stream';

export interface SessionOptions {
  store: Pick<EventLog, 'serverId' | 'head' | 'oldest'>;
  clock: Pick<Clock, 'now'>;
  log: Logger;
  metrics: Pick<GatewayMetrics, 'badFrames'>;
  stream: Stream;
  hub: Hub;
  actions: ActionHandler;
  /** an action's credential is checked again when it comes (a revocation counts at once, not at the next poll) */
  auth: Pick<Authenticator, 'recheck'>;
  maxFrameBytes: number;
  /** how often one client may take a full snapshot (none: unlimited) */
  snapshotLimit?: SnapshotLimit;
}

export interface Sessions {
  /** takes over an upgraded socket, on which `who` is signed in, until it closes (`transport`: the TCP socket under it) */
  serve(ws: WebSocket, who: Principal, transport?: Transport): void;
  /** one decoded-or-not frame from c (exposed for tests) */
  onMessage(c: Conn, text: string | null, bytes: number): void;
}

type HelloFrame = Extract<ClientFrame, { type: 'hello' }>;

export function createSessions(o: SessionOptions): Sessions {
  function onHello(c: Conn, f: HelloFrame) {
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
    const who = c.who.identity;
    if (who.via === 'shared') {
      // the shared token proves no name: the typed one is used, and every record marks it unproven
      const typed = DisplayNameSchema.safeParse(f.operator ?? '');
      if (typed.success) c.who.identity = { ...who, name: typed.data };
    } else if (f.operator && f.operator !== who.name && f.operator !== who.login)
      o.log.log('info', 'gateway.operator_ignored', { login: who.login, claimed: f.operator.slice(0, 80) });
    c.live = false;
    c.pumping = false;
    c.stream++;
    const head = o.store.head();
    // the cursor counts only on this log, and only while the events after it are still there
    const resumable =
      f.cursor !== null && f.serverId === o.store.serverId && f.cursor <= head && f.cursor >= o.store.oldest() - 1;
    const mode = resumable ? 'events' : 'snapshot';
    const waitMs = mode === 'snapshot' && !f.probe ? (o.snapshotLimit?.take(f.clientId) ?? 0) : 0;
    if (waitMs > 0) {
      o.metrics.badFrames.inc({ reason: ERROR_CODES.rateLimited });
      o.log.log('warn', 'gateway.snapshot_rate_limited', { clientId: f.clientId, retryAfterMs: waitMs });
      send(c, {
        type: 'error',
        error: { code: ERROR_CODES.rateLimited, message: `too many full snapshots for this client: come back in ${Math.ceil(waitMs / 1000)} s` },
        fatal: true,
        retryAfterMs: waitMs,
      });
      return void c.ws.close(CLOSE_TRY_LATER, 'too many full snapshots');
    }
    send(c, {
      type: 'welcome',
      protocol: Math.min(f.protocol, PROTOCOL_VERSION),
      serverId: o.store.serverId,
      serverTime: o.clock.now(),
      operator: recordName(c.who.identity),
      identity: c.who.identity,
      head,
      mode,
    });
    if (f.probe) return void c.ws.close(1000, 'probe answered');
    send(c, statusFrame(o.hub.health()));
    o.log.log('info', 'gateway.hello', {
      clientId: f.clientId,
      login: c.who.identity.login,
      via: c.who.identity.via,
      cursor: f.cursor,
      mode,
      head,
    });
    if (resumable) {
      c.cursor = f.cursor!;
      c.live = true;
      o.stream.pump(c);
    } else o.stream.snapshot(c);
  }

  /** queued behind the connection's earlier actions; whatever goes wrong, the client gets a result */
  function onAction(c: Conn, f: ActionFrame) {
    c.chain = c.chain.then(async () => {
      const now = o.auth.recheck(c.who);
      const expired = c.who.expiresAt !== null && c.who.expiresAt <= o.clock.now();
      if (!now.ok || expired) {
        const refusal = now.ok ? 'expired' : now.refusal;
        const message = now.ok ? `the token of ${c.who.identity.login} expired` : now.message;
        // no result: the action stays unanswered in the console's outbox, to go again under a valid credential
        return withdraw(c, o.log, refusal, message);
      }
      c.who.identity = now.identity;
      try {
        const result = await o.actions.handle({ clientId: c.clientId, identity: c.who.identity }, f);
        send(c, result);
        if (!result.replay) o.hub.pumpAll();
      } catch (err) {
        o.log.log('error', 'gateway.action_failed', { id: f.id, err: String(err) });
        send(c, {
          type: 'result',
          id: f.id,
          ok: false,
          error: { code: ERROR_CODES.internal, message: `the gateway failed to apply the action: ${String(err)}` },
        });
      }
    });
  }

  function onMessage(c: Conn, text: string | null, bytes: number) {
    c.lastHeard = o.clock.now();
    const d = decodeClientFrame(text, bytes, o.maxFrameBytes);
    if (!d.ok) {
      o.metrics.badFrames.inc({ reason: d.code });
      o.log.log('warn', 'gateway.bad_frame', { clientId: c.clientId, code: d.code, message: d.message });
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
          o.metrics.badFrames.inc({ reason: ERROR_CODES.helloRequired });
          return void sendError(c, { code: ERROR_CODES.helloRequired, message: 'send hello before actions' });
        }
        return onAction(c, f);
    }
  }

  function serve(ws: WebSocket, who: Principal, transport?: Transport) {
    const c = newConn(ws, o.clock.now(), who, transport ?? null);
    o.hub.add(c);
    ws.on('message', (data, isBinary) => {
      const { text, bytes } = frameText(data, isBinary);
      try {
        onMessage(c, text, bytes);
      } catch (err) {
        o.log.log('error', 'gateway.frame_failed', { err: String(err) });
        sendError(c, { code: ERROR_CODES.internal, message: 'the gateway failed on this frame' });
      }
    });
    ws.on('error', (err) => {
      // ws reports an over-HARD_FRAME_BYTES frame here and closes with 1009
      o.metrics.badFrames.inc({
        reason:
          (err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame_too_large' : 'socket_error',
      });
      o.log.log('warn', 'gateway.socket_error', { err: err.message });
    });
    ws.on('close', () => o.hub.remove(c));
  }

  return { serve, onMessage };
}
