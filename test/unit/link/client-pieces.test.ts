/**
 * The sync client's units, each alone: snapshot assembly, the view, sending actions, the inbound stream
 * and the frame handler. A real SyncStore and outbox on SQLite; the socket is a stand-in that records
 * what would be sent (the lifecycle over a real socket is test/integration/link/client.test.ts).
 */
import type WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { OutboxResult } from '@shared/contract/link';
import type { ServerFrame } from '@shared/protocol';
import type { EventApplier } from '@core/context';
import { createSyncStore } from '@core/link/apply';
import { createClientView } from '@core/link/client-view';
import { newConn, type Conn } from '@core/link/conn';
import { createFrameHandler } from '@core/link/frames';
import { createOutbox } from '@core/link/outbox';
import { createActionSender } from '@core/link/sender';
import { stageChunk, type SnapshotFrame } from '@core/link/snapshot-stage';
import { createInboundStream } from '@core/link/stream';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import type { DB } from '@node/sqlite';
import { openCoreDatabase } from '@core/store/open';
import { tempDir } from '@test/helpers/tmp';

const chunk = (seq: number, n: number, of: number, keys: string[]): SnapshotFrame => ({
  type: 'snapshot',
  seq,
  chunk: n,
  chunks: of,
  received: n + 1,
  total: of,
  items: keys.map((k) => ({ kind: 'kv.set', data: { k, v: 1 } })),
});

describe('snapshot stage', () => {
  it('assembles chunks in order and says when the last one arrived', () => {
    const a = stageChunk(null, chunk(7, 0, 3, ['a']));
    expect(a).toMatchObject({ ok: true, complete: false });
    const b = stageChunk(a.ok ? a.stage : null, chunk(7, 1, 3, ['b', 'c']));
    const c = stageChunk(b.ok ? b.stage : null, chunk(7, 2, 3, []));
    expect(c).toMatchObject({ ok: true, complete: true, stage: { seq: 7, next: 3 } });
    expect(c.ok && c.stage.items.map((i) => (i.data as { k: string }).k)).toEqual(['a', 'b', 'c']);
    expect(stageChunk(null, chunk(9, 0, 1, ['x']))).toMatchObject({ ok: true, complete: true });
  });

  it('refuses a chunk out of order, of another seq, or without a chunk 0; chunk 0 starts over', () => {
    const first = stageChunk(null, chunk(7, 0, 3, ['a']));
    if (!first.ok) throw new Error('chunk 0 refused');
    expect(stageChunk(null, chunk(7, 1, 3, ['b']))).toEqual({ ok: false });
    expect(stageChunk(first.stage, chunk(7, 2, 3, ['c']))).toEqual({ ok: false });
    expect(stageChunk(first.stage, chunk(8, 1, 3, ['c']))).toEqual({ ok: false });
    const again = stageChunk(first.stage, chunk(8, 0, 2, ['z']));
    expect(again).toMatchObject({ ok: true, stage: { seq: 8, next: 1, items: [{ data: { k: 'z' } }] } });
  });
});

describe('client view', () => {
  it('keeps the moment an outage began while reconnect attempts come and go', () => {
    const clock = new FakeClock();
    let changes = 0;
    const v = createClientView(clock, () => changes++);
    v.setStatus('offline', 'refused');
    const began = v.view.since;
    clock.advance(5000);
    v.setStatus('connecting');
    expect(v.view).toMatchObject({ status: 'offline', since: began, lastError: 'refused' });
    v.setStatus('online', null);
    expect(v.view).toMatchObject({ status: 'online', since: clock.now(), lastError: null });
    expect(changes).toBe(3);
    v.countBad('bad_json');
    v.countBad('bad_json');
    const copy = v.statsCopy();
    copy.badFrames.bad_json = 99;
    expect(v.statsCopy().badFrames).toEqual({ bad_json: 2 });
  });
});

// ---- pieces over SQLite and a stand-in socket ----------------------------------------------------------

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

interface FakeSocket {
  readyState: number;
  OPEN: number;
  sent: Record<string, unknown>[];
  send(text: string): void;
}

function socket(): FakeSocket {
  const ws: FakeSocket = { readyState: 1, OPEN: 1, sent: [], send: (text) => void ws.sent.push(JSON.parse(text)) };
  return ws;
}

function kvAppliers(db: DB): EventApplier[] {
  db.exec('CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const set = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v');
  return [
    {
      kind: 'kv.set',
      apply(data) {
        const d = z.object({ k: z.string(), v: z.number() }).parse(data);
        set.run(d.k, d.v);
        return 'alerts';
      },
      reset: () => db.exec('DELETE FROM kv'),
    },
  ];
}

function setup() {
  const t = tempDir('vigil-client-pieces-');
  const db = openCoreDatabase(`${t.dir}/vigil.db`);
  cleanups.push(t.cleanup, () => db.close());
  const clock = new FakeClock();
  const outbox = createOutbox(db, () => clock.now());
  const sync = createSyncStore(db, kvAppliers(db), silentLogger, () => clock.now());
  const state = createClientView(clock, () => {});
  const ws = socket();
  const conn: Conn = newConn(ws as unknown as WebSocket, 'ws://127.0.0.1:9/', clock.now());
  let current: Conn | null = conn;
  const stored: string[][] = [];
  const failures: unknown[] = [];
  const stream = createInboundStream({
    clock,
    log: silentLogger,
    sync,
    state,
    clientId: 'c1',
    operator: () => 'Li Wei',
    batchMax: 2,
    isCurrent: (c) => c === current,
    onStored: (s) => void stored.push([...s]),
    storeFailed: (_c, err) => void failures.push(err),
  });
  const kv = () => Object.fromEntries((db.prepare('SELECT k, v FROM kv ORDER BY k').all() as { k: string; v: number }[]).map((r) => [r.k, r.v]));
  const hellos = () => ws.sent.filter((f) => f.type === 'hello');
  return { db, clock, outbox, sync, state, ws, conn, stream, stored, failures, kv, hellos, drop: () => (current = null) };
}

const ev = (seq: number, k: string, v = seq): Extract<ServerFrame, { type: 'event' }> => ({ type: 'event', seq, kind: 'kv.set', data: { k, v }, at: 1 });
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('action sender', () => {
  it('sends each unanswered action once per welcomed connection, in submit order, and again on a new one', () => {
    const s = setup();
    let changed = 0;
    const send = createActionSender(s.outbox, () => changed++);
    const a = s.outbox.submit('alert.ack', { fingerprint: 'fp1' }, 'Li Wei');
    const b = s.outbox.submit('alert.resolve', { fingerprint: 'fp2' }, 'Li Wei');
    send(s.conn);
    expect(s.ws.sent).toEqual([]); // not welcomed yet
    s.conn.welcomed = true;
    send(s.conn);
    send(s.conn);
    expect(s.ws.sent.map((f) => [f.type, f.id, f.action, f.actor])).toEqual([
      ['action', a.id, 'alert.ack', 'Li Wei'],
      ['action', b.id, 'alert.resolve', 'Li Wei'],
    ]);
    expect(changed).toBe(1);
    expect(s.outbox.get(a.id)?.state).toBe('sent');
    s.outbox.settle(a.id, true, null);
    const ws2 = socket();
    const next = newConn(ws2 as unknown as WebSocket, 'ws://127.0.0.1:9/', s.clock.now());
    next.welcomed = true;
    send(next);
    expect(ws2.sent.map((f) => f.id)).toEqual([b.id]);
    send(null);
  });

  it('stops when the socket is no longer open', () => {
    const s = setup();
    const send = createActionSender(s.outbox, () => {});
    s.outbox.submit('alert.ack', { fingerprint: 'fp1' }, 'x');
    s.conn.welcomed = true;
    s.ws.readyState = 3;
    send(s.conn);
    expect(s.ws.sent).toEqual([]);
    expect(s.outbox.unanswered()[0].state).toBe('pending');
  });
});

describe('inbound stream', () => {
  it('hello carries the stored cursor and resets what the socket had queued or staged', () => {
    const s = setup();
    s.stream.hello(s.conn);
    expect(s.hellos()).toEqual([expect.objectContaining({ clientId: 'c1', cursor: null, serverId: null, operator: 'Li Wei' })]);
    s.sync.applySnapshot({ seq: 41, serverId: 'gw-1', platform: s.conn.url, items: [], at: 1 });
    s.conn.queue.push({ seq: 42, kind: 'kv.set', data: { k: 'a', v: 1 }, at: 1 });
    s.conn.welcomed = true;
    s.stream.hello(s.conn);
    expect(s.hellos()[1]).toMatchObject({ cursor: 41, serverId: 'gw-1' });
    expect(s.conn).toMatchObject({ welcomed: false, queue: [], stage: null });
  });

  it('stores the events of one read together, after the turn, in batches; ignores them before the welcome', async () => {
    const s = setup();
    s.sync.applySnapshot({ seq: 0, serverId: 'gw-1', platform: s.conn.url, items: [], at: 1 });
    s.stream.event(s.conn, ev(1, 'early'));
    s.conn.welcomed = true;
    for (const [i, k] of ['a', 'b', 'c'].entries()) s.stream.event(s.conn, ev(i + 1, k));
    expect(s.kv()).toEqual({});
    await nextTurn();
    expect(s.kv()).toEqual({ a: 1, b: 2, c: 3 });
    expect(s.state.stats.eventsApplied).toBe(3);
    expect(s.stored).toEqual([['alerts'], ['alerts']]); // batchMax 2: two transactions
    expect(s.sync.read()?.cursor).toBe(3);
  });

  it('a gap stops the batch and says hello again from the stored cursor, on the same socket', async () => {
    const s = setup();
    s.sync.applySnapshot({ seq: 0, serverId: 'gw-1', platform: s.conn.url, items: [], at: 1 });
    s.conn.welcomed = true;
    s.stream.event(s.conn, ev(1, 'a'));
    s.stream.event(s.conn, ev(3, 'c'));
    await nextTurn();
    expect(s.kv()).toEqual({ a: 1 });
    expect(s.state.stats.gaps).toBe(1);
    expect(s.hellos().at(-1)).toMatchObject({ cursor: 1 });
  });

  it('nothing is stored for a connection that is no longer current; a store failure is handed on', async () => {
    const s = setup();
    s.conn.welcomed = true;
    s.stream.event(s.conn, ev(1, 'a'));
    s.drop();
    await nextTurn();
    expect(s.kv()).toEqual({});
    const t = setup();
    t.conn.welcomed = true;
    t.db.close(); // as good as a disk that refuses writes: the cursor cannot move
    t.stream.event(t.conn, ev(1, 'a'));
    await nextTurn();
    expect(String(t.failures[0])).toMatch(/database connection is not open/);
  });

  it('assembles a snapshot and stores it whole; a bad chunk or an event in between starts over', () => {
    const s = setup();
    s.conn.welcomed = true;
    s.stream.snapshot(s.conn, chunk(5, 0, 2, ['a']));
    expect(s.state.view.snapshot).toEqual({ received: 1, total: 2 });
    expect(s.kv()).toEqual({});
    s.stream.snapshot(s.conn, chunk(5, 1, 2, ['b']));
    expect(s.kv()).toEqual({ a: 1, b: 1 });
    expect(s.sync.read()).toMatchObject({ cursor: 5 });
    expect(s.state.view.snapshot).toBeNull();
    expect(s.state.stats.snapshots).toBe(1);
    expect(s.stored.at(-1)).toEqual(expect.arrayContaining(['alerts', 'runbooks', 'rosters', 'incidents']));

    s.conn.welcomed = true;
    s.stream.snapshot(s.conn, chunk(9, 0, 3, ['x']));
    s.stream.event(s.conn, ev(10, 'y'));
    expect(s.state.stats.badFrames.event_during_snapshot).toBe(1);
    s.conn.welcomed = true;
    s.stream.snapshot(s.conn, chunk(9, 2, 3, ['z']));
    expect(s.state.stats.badFrames.snapshot_out_of_order).toBe(1);
    expect(s.hellos()).toHaveLength(2);
    expect(s.kv()).toEqual({ a: 1, b: 1 });
  });
});

describe('frame handler', () => {
  function handler() {
    const s = setup();
    const results: OutboxResult[] = [];
    const calls: string[] = [];
    const onFrame = createFrameHandler({
      log: silentLogger,
      outbox: s.outbox,
      state: s.state,
      stream: s.stream,
      welcomed: () => calls.push('backoff reset'),
      retryAfter: (ms) => calls.push(`retry after ${ms}`),
      sendActions: () => calls.push('send actions'),
      onResult: (r) => results.push(r),
      onIdentity: (i) => calls.push(`identity ${i?.login ?? 'none'}`),
    });
    return { ...s, onFrame, results, calls };
  }
  const welcome = (mode: 'snapshot' | 'events'): ServerFrame => ({ type: 'welcome', protocol: 1, serverId: 'gw-1', serverTime: 1, operator: 'Li Wei', head: 0, mode });

  it('welcome: online (or degraded upstream), backoff reset, then the waiting actions go', () => {
    const h = handler();
    h.onFrame(h.conn, { type: 'status', upstream: 'degraded', detail: 'Alertmanager slow' });
    expect(h.state.view.status).toBe('connecting'); // not welcomed: remembered, not shown
    h.onFrame(h.conn, welcome('snapshot'));
    expect(h.conn).toMatchObject({ welcomed: true, serverId: 'gw-1' });
    expect(h.state.view).toMatchObject({ status: 'degraded', operator: 'Li Wei', snapshot: { received: 0, total: 0 } });
    expect(h.calls).toEqual(['identity none', 'backoff reset', 'send actions']);
    h.onFrame(h.conn, { type: 'status', upstream: 'ok', detail: null });
    expect(h.state.view).toMatchObject({ status: 'online', lastError: null });
  });

  it('result: settles the outbox entry and reports it once', () => {
    const h = handler();
    const a = h.outbox.submit('alert.ack', { fingerprint: 'fp1' }, 'x');
    h.outbox.markSent(a.id);
    const fail = { type: 'result', id: a.id, ok: false, error: { code: 'not_found', message: 'gone' } } as const;
    h.onFrame(h.conn, fail);
    h.onFrame(h.conn, fail);
    expect(h.results).toEqual([{ id: a.id, type: 'alert.ack', ok: false, error: { code: 'not_found', message: 'gone' }, replay: false }]);
    expect(h.outbox.get(a.id)?.state).toBe('failed');
  });

  it('ping is answered, a server error is counted and shown, queued events are stored before any other frame', () => {
    const h = handler();
    h.onFrame(h.conn, { type: 'ping', t: 42 });
    expect(h.ws.sent).toEqual([{ type: 'pong', t: 42 }]);
    h.onFrame(h.conn, { type: 'error', error: { code: 'overloaded', message: 'try later' } });
    expect(h.state.stats.serverErrors).toBe(1);
    expect(h.state.view.lastError).toBe('overloaded: try later');
    h.sync.applySnapshot({ seq: 0, serverId: 'gw-1', platform: h.conn.url, items: [], at: 1 });
    h.onFrame(h.conn, welcome('events'));
    h.onFrame(h.conn, ev(1, 'a'));
    expect(h.kv()).toEqual({});
    h.onFrame(h.conn, { type: 'pong', t: 1 });
    expect(h.kv()).toEqual({ a: 1 });
  });
});
