/**
 * The sync client against a scripted server on loopback (so a test can send exactly the bad, late or
 * out-of-order frames it needs) with a FakeClock for every timer: heartbeats, the dead-link timeout and
 * the backoff run on fake time, so nothing here sleeps for them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeClock } from '@node/clock';
import type { EventApplier } from '@core/context';
import { createSyncStore } from '@core/link/apply';
import { createSyncClient } from '@core/link/client';
import { createOutbox } from '@core/link/outbox';
import { silentLogger } from '@node/log';
import type { DB } from '@node/sqlite';
import { openCoreDatabase } from '@core/store/open';
import { MAX_FRAME_BYTES, PROTOCOL } from '@shared/protocol';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';

interface Scripted {
  url: string;
  sockets: WebSocket[];
  received: Record<string, unknown>[];
  upgrades: number;
  /** 401 on upgrade when true */
  refuse: boolean;
  onHello?: (ws: WebSocket, hello: Record<string, unknown>) => void;
  close(): Promise<void>;
}

async function scripted(): Promise<Scripted> {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => PROTOCOL });
  const s: Scripted = {
    url: '',
    sockets: [],
    received: [],
    upgrades: 0,
    refuse: false,
    close: async () => {
      s.sockets.forEach((w) => w.terminate());
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('upgrade', (req, socket, head) => {
    s.upgrades++;
    if (s.refuse) return socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    wss.handleUpgrade(req, socket, head, (ws) => {
      s.sockets.push(ws);
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString());
        s.received.push(f);
        if (f.type === 'hello') s.onHello?.(ws, f);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  s.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

const send = (ws: WebSocket, f: unknown) => ws.send(typeof f === 'string' ? f : JSON.stringify(f));
const welcome = (mode: 'events' | 'snapshot', head = 0) => ({
  type: 'welcome',
  protocol: 1,
  serverId: 'srv',
  serverTime: 0,
  operator: 'op',
  head,
  mode,
});
const ev = (seq: number, k: string, v: number) => ({ type: 'event', seq, kind: 'kv.set', data: { k, v }, at: seq });

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function harness(url: string) {
  const t = tempDir('vigil-client-');
  const db: DB = openCoreDatabase(`${t.dir}/vigil.db`);
  db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const put = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v');
  const appliers: EventApplier[] = [
    {
      kind: 'kv.set',
      apply(d) {
        const { k, v } = d as { k: string; v: number };
        if (typeof v !== 'number') throw new Error('v must be a number');
        put.run(k, v);
        return 'alerts';
      },
      reset: () => db.exec('DELETE FROM kv'),
    },
  ];
  const clock = new FakeClock();
  const sync = createSyncStore(db, appliers, silentLogger, () => clock.now());
  const outbox = createOutbox(db, () => clock.now());
  let changes = 0;
  const client = createSyncClient({
    clock,
    log: silentLogger,
    sync,
    outbox,
    clientId: 'c1',
    operator: () => 'Tester',
    resolveTarget: async () => ({ url, token: 'tok' }),
    onChange: () => changes++,
    onStored: () => {},
    onResult: () => {},
    onIdentity: () => {},
    onRefused: () => {},
    heartbeatMs: 10_000,
    deadAfterMs: 30_000,
    backoffBaseMs: 1000,
    backoffCapMs: 8000,
    random: () => 0.5,
  });
  cleanups.push(async () => {
    await client.stop();
    db.close();
    t.cleanup();
  });
  const kv = () =>
    Object.fromEntries(
      (db.prepare('SELECT k, v FROM kv ORDER BY k').all() as { k: string; v: number }[]).map((r) => [r.k, r.v]),
    );
  return { db, client, clock, sync, outbox, kv, changes: () => changes };
}

async function connected(): Promise<{ srv: Scripted; h: ReturnType<typeof harness> }> {
  const srv = await scripted();
  cleanups.push(() => srv.close());
  srv.onHello = (ws, hello) => {
    if (hello.cursor === null) {
      send(ws, welcome('snapshot', 0));
      send(ws, { type: 'snapshot', seq: 0, chunk: 0, chunks: 1, received: 0, total: 0, items: [] });
    } else send(ws, welcome('events', 0));
  };
  const h = harness(srv.url);
  h.client.start();
  await until(() => h.client.view().status === 'online' && h.sync.read() !== null, 'online with a base');
  return { srv, h };
}

describe('sync client', () => {
  it('rejects bad frames from the server, counts them, keeps the socket and the store', async () => {
    const { srv, h } = await connected();
    const ws = srv.sockets[0];
    send(ws, ev(1, 'a', 1));
    send(ws, '{not json');
    send(ws, { type: 'event', seq: 'two', kind: 'kv.set', data: {}, at: 0 });
    send(ws, { type: 'hologram', payload: 1 });
    ws.send(Buffer.from([0, 1, 2]), { binary: true });
    send(ws, { type: 'ping', t: 1, pad: 'x'.repeat(MAX_FRAME_BYTES + 10) });
    send(ws, { type: 'event', seq: 2, kind: 'kv.set', data: { k: 'b', v: 'not a number' }, at: 0 });
    send(ws, { type: 'event', seq: 3, kind: 'kind.from.v2', data: { anything: true }, at: 0 });
    send(ws, ev(4, 'c', 4));
    await until(() => h.sync.read()?.cursor === 4, 'the good events');
    expect(h.kv()).toEqual({ a: 1, c: 4 });
    expect(h.client.stats()).toMatchObject({
      badFrames: { bad_json: 1, bad_frame: 1, unknown_type: 1, binary_frame: 1, frame_too_large: 1 },
      rejectedEvents: 1,
      unknownKinds: 1,
      eventsApplied: 2,
    });
    expect(h.client.view().status).toBe('online');
    expect(srv.sockets).toHaveLength(1);
    expect(h.db.prepare('SELECT seq, kind FROM sync_rejects').all()).toEqual([{ seq: 2, kind: 'kv.set' }]);
  });

  it('an out-of-order seq is not stored: the client says hello again with its cursor on the same socket', async () => {
    const { srv, h } = await connected();
    const ws = srv.sockets[0];
    send(ws, ev(1, 'a', 1));
    send(ws, ev(2, 'b', 2));
    send(ws, ev(5, 'e', 5)); // 3 and 4 missing
    send(ws, ev(6, 'f', 6));
    await until(() => srv.received.filter((f) => f.type === 'hello').length === 2, 'a second hello');
    const hello = srv.received.filter((f) => f.type === 'hello')[1];
    expect(hello).toMatchObject({ cursor: 2, serverId: 'srv' });
    expect(h.kv()).toEqual({ a: 1, b: 2 });
    expect(h.client.stats().gaps).toBe(1);
    expect(srv.sockets).toHaveLength(1);
    // the server answers the new hello with the missing events
    [3, 4, 5, 6].forEach((n) => send(ws, ev(n, String(n), n)));
    await until(() => h.sync.read()?.cursor === 6, 'the resumed stream');
    expect(Object.keys(h.kv())).toEqual(['3', '4', '5', '6', 'a', 'b']);
  });

  it('a silent server is declared dead after the heartbeat timeout; retries back off on the clock', async () => {
    const { srv, h } = await connected();
    // the server stops answering anything (no pongs)
    h.clock.advance(10_000);
    await until(() => srv.received.some((f) => f.type === 'ping'), 'a ping');
    expect(h.client.view().status).toBe('online');
    h.clock.advance(20_001);
    expect(h.client.view().status).toBe('offline');
    expect(h.client.view().lastError).toMatch(/No word from the platform for 30 s/);
    const since = h.client.view().since;
    // random 0.5 → the first retry waits half the 1 s ceiling
    const upgrades = srv.upgrades;
    h.clock.advance(499);
    await new Promise((r) => setImmediate(r));
    expect(srv.upgrades).toBe(upgrades);
    h.clock.advance(1);
    await until(() => srv.upgrades === upgrades + 1, 'the retry');
    await until(() => h.client.view().status === 'online', 'back online');
    // while down, "offline since" kept the moment the link was lost
    expect(since).toBeGreaterThan(0);
  });

  it('a refused token stops retrying (auth_failed) until reconnect is asked for', async () => {
    const srv = await scripted();
    cleanups.push(() => srv.close());
    srv.refuse = true;
    const h = harness(srv.url);
    h.client.start();
    await until(() => h.client.view().status === 'auth_failed', 'auth failed');
    h.clock.advance(600_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.upgrades).toBe(1);
    srv.refuse = false;
    srv.onHello = (ws) => {
      send(ws, welcome('snapshot'));
      send(ws, { type: 'snapshot', seq: 0, chunk: 0, chunks: 1, received: 0, total: 0, items: [] });
    };
    h.client.reconnect();
    await until(() => h.client.view().status === 'online', 'online after reconnect');
  });

  it('a degraded upstream shows as degraded with the reason, and recovers', async () => {
    const { srv, h } = await connected();
    send(srv.sockets[0], { type: 'status', upstream: 'down', detail: 'Alertmanager unreachable' });
    await until(() => h.client.view().status === 'degraded', 'degraded');
    expect(h.client.view().lastError).toBe('Alertmanager unreachable');
    send(srv.sockets[0], { type: 'status', upstream: 'ok', detail: null });
    await until(() => h.client.view().status === 'online', 'online');
  });

  it('an action submitted inside a transaction that rolls back is never sent', async () => {
    const { srv, h } = await connected();
    expect(() =>
      h.db.transaction(() => {
        h.outbox.submit('alert.unack', { fingerprint: 'ghost' }, 'Tester');
        h.client.kick();
        throw new Error('the module changed its mind');
      })(),
    ).toThrow(/changed its mind/);
    const kept = h.outbox.submit('alert.unack', { fingerprint: 'real' }, 'Tester');
    h.client.kick();
    await until(() => srv.received.some((f) => f.type === 'action'), 'the real action');
    expect(srv.received.filter((f) => f.type === 'action').map((f) => f.id)).toEqual([kept.id]);
  });

  it('sends the outbox in order after the welcome, once per connection, and resends unanswered ones after a reconnect', async () => {
    const { srv, h } = await connected();
    const a = h.outbox.submit('alert.unack', { fingerprint: 'a' }, 'Tester');
    const b = h.outbox.submit('alert.unack', { fingerprint: 'b' }, 'Tester');
    h.client.kick();
    h.client.kick();
    await until(() => srv.received.filter((f) => f.type === 'action').length === 2, 'two actions');
    send(srv.sockets[0], { type: 'result', id: a.id, ok: true });
    await until(() => h.outbox.get(a.id)?.state === 'acked', 'a acked');
    srv.sockets[0].terminate();
    await until(() => h.client.view().status === 'offline', 'offline');
    h.clock.advance(1000);
    await until(() => srv.received.filter((f) => f.type === 'action').length === 3, 'the resend');
    const actions = srv.received.filter((f) => f.type === 'action').map((f) => f.id);
    expect(actions).toEqual([a.id, b.id, b.id]);
    expect(h.outbox.get(b.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });
});
