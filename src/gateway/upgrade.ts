/**
 * The WebSocket upgrade: refused while shutting down (503), without the vigil.v1 subprotocol (400), or
 * without a credential the Authenticator accepts (401 missing/wrong/revoked/expired, 403 a proxy header
 * from an untrusted address or a person without a role; 503 when too many token checks are under way).
 * A refusal carries `X-Vigil-Auth: <reason>` so the console can say what failed; it is counted and logged
 * with the reason and the login when known, never the credential. Otherwise handed to `accept` with the
 * person the credential proved.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROTOCOL } from '@shared/protocol';
import type { Logger } from '@node/log';
import type { Authenticator, Principal } from './auth';
import type { GatewayMetrics } from './metrics';

export { bearerToken } from './auth';

export interface UpgradeOptions {
  auth: Pick<Authenticator, 'authenticate'>;
  metrics: Pick<GatewayMetrics, 'authFailures' | 'badFrames'>;
  log: Logger;
  closing(): boolean;
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, who: Principal): void;
}

/** whether a Sec-WebSocket-Protocol header offers vigil.v1 */
export const offersProtocol = (header: string | string[] | undefined): boolean =>
  String(header ?? '')
    .split(',')
    .map((p) => p.trim())
    .includes(PROTOCOL);

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  503: 'Service Unavailable',
};

export function createUpgradeHandler(o: UpgradeOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const refuse = (socket: Duplex, status: number, text: string, extra = '') => {
    if (socket.destroyed) return;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${extra}\r\n${text}\n`,
    );
  };
  return (req, socket, head) => {
    if (o.closing()) return refuse(socket, 503, 'Service Unavailable');
    if (!offersProtocol(req.headers['sec-websocket-protocol'])) {
      o.metrics.badFrames.inc({ reason: 'subprotocol' });
      return refuse(socket, 400, `Bad Request: subprotocol ${PROTOCOL} required`);
    }
    // a socket error while the credential is checked must not become an unhandled 'error'
    const ignore = () => undefined;
    socket.on('error', ignore);
    o.auth.authenticate(req).then(
      (r) => {
        socket.off('error', ignore);
        if (socket.destroyed) return;
        if (o.closing()) return refuse(socket, 503, 'Service Unavailable');
        if (r.ok) return o.accept(req, socket, head, r.principal);
        o.metrics.authFailures.inc();
        // "credential", not "token": the logger masks every field whose name says token
        o.log.log('warn', 'gateway.auth_failed', {
          remote: req.socket.remoteAddress,
          credential: r.refusal,
          login: r.login,
          message: r.message,
        });
        const challenge = r.status === 401 ? 'WWW-Authenticate: Bearer realm="vigil"\r\n' : '';
        refuse(socket, r.status, r.message, `${challenge}X-Vigil-Auth: ${r.refusal}\r\n`);
      },
      (err) => {
        o.log.log('error', 'gateway.auth_error', { err: String(err) });
        refuse(socket, 503, 'the gateway could not check the credential');
      },
    );
  };
}
