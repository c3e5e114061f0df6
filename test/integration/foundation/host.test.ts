/**
 * The browser host on a real loopback socket: static files, Host/Origin checks, the per-launch secret,
 * JSON-RPC round trips and pushed events, with the real core on a temp data dir.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCore, type Core } from '@core';
import { createLogger } from '@node/log';
import { startHost, type Host } from '@main/host/server';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';

const SECRET = 'test-secret-4f1c2b';
let core: Core;
let host: Host;
let staticDir: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const data = tempDir();
  const web = tempDir();
  cleanups.push(data.cleanup, web.cleanup);
  staticDir = web.dir;
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Vigil</title>');
  core = createCore({ dataDir: data.dir, transport: 'browser', log: createLogger({ write: () => {} }) });
  host = await startHost({ core, secret: SECRET, staticDir, log: createLogger({ write: () => {} }) });
});
afterAll(async () => {
  await host.close();
  await core.close();
  cleanups.forEach((c) => c());
});

function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, path: p, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Opened = { ws: WebSocket; frames: unknown[]; closed: Promise<{ code: number; reason: string }> };
function connect(opts: { origin?: string; host?: string } = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, {
      origin: opts.origin ?? `http://127.0.0.1:${host.port}`,
      headers: opts.host ? { Host: opts.host } : {},
    });
    const frames: unknown[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, frames, closed }));
    ws.on('error', reject);
  });
}

describe('browser host', () => {
  it('binds 127.0.0.1 and prints the secret only in the URL fragment', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#secret=test-secret-4f1c2b$/);
  });

  it('serves the page with a strict CSP', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('refuses a non-loopback Host header (DNS rebinding) for pages and sockets', async () => {
    expect((await get('/', { Host: 'evil.example:80' })).status).toBe(421);
    expect((await get('/', { Host: `attacker.127.0.0.1.nip.io:${host.port}` })).status).toBe(421);
    await expect(connect({ host: `evil.example:${host.port}` })).rejects.toThrow(/421/);
  });

  it('refuses a foreign Origin on the socket', async () => {
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect({ origin: `http://127.0.0.1:${host.port + 1}` })).rejects.toThrow(/403/);
  });

  it('refuses path traversal', async () => {
    expect((await get('/../../etc/passwd')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });

  it('closes with 4401 on a wrong or missing secret, before any data moves', async () => {
    const wrong = await connect();
    wrong.ws.send(JSON.stringify({ type: 'auth', secret: 'guess' }));
    expect(await wrong.closed).toEqual({ code: 4401, reason: 'invalid or missing secret' });
    expect(wrong.frames).toEqual([]);

    const skip = await connect();
    skip.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'settingsGet', params: [] }));
    expect((await skip.closed).code).toBe(4401);
    expect(skip.frames).toEqual([]);
  });

  it('carries the contract once authenticated: results, validation errors and pushed events', async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ type: 'auth', secret: SECRET }));
    await until(() => c.frames.length === 1, 'the first frame', 3000, 10);
    expect(c.frames[0]).toEqual({ type: 'ready' });
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'settingsSet', params: [{ theme: 'dark' }] }));
    c.ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'settingsSet', params: [{ theme: 'neon' }] }));
    await until(() => c.frames.length >= 4, 'four frames', 3000, 10);
    expect(c.frames).toContainEqual({ jsonrpc: '2.0', method: 'event', params: { name: 'settingsChanged', payload: expect.objectContaining({ theme: 'dark' }) } });
    expect(c.frames).toContainEqual({ jsonrpc: '2.0', id: 1, result: { ok: true, value: expect.objectContaining({ theme: 'dark' }) } });
    expect(c.frames).toContainEqual({ jsonrpc: '2.0', id: 2, result: { ok: false, error: { code: 'bad_arguments', message: expect.stringContaining('theme') } } });
    c.ws.send('not json at all');
    expect((await c.closed).code).toBe(4400);
  });
});
