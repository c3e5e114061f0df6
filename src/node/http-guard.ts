/**
 * What every HTTP server Vigil runs (the browser host, the gateway) does with requests it did not write:
 * a request target is read by one total function that answers a 4xx instead of throwing, and the server,
 * each upgraded socket and each WebSocket get an `error` handler, so no request, however malformed, and no
 * peer that vanishes mid-write can end the process.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from './log';

/** the longest request target either server reads (a browser never sends more for our paths) */
export const MAX_TARGET_CHARS = 4096;

export type RequestPath = { ok: true; path: string; query: string } | { ok: false; status: 400 | 414; reason: string };

/** C0 controls, DEL and C1 controls: never part of a path we serve */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The decoded path of a request target (`/a%20b?x=1` → `/a b`), or why it is refused: too long (414),
 * not origin-form, raw bytes outside ASCII, a broken percent-escape or invalid UTF-8 once decoded, or a
 * control character (400). Never throws.
 */
export function requestPath(target: string | undefined): RequestPath {
  const raw = target ?? '/';
  if (raw.length > MAX_TARGET_CHARS) return { ok: false, status: 414, reason: 'request target too long' };
  if (!raw.startsWith('/')) return { ok: false, status: 400, reason: 'request target must start with /' };
  // browsers and HTTP clients percent-encode everything else: a raw byte outside printable ASCII is not ours
  if (!/^[\x21-\x7e]*$/.test(raw)) return { ok: false, status: 400, reason: 'raw control or non-ASCII byte in the request target' };
  const cut = raw.search(/[?#]/);
  const encoded = cut < 0 ? raw : raw.slice(0, cut);
  const query = cut < 0 || raw[cut] === '#' ? '' : raw.slice(cut + 1).split('#')[0];
  let path: string;
  try {
    path = decodeURIComponent(encoded);
  } catch {
    return { ok: false, status: 400, reason: 'broken percent-escape or invalid UTF-8 in the path' };
  }
  if (CONTROL.test(path)) return { ok: false, status: 400, reason: 'control character in the path' };
  return { ok: true, path, query };
}

/**
 * Server-wide handlers: a listening error after start, and requests the HTTP parser refuses (bad request
 * line, headers too large), answered with 400/431 and closed. Counted in the log, never fatal.
 */
export function guardServer(server: Server, log: Logger, name: string): void {
  server.on('error', (err) => log.log('error', `${name}.server_error`, { err: String(err) }));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    socket.on('error', () => undefined);
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (err.code !== 'ECONNRESET' && socket.writable)
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
    log.log('debug', `${name}.client_error`, { code: err.code ?? null });
  });
}

/**
 * An upgraded socket belongs to the caller until ws takes it over: without a listener, a peer resetting
 * it (or a refusal written to a closed socket) would raise an unhandled `error`.
 */
export function guardSocket(socket: Duplex, log: Logger, name: string): void {
  socket.on('error', (err) => log.log('debug', `${name}.socket_error`, { err: String(err) }));
}

/** Writes a refusal on an upgrade socket and closes it (nothing more is read from it). */
export function refuseUpgrade(socket: Duplex, status: number, text: string, extraHeaders = ''): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extraHeaders}\r\n${text}\n`);
}
