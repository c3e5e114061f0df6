/**
 * What the sync client does with each decoded frame from the platform. Events and snapshots go to the
 * inbound stream (stream.ts); queued events are stored before any other frame takes effect, so a result
 * or a status never overtakes the events sent before it.
 */
import type { OutboxResult } from '@shared/contract/link';
import type { Identity } from '@shared/identity';
import { ERROR_CODES, type ServerFrame } from '@shared/protocol';
import type { Logger } from '@node/log';
import type { ClientViewState } from './client-view';
import { sendFrame, type Conn } from './conn';
import type { Outbox } from './outbox';
import type { InboundStream } from './stream';

export interface FrameDeps {
  log: Logger;
  outbox: Outbox;
  state: ClientViewState;
  stream: InboundStream;
  /** the server welcomed a connection: the reconnect backoff starts over */
  welcomed(): void;
  /** the server asked to come back no sooner than this (a rate_limited error frame) */
  retryAfter(ms: number): void;
  /** sends the actions this connection has not carried yet */
  sendActions(c: Conn): void;
  /** an action was answered */
  onResult(r: OutboxResult): void;
  /** the server said who this connection is (null: a gateway from before identity, which proves nobody) */
  onIdentity(identity: Identity | null): void;
}

/** what a gateway from before identity is taken as: the shared token (the typed name, unproven) */
const UNPROVEN: Identity = { login: null, name: '', role: 'responder', via: 'shared' };

export function createFrameHandler(d: FrameDeps) {
  const { state, stream } = d;
  const { view } = state;

  function welcome(c: Conn, f: Extract<ServerFrame, { type: 'welcome' }>) {
    c.welcomed = true;
    c.serverId = f.serverId;
    c.identity = f.identity ?? UNPROVEN;
    view.operator = f.operator;
    d.onIdentity(f.identity ?? null);
    d.welcomed();
    if (f.mode === 'snapshot') view.snapshot = { received: 0, total: 0 };
    state.setStatus(c.upstream === 'ok' ? 'online' : 'degraded', null);
    d.sendActions(c);
  }

  function result(f: Extract<ServerFrame, { type: 'result' }>) {
    const e = d.outbox.get(f.id);
    const error = f.ok ? null : (f.error ?? null);
    if (!d.outbox.settle(f.id, f.ok, error)) return;
    d.onResult({ id: f.id, type: e?.type ?? 'unknown', ok: f.ok, error, replay: !!f.replay });
    state.changed();
  }

  return function onFrame(c: Conn, f: ServerFrame): void {
    if (f.type === 'event') return stream.event(c, f);
    if (c.queue.length) stream.drain(c); // keep order: stored events before whatever this frame changes
    switch (f.type) {
      case 'welcome':
        return welcome(c, f);
      case 'snapshot':
        if (c.welcomed) stream.snapshot(c, f);
        return;
      case 'result':
        return result(f);
      case 'identity':
        // renamed, or a new role: the person is the same, so what was sent stays sent
        c.identity = f.identity;
        view.operator = f.operator;
        d.onIdentity(f.identity);
        state.changed();
        return;
      case 'status':
        c.upstream = f.upstream;
        if (c.welcomed)
          state.setStatus(
            f.upstream === 'ok' ? 'online' : 'degraded',
            f.upstream === 'ok' ? null : (f.detail ?? `upstream ${f.upstream}`),
          );
        return;
      case 'ping':
        sendFrame(c, { type: 'pong', t: f.t });
        return;
      case 'pong':
        return;
      case 'error':
        if (f.fatal && f.error.code === ERROR_CODES.credentialRevoked) c.withdrawn = 'revoked';
        if (f.fatal && f.error.code === ERROR_CODES.credentialExpired) c.withdrawn = 'expired';
        state.stats.serverErrors++;
        if (f.retryAfterMs) d.retryAfter(f.retryAfterMs);
        d.log.log(f.fatal ? 'error' : 'warn', 'link.server_error', { code: f.error.code, message: f.error.message });
        view.lastError = `${f.error.code}: ${f.error.message}`;
        state.changed();
        return;
    }
  };
}
