/**
 * One connection's frames (src/gateway/session.ts) with the hub and the heartbeat, on a real SQLite store and
 * a recording socket: which hello resumes from its cursor and which gets a snapshot, probes, old protocols,
 * actions before hello, status frames on health changes, pings and the dead-peer sweep on a fake clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { PROTOCOL_VERSION } from '@shared/protocol';
import { createActionHandler } from '@gateway/actions';
import { MAX_BUFFERED_BYTES } from '@gateway/conn';
import { startHeartbeat } from '@gateway/heartbeat';
import { createHub } from '@gateway/hub';
import { createSessions } from '@gateway/session';
import { createSnapshotLimit } from '@gateway/snapshot-limit';
import type { SourceEvent } from '@gateway/source';
import { testSource } from '@test/integration/link/helpers';
import { fakeConn, pumpedStore, upserts } from './fakes';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function setup(events: SourceEvent[], retain?: number, limit?: { burst: number; everyMs: number }) {
  const s = pumpedStore(events, {}, retain);
  cleanups.push(s.cleanup);
  const { metrics, stream } = s;
  const clock = new FakeClock();
  const hub = createHub({ metrics, log: silentLogger, stream });
  const actions = createActionHandler({
    store: s.store,
    source: testSource(),
    clock,
    log: silentLogger,
    metrics,
    logged: () => {},
  });
  const sessions = createSessions({
    store: s.store,
    clock,
    log: silentLogger,
    metrics,
    stream,
    hub,
    actions,
    auth: { recheck: (p) => ({ ok: true, identity: p.identity }) },
    maxFrameBytes: 1 << 20,
    snapshotLimit: limit ? createSnapshotLimit({ clock, ...limit }) : undefined,
  });
  const conn = () => {
    const c = fakeConn(clock.now());
    hub.add(c);
    return c;
  };
  const say = (c: ReturnType<typeof fakeConn>, frame: object) => {
    const text = JSON.stringify(frame);
    sessions.onMessage(c, text, Buffer.byteLength(text));
  };
  return { store: s.store, clock, hub, conn, say, metrics };
}

const hello = (cursor: number | null, serverId: string | null, extra: object = {}) => ({
  type: 'hello',
  clientId: 'console-1',
  protocol: 1,
  cursor,
  serverId,
  operator: 'Li Wei',
  ...extra,
});

describe('gateway session: hello', () => {
  it('resumes a cursor on this log with the events after it', () => {
    const { store, conn, say } = setup(upserts(1, 5));
    const c = conn();
    say(c, hello(3, store.serverId));
    const frames = c.ws.sent();
    expect(frames[0]).toMatchObject({
      type: 'welcome',
      mode: 'events',
      head: 5,
      serverId: store.serverId,
      operator: 'Li Wei',
    });
    expect(frames[1]).toEqual({ type: 'status', upstream: 'ok', detail: null });
    expect(frames.slice(2).map((f) => [f.type, f.seq])).toEqual([
      ['event', 4],
      ['event', 5],
    ]);
  });

  it('gives a snapshot to a cursor of another log, one ahead of the head, or one the log was pruned past', () => {
    const { store, conn, say } = setup(upserts(1, 2000), 500);
    for (const [cursor, serverId] of [
      [10, 'another-gateway'],
      [2001, store.serverId],
      [1499, store.serverId],
      [null, null],
    ] as const) {
      const c = conn();
      say(c, hello(cursor, serverId));
      const [welcome, , first] = c.ws.sent();
      expect(welcome.mode, `cursor ${cursor} on ${serverId}`).toBe('snapshot');
      expect(first).toMatchObject({ type: 'snapshot', seq: 2000 });
    }
    // the last event before the log's start is still a resumable cursor
    const edge = conn();
    say(edge, hello(1500, store.serverId));
    expect(edge.ws.sent()[0].mode).toBe('events');
    expect(edge.ws.sent()[2]).toMatchObject({ type: 'event', seq: 1501 });
  });

  it('limits how often one client may take a full snapshot; events after a cursor and other clients are not limited', () => {
    const { store, conn, say, clock } = setup(upserts(1, 3), undefined, { burst: 3, everyMs: 20_000 });
    const snapshotHello = () => {
      const c = conn();
      say(c, hello(null, null));
      return c;
    };
    for (let i = 0; i < 3; i++) expect(snapshotHello().ws.sent()[0]).toMatchObject({ type: 'welcome', mode: 'snapshot' });
    const refused = snapshotHello();
    expect(refused.ws.sent()).toEqual([
      {
        type: 'error',
        error: { code: 'rate_limited', message: 'too many full snapshots for this client: come back in 20 s' },
        fatal: true,
        retryAfterMs: 20_000,
      },
    ]);
    expect(refused.ws.closed).toEqual({ code: 4029, reason: 'too many full snapshots' });
    // resuming from a cursor costs no snapshot; another console has its own allowance
    const resume = conn();
    say(resume, hello(3, store.serverId));
    expect(resume.ws.sent()[0]).toMatchObject({ type: 'welcome', mode: 'events' });
    const other = conn();
    say(other, hello(null, null, { clientId: 'console-2' }));
    expect(other.ws.sent()[0]).toMatchObject({ mode: 'snapshot' });
    clock.advance(10_000);
    expect(snapshotHello().ws.sent()[0]).toMatchObject({ type: 'error', retryAfterMs: 10_000 });
    clock.advance(10_000);
    expect(snapshotHello().ws.sent()[0]).toMatchObject({ type: 'welcome', mode: 'snapshot' });
  });

  it('answers a probe with the welcome alone and closes', () => {
    const { conn, say } = setup(upserts(1, 2));
    const c = conn();
    say(c, hello(null, null, { probe: true }));
    expect(c.ws.sent().map((f) => f.type)).toEqual(['welcome']);
    expect(c.ws.closed).toEqual({ code: 1000, reason: 'probe answered' });
  });

  it('speaks the older of the two protocol versions to a newer client', () => {
    const { conn, say } = setup([]);
    const c = conn();
    say(c, hello(null, null, { protocol: PROTOCOL_VERSION + 1 }));
    expect(c.ws.sent()[0]).toMatchObject({ type: 'welcome', protocol: PROTOCOL_VERSION, mode: 'snapshot' });
  });

  it('refuses an action before hello and a frame it cannot decode, keeping the socket open', () => {
    const { conn, say, metrics } = setup([]);
    const c = conn();
    say(c, { type: 'action', id: uuidv7(), action: 'alert.ack', payload: { fingerprint: 'fp1' }, at: 1 });
    say(c, { type: 'nonsense' });
    expect(c.ws.sent().map((f) => (f.error as { code: string }).code)).toEqual(['hello_required', 'unknown_type']);
    expect(c.ws.closed).toBeNull();
    return metrics.registry.metrics().then((text) => expect(text).toMatch(/bad_frames_total\{reason="hello_required"/));
  });

  it('closes (1008) a flooding client that does not read its answers instead of buffering without end', () => {
    const { conn, say } = setup([]);
    const c = conn();
    for (let i = 0; i < 100; i++) say(c, { type: 'nonsense', i });
    expect(c.ws.sent()).toHaveLength(100);
    expect(c.ws.closed).toBeNull();
    c.ws.bufferedAmount = MAX_BUFFERED_BYTES + 1; // the client stopped reading
    say(c, { type: 'nonsense' });
    expect(c.ws.closed).toEqual({ code: 1008, reason: 'the client does not read what it is sent' });
    expect(c.ws.sent()).toHaveLength(100);
  });
});

describe('gateway hub and heartbeat', () => {
  it('tells every greeted connection about a health change, once', () => {
    const { store, hub, conn, say } = setup([]);
    const greeted = conn();
    say(greeted, hello(null, store.serverId));
    const silent = conn();
    const down = { upstream: 'down' as const, detail: 'Alertmanager is unreachable' };
    hub.setHealth(down);
    hub.setHealth(down);
    expect(greeted.ws.sent().filter((f) => f.type === 'status')).toEqual([
      { type: 'status', upstream: 'ok', detail: null },
      { type: 'status', ...down },
    ]);
    expect(silent.ws.frames).toHaveLength(0);
    expect(hub.health()).toEqual(down);
  });

  it('pings every connection and terminates one not heard from for longer than deadAfterMs', () => {
    const { clock, hub, conn, say, store } = setup([]);
    const alive = conn();
    const dead = conn();
    const beat = startHeartbeat({ clock, conns: () => hub.conns, everyMs: 15_000, deadAfterMs: 45_000 });
    cleanups.push(() => beat.stop());
    clock.advance(15_000);
    expect(alive.ws.sent()).toEqual([{ type: 'ping', t: clock.now() }]);
    expect(dead.ws.sent()).toEqual([{ type: 'ping', t: clock.now() }]);
    for (let i = 0; i < 3; i++) {
      clock.advance(15_000);
      say(alive, { type: 'pong', t: clock.now() }); // any frame counts as heard
    }
    expect(dead.ws.terminated).toBe(true);
    expect(alive.ws.terminated).toBe(false);
    beat.stop();
    const before = alive.ws.frames.length;
    clock.advance(60_000);
    expect(alive.ws.frames.length).toBe(before);
    expect(store.head()).toBe(0);
  });
});
