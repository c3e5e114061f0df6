/**
 * The browser host: serves the built renderer and carries the contract as JSON-RPC over a WebSocket, on
 * 127.0.0.1 only. Every request is checked for a loopback Host header (DNS rebinding) and, on the socket,
 * for our own Origin and the per-launch secret before any data moves.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventNames } from '@shared/api';
import { CSP } from '@shared/csp';
import {
  CLOSE_BAD_FRAME,
  CLOSE_BAD_SECRET,
  HostAuthSchema,
  RPC_PATH,
  RpcRequestSchema,
} from '@shared/jsonrpc';
import type { Core } from '@core';
import type { Logger } from '@node/log';
import { guardServer, guardSocket, refuseUpgrade, requestPath } from '@node/http-guard';
import { secretMatches } from '@node/secret';

export interface HostOptions {
  core: Core;
  secret: string;
  staticDir: string;
  port?: number;
  log: Logger;
}

/** the largest frame the page may send (the socket is closed with 1009 beyond it) */
export const HOST_MAX_FRAME_BYTES = 1024 * 1024;
/** requests of one socket being answered at once; a page that sends more is closed (1008) */
export const HOST_MAX_IN_FLIGHT = 512;
/** bytes queued for a page that does not read; beyond this its socket is closed (1008) */
export const HOST_MAX_BUFFERED = 64 * 1024 * 1024;

export interface Host {
  url: string;
  port: number;
  close(): Promise<void>;
}


const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader.toLowerCase());
}

export function isOwnOrigin(origin: string | undefined, port: number): boolean {
  if (!origin) return false;
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].includes(origin.toLowerCase());
}

export async function startHost(opts: HostOptions): Promise<Host> {
  const { core, secret, log } = opts;
  const root = path.resolve(opts.staticDir);
  if (!fs.existsSync(path.join(root, 'index.html')))
    throw new Error(`The renderer is not built (${root}/index.html is missing). Run "npm run build" first.`);
  log.addSecret(secret);
  let port = 0;

  const server = http.createServer((req, res) => serveStatic(root, port, req, res, log));
  guardServer(server, log, 'host');

  const wss = new WebSocketServer({ noServer: true, maxPayload: HOST_MAX_FRAME_BYTES });
  wss.on('error', (err) => log.log('error', 'host.ws_server_error', { err: String(err) }));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    guardSocket(socket, log, 'host');
    const reject = (code: number, why: string) => {
      log.log('warn', 'host.upgrade_refused', { why, origin: req.headers.origin ?? null });
      refuseUpgrade(socket, code, why);
    };
    const p = requestPath(req.url);
    if (!p.ok) return reject(p.status, 'Bad Request');
    if (p.path !== RPC_PATH) return reject(404, 'Not Found');
    if (!isLoopbackHost(req.headers.host, port)) return reject(421, 'Misdirected Request');
    if (!isOwnOrigin(req.headers.origin, port)) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, { core, secret, log }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/#secret=${encodeURIComponent(secret)}`,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A static file of the built renderer; any request target that cannot be read is a 4xx, never a throw. */
function serveStatic(root: string, port: number, req: http.IncomingMessage, res: http.ServerResponse, log: Logger): void {
  const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', Connection: 'close' });
    res.end(body);
  };
  res.on('error', (err) => log.log('debug', 'host.response_error', { err: String(err) }));
  if (!isLoopbackHost(req.headers.host, port)) return send(421, 'Vigil only answers on its loopback address.\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed\n');
  const p = requestPath(req.url);
  if (!p.ok) return send(p.status, `${p.reason}\n`);
  const rel = p.path === '/' ? 'index.html' : p.path.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  let isFile = false;
  try {
    isFile = file.startsWith(root + path.sep) && fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    isFile = false; // a name the file system refuses (too long, not a directory on the way) is not found
  }
  if (!isFile) return send(404, 'Not found\n');
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = fs.createReadStream(file);
  stream.on('error', (err) => {
    log.log('warn', 'host.read_failed', { err: String(err) });
    res.destroy();
  });
  stream.pipe(res);
}

interface SocketDeps {
  core: Core;
  secret: string;
  log: Logger;
}

/**
 * One page's socket: the secret first, then JSON-RPC requests. Anything else closes the socket with a code
 * the page turns into a message (4401 secret, 4400 frame, 1009 too large, 1008 flooding); ws itself closes
 * with 1007/1002 on invalid UTF-8 or a broken frame and reports it as an `error`, logged here.
 */
function serveSocket(ws: WebSocket, { core, secret, log }: SocketDeps): void {
  let authed = false;
  let unsubscribe: (() => void) | null = null;
  let inFlight = 0;
  const authTimer = setTimeout(() => ws.close(CLOSE_BAD_SECRET, 'invalid or missing secret'), 5000);
  const closeWith = (code: number, why: string) => {
    if (ws.readyState === ws.OPEN) ws.close(code, why);
  };
  /** a frame, or one already written as JSON text (the core answers some methods, the alert pages, as text) */
  const reply = (frame: unknown) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > HOST_MAX_BUFFERED) return closeWith(1008, 'the page does not read its answers');
    try {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    } catch (err) {
      log.log('error', 'host.send_failed', { err: String(err) });
    }
  };
  ws.on('error', (err) => log.log('warn', 'host.socket_error', { err: err.message, code: (err as { code?: string }).code ?? null }));
  ws.on('close', () => {
    clearTimeout(authTimer);
    unsubscribe?.();
  });
  ws.on('message', (data, isBinary) => {
    if (ws.readyState !== ws.OPEN) return; // closing: what is still in the pipe is not read
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      msg = JSON.parse(data.toString());
    } catch {
      return closeWith(CLOSE_BAD_FRAME, 'frames must be JSON text');
    }
    if (!authed) {
      const auth = HostAuthSchema.safeParse(msg);
      if (!auth.success || !secretMatches(auth.data.secret, secret)) return closeWith(CLOSE_BAD_SECRET, 'invalid or missing secret');
      authed = true;
      clearTimeout(authTimer);
      unsubscribe = core.on((name, payload) => {
        if (eventNames.includes(name)) reply({ jsonrpc: '2.0', method: 'event', params: { name, payload } });
      });
      return reply({ type: 'ready' });
    }
    const req = RpcRequestSchema.safeParse(msg);
    if (!req.success) return closeWith(CLOSE_BAD_FRAME, 'not a JSON-RPC request');
    if (++inFlight > HOST_MAX_IN_FLIGHT) return closeWith(1008, 'too many requests at once');
    // the envelope as JSON text: the core answers some methods (the alert pages) as text directly
    core
      .dispatchJson(req.data.method, req.data.params)
      .catch((err: unknown) => JSON.stringify({ ok: false, error: { code: 'internal', message: String(err) } }))
      .then((result) => reply(`{"jsonrpc":"2.0","id":${JSON.stringify(req.data.id)},"result":${result}}`))
      .finally(() => inFlight--);
  });
}
