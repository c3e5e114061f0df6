/**
 * The WebSocket upgrade: refused while shutting down (503), without the right bearer token (401, compared
 * in constant time, counted and logged without the token), or without the vigil.v1 subprotocol (400);
 * otherwise handed to `accept`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROTOCOL } from '@shared/protocol';
import type { Logger } from '@node/log';
import { secretMatches } from '@node/secret';
import type { GatewayMetrics } from './metrics';

export interface UpgradeOptions {
  token: string;
  metrics: Pick<GatewayMetrics, 'authFailures' | 'badFrames'>;
  log: Logger;
  closing(): boolean;
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** the token of an `Authorization: Bearer <token>` header, or null */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m ? m[1].trim() : null;
}

/** whether a Sec-WebSocket-Protocol header offers vigil.v1 */
export const offersProtocol = (header: string | string[] | undefined): boolean =>
  String(header ?? '')
    .split(',')
    .map((p) => p.trim())
    .includes(PROTOCOL);

export function createUpgradeHandler(o: UpgradeOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const refuse = (status: number, text: string, extra = '') => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}\r\n${text}\n`,
      );
    };
    if (o.closing()) return refuse(503, 'Service Unavailable');
    const token = bearerToken(req.headers.authorization);
    if (token === null || !secretMatches(token, o.token)) {
      o.metrics.authFailures.inc();
      // not "hadToken": the logger masks every field whose name says token
      const credential = token === null ? 'missing' : 'wrong';
      o.log.log('warn', 'gateway.auth_failed', { remote: req.socket.remoteAddress, credential });
      return refuse(401, 'Unauthorized', 'WWW-Authenticate: Bearer realm="vigil"\r\n');
    }
    if (!offersProtocol(req.headers['sec-websocket-protocol'])) {
      o.metrics.badFrames.inc({ reason: 'subprotocol' });
      return refuse(400, `Bad Request: subprotocol ${PROTOCOL} required`);
    }
    o.accept(req, socket, head);
  };
}
