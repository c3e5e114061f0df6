/**
 * The security headers the built browser host actually serves (out/main/host.js as users run it), for
 * the page and for every asset the built page loads, and the CSP meta tag in the built index.html.
 * Fails on any weakening: an inline or eval script source, a foreign origin, a missing directive.
 * (test/unit/foundation/hardening.test.ts checks the source declarations; this checks the artifact.)
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CSP } from '@shared/csp';
import { tempDir } from '@test/helpers/tmp';
import { builtApp, startHostProc, type HostProc } from '@test/chaos/procs';

const SECRET = randomBytes(18).toString('base64url');
let dir: { dir: string; cleanup(): void };
let host: HostProc;

beforeAll(async () => {
  dir = tempDir('vigil-hardening-host-');
  // a platform nobody answers: the host must not start the embedded demo gateway for this audit
  host = await startHostProc({
    dataDir: dir.dir,
    secret: SECRET,
    platform: 'ws://127.0.0.1:9',
    token: 'unused-token-0123456789',
  });
}, 120_000);
afterAll(async () => {
  await host?.stop();
  dir?.cleanup();
});

function get(
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: host.port, path: p, headers: { Host: `127.0.0.1:${host.port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const directives = (csp: string): Record<string, string[]> =>
  Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => d.split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );

/** What every CSP Vigil sends must keep; `where` names it in the failure. */
function expectStrict(csp: string, where: string) {
  const d = directives(csp);
  expect(d['default-src'], where).toEqual(["'self'"]);
  expect(d['script-src'], where).toEqual(["'self'"]);
  expect(d['object-src'], where).toEqual(["'none'"]);
  expect(d['base-uri'], where).toEqual(["'none'"]);
  expect(d['form-action'], where).toEqual(["'none'"]);
  for (const [k, v] of Object.entries(d)) {
    expect(v, `${where} ${k}`).not.toContain("'unsafe-eval'");
    expect(v, `${where} ${k}`).not.toContain("'wasm-unsafe-eval'");
    expect(v, `${where} ${k}`).not.toContain('*');
    expect(
      v.filter((s) => /^(https?|data|blob|filesystem):?/.test(s) && !(k === 'img-src' && s === 'data:')),
      `${where} ${k}`,
    ).toEqual([]);
    // ws: is allowed to loopback only (the browser host's own RPC socket)
    for (const s of v.filter((x) => /^wss?:/.test(x)))
      expect(s, `${where} ${k}`).toMatch(/^ws:\/\/(127\.0\.0\.1|localhost):\*$/);
  }
  for (const k of ['script-src', 'default-src']) expect(d[k], `${where} ${k}`).not.toContain("'unsafe-inline'");
}

describe('the CSP and headers the built host serves', () => {
  it('serves the page with the shared CSP, frame-ancestors none, nosniff and no referrer', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toBe(CSP);
    expectStrict(String(r.headers['content-security-policy']), 'header');
    expect(directives(CSP)['frame-ancestors']).toEqual(["'none'"]);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('the built index.html carries an equally strict meta CSP and loads only its own files', async () => {
    const html = fs.readFileSync(path.join(builtApp(), 'renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta, 'index.html has no CSP meta tag').toBeTruthy();
    expectStrict(meta!, 'meta');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline handlers
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:'));
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      expect(a, 'a foreign asset').not.toMatch(/^[a-z]+:/i);
      const r = await get('/' + a.replace(/^\.?\//, ''));
      expect(r.status, a).toBe(200);
      expect(r.headers['content-security-policy'], a).toBe(CSP);
      expect(r.headers['x-content-type-options'], a).toBe('nosniff');
    }
  });

  it('refuses foreign Host headers, path traversal, other methods, foreign origins and a wrong secret', async () => {
    expect((await get('/', { Host: 'evil.example' })).status).toBe(421);
    expect((await get('/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    const post = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: host.port, path: '/', method: 'POST', headers: { Host: `127.0.0.1:${host.port}` } },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('x');
    });
    expect(post).toBe(405);
    const upgrade = (origin: string, secret: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc`, { headers: { Origin: origin } });
        ws.once('unexpected-response', (_q, res) => resolve(`http ${res.statusCode}`));
        ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', secret })));
        ws.once('message', (d) => resolve(`message ${d.toString()}`));
        ws.once('close', (code) => resolve(`close ${code}`));
        ws.once('error', (e) => resolve(`error ${e.message}`));
      });
    expect(await upgrade('http://evil.example', SECRET)).toBe('http 403');
    expect(await upgrade(host.origin, 'wrong-secret')).toBe('close 4401');
    expect(await upgrade(host.origin, SECRET)).toBe('message {"type":"ready"}');
  });
});
