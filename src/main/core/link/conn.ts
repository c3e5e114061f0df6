/**
 * One connection attempt of the sync client: the socket and everything that belongs to it alone (the
 * stream position, queued events, a snapshot being assembled, which actions it carried, its timers).
 * A new attempt gets a new Conn, so late callbacks of an old socket find they are no longer current.
 */
import type WebSocket from 'ws';
import type { SignOutReason } from '@shared/domain';
import type { Identity } from '@shared/identity';
import type { Clock, TimerHandle } from '@node/clock';
import type { InboundEvent } from './apply';
import type { SnapshotStage } from './snapshot-stage';

export interface Conn {
  ws: WebSocket;
  url: string;
  /** the server answered this socket's (latest) hello */
  welcomed: boolean;
  serverId: string | null;
  /** who the server said this connection is (its welcome, or a later identity frame); null before */
  identity: Identity | null;
  /** a fatal error frame said the credential was withdrawn (revoked, expired): the close that follows is that */
  withdrawn: SignOutReason | null;
  upstream: 'ok' | 'degraded' | 'down';
  lastHeard: number;
  /** ids handed to this socket (each unanswered action goes once per connection) */
  sent: Set<string>;
  stage: SnapshotStage | null;
  queue: InboundEvent[];
  flushScheduled: boolean;
  timers: { connect: TimerHandle | null; beat: TimerHandle | null };
}

export function newConn(ws: WebSocket, url: string, now: number): Conn {
  return {
    ws,
    url,
    welcomed: false,
    serverId: null,
    identity: null,
    withdrawn: null,
    upstream: 'ok',
    lastHeard: now,
    sent: new Set(),
    stage: null,
    queue: [],
    flushScheduled: false,
    timers: { connect: null, beat: null },
  };
}

/** sends one frame if the socket is open; false when it is not */
export function sendFrame(c: Conn, frame: object): boolean {
  if (c.ws.readyState !== c.ws.OPEN) return false;
  c.ws.send(JSON.stringify(frame));
  return true;
}

export function clearConnTimers(c: Conn, clock: Clock): void {
  clock.clearTimeout(c.timers.connect);
  clock.clearTimeout(c.timers.beat);
  c.timers.connect = c.timers.beat = null;
}
