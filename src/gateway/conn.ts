/** One client connection's state, and sending frames to it. */
import type { WireError } from '@shared/protocol';
import type { Principal } from './auth';

/** What the gateway needs of a WebSocket (ws's WebSocket has it; unit tests pass a fake). */
export interface Socket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: string | Buffer, cb?: (err?: Error) => void): void;
  send(data: string | Buffer, opts: { binary: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/**
 * The TCP (or TLS) socket under the WebSocket, as far as batched writes go (a net.Socket has it). The
 * gateway's WebSocket server has no extensions (no permessage-deflate), so ws writes every frame to this
 * socket at once, never queued: bytes written here go out in order with ws's own frames.
 */
export interface Transport {
  readonly writable: boolean;
  cork(): void;
  uncork(): void;
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
}

export interface Conn {
  ws: Socket;
  /**
   * The TCP socket under `ws`, when known: the pump corks it around a batch, so a batch of event frames
   * leaves in one write (syscall) instead of one per frame.
   */
  transport: Transport | null;
  clientId: string | null;
  /** who the credential proved (for the shared token, the name comes with the hello) */
  who: Principal;
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

export function newConn(ws: Socket, now: number, who: Principal, transport: Transport | null = null): Conn {
  return {
    ws,
    transport,
    clientId: null,
    who,
    cursor: 0,
    live: false,
    pumping: false,
    lastHeard: now,
    chain: Promise.resolve(),
    stream: 0,
  };
}

export const isOpen = (c: Conn): boolean => c.ws.readyState === c.ws.OPEN;

/**
 * Bytes queued for a client that does not read (e.g. one flooding frames and ignoring the error frames):
 * beyond this its socket is closed with 1008 instead of the gateway buffering without end. Snapshots and
 * event batches are paced well below it (stream.ts).
 */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
export const CLOSE_POLICY = 1008;

/** Sends one frame when the socket is open (false when it is not). A Buffer goes as a text frame: UTF-8 JSON. */
export function send(c: Conn, frame: object | string | Buffer, cb?: (err?: Error) => void): boolean {
  if (!isOpen(c)) return false;
  if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    c.ws.close(CLOSE_POLICY, 'the client does not read what it is sent');
    return false;
  }
  if (Buffer.isBuffer(frame)) c.ws.send(frame, { binary: false }, cb);
  else c.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame), cb);
  return true;
}

/**
 * Writes ready-made WebSocket frames (tail.ts: `wireRun`) to the socket under c.ws in one call, with the
 * checks of `send`; false when it cannot (no transport known, or the socket is not open).
 */
export function sendWire(c: Conn, wire: Buffer, cb?: (err?: Error | null) => void): boolean {
  if (!c.transport || !isOpen(c) || !c.transport.writable) return false;
  if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    c.ws.close(CLOSE_POLICY, 'the client does not read what it is sent');
    return false;
  }
  c.transport.write(wire, cb);
  return true;
}

export const sendError = (c: Conn, error: WireError, fatal = false): boolean =>
  send(c, { type: 'error', error, fatal: fatal || undefined });
