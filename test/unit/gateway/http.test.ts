/**
 * The gateway's HTTP side alone, on loopback: the routes (src/gateway/http.ts) — /healthz, /metrics,
 * /webhook with its size, JSON and source checks, 404 for the rest — and the WebSocket upgrade's refusals
 * (src/gateway/upgrade.ts): shutting down, a missing or wrong token (never logged), no vigil.v1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL } from '@shared/protocol';
import { createLogger } from '@node/log';
import { createRoutes, type RoutesOptions } from '@gateway/http';
import { createGatewayMetrics } from '@gateway/metrics';
import type { ActionOutcome, SourceHealth } from '@gateway/source';
import { bearerToken, createUpgradeHandler, offersProtocol } from '@gateway/upgrade';
import { createAuthenticator } from '@gateway/auth';

let servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  servers = [];
});

async function listen(server: http.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function routes(over: Partial<RoutesOptions> = {}) {
  const metrics = createGatewayMetrics('test');
  let health: SourceHealth = { upstream: 'ok', detail: null };
  const hooked: unknown[] = [];
  const o: RoutesOptions = {
    store: { serverId: 'server-1', head: () => 42 },
    source: {
      name: 'test',
      webhook: (body: unknown): ActionOutcome => {
        hooked.push(body);
        return (body as { version?: string }).version === '4'
          ? { ok: true }
          : { ok: false, error: { code: 'bad_webhook', message: 'not a webhook v4 body' } };
      },
    },
    metrics,
    health: () => health,
    connections: () => 3,
    leadership: () => ({ replica: 'gw-a', leads: ['prod', 'staging'], leader: 'gw-a' }),
    maxBodyBytes: 1024,
    ...over,
  };
  return { o, metrics, hooked, setHealth: (h: SourceHealth) => (health = h) };
}

const metricLine = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name));

describe('gateway HTTP routes', () => {
  it('/healthz says who it is, how far its log goes, the upstream health, the connections and what this replica leads', async () => {
    const r = routes();
    const base = await listen(http.createServer(createRoutes(r.o)));
    r.setHealth({ upstream: 'down', detail: 'Alertmanager at http://am:9093 is unreachable: connection refused' });
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toEqual({
      status: 'ok',
      serverId: 'server-1',
      source: 'test',
      head: 42,
      upstream: 'down',
      detail: 'Alertmanager at http://am:9093 is unreachable: connection refused',
      connections: 3,
      replica: 'gw-a',
      leads: ['prod', 'staging'],
      leader: 'gw-a',
      paging: null,
    });
    // with paging: what this replica runs the ladders and the outbox for (none while another replica leads)
    let runs = ['prod', 'staging'];
    const paged = await listen(http.createServer(createRoutes({ ...r.o, paging: () => ({ runs }) })));
    expect(((await (await fetch(`${paged}/healthz`)).json()) as { paging: unknown }).paging).toEqual({ runs: ['prod', 'staging'] });
    runs = [];
    expect(((await (await fetch(`${paged}/healthz`)).json()) as { paging: unknown }).paging).toEqual({ runs: [] });
  });

  it('/metrics is Prometheus text with the current connection count', async () => {
    const r = routes();
    const base = await listen(http.createServer(createRoutes(r.o)));
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metricLine(await res.text(), 'vigil_gateway_connections{')).toEqual([
      'vigil_gateway_connections{source="test"} 3',
    ]);
  });

  it('/webhook hands a JSON body to the source and answers with its verdict, counting each', async () => {
    const r = routes();
    const base = await listen(http.createServer(createRoutes(r.o)));
    const post = (body: string) => fetch(`${base}/webhook`, { method: 'POST', body });
    const ok = await post(JSON.stringify({ version: '4', status: 'firing', alerts: [] }));
    expect([ok.status, await ok.json()]).toEqual([200, { status: 'ok' }]);
    const rejected = await post(JSON.stringify({ version: '3' }));
    expect([rejected.status, await rejected.json()]).toEqual([
      400,
      { error: { code: 'bad_webhook', message: 'not a webhook v4 body' } },
    ]);
    const notJson = await post('{"version": "4",');
    expect([notJson.status, await notJson.json()]).toEqual([400, { error: 'the webhook body is not JSON' }]);
    const huge = await post(JSON.stringify({ version: '4', pad: 'x'.repeat(5000) })).catch((e: Error) => e);
    // the body is refused as soon as it passes the limit (the client may see the 413 or the cut connection)
    if (!(huge instanceof Error)) expect(huge.status).toBe(413);
    expect(r.hooked).toHaveLength(2);
    const text = await r.metrics.registry.metrics();
    expect(metricLine(text, 'vigil_gateway_webhooks_total{').sort()).toEqual([
      'vigil_gateway_webhooks_total{result="bad_json",source="test"} 1',
      'vigil_gateway_webhooks_total{result="ok",source="test"} 1',
      'vigil_gateway_webhooks_total{result="rejected",source="test"} 1',
      'vigil_gateway_webhooks_total{result="too_large",source="test"} 1',
    ]);
  });

  it('a source whose webhook throws or rejects gets a 500 with the reason; the server keeps answering', async () => {
    let calls = 0;
    const r = routes({
      source: {
        name: 'broken',
        webhook: () => {
          calls++;
          if (calls % 2) throw new Error('boom');
          return Promise.reject(new Error('async boom'));
        },
      },
    });
    const base = await listen(http.createServer(createRoutes(r.o)));
    for (const why of ['boom', 'async boom']) {
      const res = await fetch(`${base}/webhook`, { method: 'POST', body: '{"version":"4"}' });
      expect([res.status, await res.json()]).toEqual([500, { error: `the broken source failed on the webhook: Error: ${why}` }]);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('malformed request targets are a 400 with the reason, never a throw', async () => {
    const base = await listen(http.createServer(createRoutes(routes().o)));
    const port = Number(new URL(base).port);
    for (const target of ['//', '/%', '/%C3%28', '/healthz%00']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: target }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on('error', reject);
        req.end();
      });
      expect(status, target).toBe(target === '//' ? 404 : 400);
    }
  });

  it('a source without webhooks answers 404; other paths and methods say what this server is', async () => {
    const r = routes({ source: { name: 'demo' } });
    const base = await listen(http.createServer(createRoutes(r.o)));
    const hook = await fetch(`${base}/webhook`, { method: 'POST', body: '{}' });
    expect([hook.status, await hook.json()]).toEqual([404, { error: 'the demo source takes no webhooks' }]);
    for (const [method, p] of [
      ['GET', '/'],
      ['GET', '/webhook'],
      ['POST', '/healthz'],
    ]) {
      const res = await fetch(`${base}${p}`, { method });
      expect(res.status, `${method} ${p}`).toBe(404);
      expect((await res.json()).error).toMatch(/this is a Vigil gateway/);
    }
  });
});

describe('gateway upgrade', () => {
  it('reads the bearer token and the offered subprotocols', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(offersProtocol(`other.v9, ${PROTOCOL}`)).toBe(true);
    expect(offersProtocol('other.v9')).toBe(false);
    expect(offersProtocol(undefined)).toBe(false);
  });

  async function gate(closing = false) {
    const metrics = createGatewayMetrics('test');
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    let accepted = 0;
    const server = http.createServer();
    server.on(
      'upgrade',
      createUpgradeHandler({
        auth: createAuthenticator({
          config: { personal: false, sharedToken: 'right-token-0123456789', trustedHeader: null },
          users: null,
          clock: { now: () => 0 },
          log,
        }),
        metrics,
        log,
        closing: () => closing,
        accept: (_req, socket) => {
          accepted++;
          socket.end('HTTP/1.1 418 Accepted Here\r\nConnection: close\r\n\r\n');
        },
      }),
    );
    const base = await listen(server);
    const open = (token: string | null, protocols = [PROTOCOL]) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(base.replace('http', 'ws'), protocols, {
          headers: token === null ? {} : { Authorization: `Bearer ${token}` },
        });
        ws.once('unexpected-response', (_req, res) => resolve(`${res.statusCode}`));
        ws.once('error', (e) => resolve(e.message));
      });
    return { metrics, lines, open, accepted: () => accepted };
  }

  it('refuses a missing or wrong token with 401, counts it and never logs the token', async () => {
    const g = await gate();
    expect(await g.open(null)).toBe('401');
    expect(await g.open('wrong-token-9876543210')).toBe('401');
    expect(g.accepted()).toBe(0);
    expect(metricLine(await g.metrics.registry.metrics(), 'vigil_gateway_auth_failures_total{')).toEqual([
      'vigil_gateway_auth_failures_total{source="test"} 2',
    ]);
    const logged = g.lines.map((l) => JSON.parse(l));
    expect(logged.map((l) => [l.action, l.credential])).toEqual([
      ['gateway.auth_failed', 'missing'],
      ['gateway.auth_failed', 'wrong'],
    ]);
    expect(g.lines.join('\n')).not.toContain('wrong-token-9876543210');
  });

  it('refuses a client without vigil.v1 (400), and everyone while shutting down (503)', async () => {
    const g = await gate();
    expect(await g.open('right-token-0123456789', ['other.v9'])).toBe('400');
    expect(g.accepted()).toBe(0);
    expect(await g.open('right-token-0123456789')).toBe('418');
    expect(g.accepted()).toBe(1);
    const closing = await gate(true);
    expect(await closing.open('right-token-0123456789')).toBe('503');
    expect(closing.accepted()).toBe(0);
  });
});
