/**
 * The browser host: serves the built renderer and carries the contract as JSON-RPC over a WebSocket, on
 * 127.0.0.1 only. Every request is checked for a loopback Host header (DNS rebinding) and, on the socket,
 * for our own Origin and the per-launch secret before any data moves.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { secretMatches } from '@node/secret';

export interface HostOptions {
  core: Core;
  secret: string;
  staticDir: string;
  port?: number;
  log: Logger;
}

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

  const server = http.createServer((req, res) => {
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff' });
      res.end(body);
    };
    if (!isLoopbackHost(req.headers.host, port)) return send(421, 'Vigil only answers on its loopback address.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed\n');
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = urlPath === '/' ? 'index.html' : urlPath.replace(/^\/+/, '');
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return send(404, 'Not found\n');
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const reject = (code: number, why: string) => {
      log.log('warn', 'host.upgrade_refused', { why, origin: req.headers.origin ?? null });
      socket.end(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\n\r\n`);
    };
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    if (p !== RPC_PATH) return reject(404, 'Not Found');
    if (!isLoopbackHost(req.headers.host, port)) return reject(421, 'Misdirected Request');
    if (!isOwnOrigin(req.headers.origin, port)) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket) {
    let authed = false;
    let unsubscribe: (() => void) | null = null;
    const authTimer = setTimeout(() => ws.close(CLOSE_BAD_SECRET, 'invalid or missing secret'), 5000);
    ws.on('close', () => {
      clearTimeout(authTimer);
      unsubscribe?.();
    });
    ws.on('message', async (data, isBinary) => {
      let msg: unknown;
      try {
        if (isBinary) throw new Error('binary frame');
        msg = JSON.parse(data.toString());
      } catch {
        ws.close(CLOSE_BAD_FRAME, 'frames must be JSON text');
        return;
      }
      if (!authed) {
        const auth = HostAuthSchema.safeParse(msg);
        if (!auth.success || !secretMatches(auth.data.secret, secret)) {
          ws.close(CLOSE_BAD_SECRET, 'invalid or missing secret');
          return;
        }
        authed = true;
        clearTimeout(authTimer);
        unsubscribe = core.on((name, payload) => {
          if (ws.readyState === ws.OPEN && eventNames.includes(name))
            ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { name, payload } }));
        });
        ws.send(JSON.stringify({ type: 'ready' }));
        return;
      }
      const req = RpcRequestSchema.safeParse(msg);
      if (!req.success) {
        ws.close(CLOSE_BAD_FRAME, 'not a JSON-RPC request');
        return;
      }
      // the envelope as JSON text: the core answers some methods (the alert pages) as text directly
      const result = await core.dispatchJson(req.data.method, req.data.params);
      if (ws.readyState === ws.OPEN) ws.send(`{"jsonrpc":"2.0","id":${req.data.id},"result":${result}}`);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
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
