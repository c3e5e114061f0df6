/**
 * The fan-out tail (src/gateway/tail.ts) with the stream pump and the hub, on both store engines: caught-up
 * connections are served from memory, sharing one serialised frame per event, and cost no store call per
 * connection; a connection behind the tail reads the store; an event another writer committed is never
 * skipped, even when this process's own later events are offered first; a tail the log was pruned past
 * starts again from what it reads.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { silentLogger } from '@node/log';
import { createHub } from '@gateway/hub';
import { createGatewayMetrics } from '@gateway/metrics';
import { openPgGatewayStore } from '@gateway/postgres/store';
import { openGatewayStore } from '@gateway/sqlite/store';
import type { GatewayStore } from '@gateway/store';
import { createStream } from '@gateway/stream';
import { createTail, eventFrame, textFrame } from '@gateway/tail';
import { startPostgres, type PostgresService } from '@test/services/postgres';
import { tempDir } from '@test/helpers/tmp';
import { fakeConn, manualDefer, upserts } from './fakes';

let pg: PostgresService | null = null;
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});
let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

let dbs = 0;
/** two handles on one log, as two replicas (or a replica and a process action elsewhere) have */
const ENGINES: { name: string; open(retain?: number): [GatewayStore, GatewayStore] }[] = [
  {
    name: 'sqlite',
    open(retain) {
      const d = tempDir('vigil-tail-');
      const file = path.join(d.dir, 'gateway.db');
      const a = openGatewayStore(file, { retain });
      const b = openGatewayStore(file, { retain });
      cleanups.push(() => {
        a.close();
        b.close();
        d.cleanup();
      });
      return [a, b];
    },
  },
  {
    name: 'postgres',
    open(retain) {
      const name = `tail_${++dbs}`;
      pg!.psql(`CREATE DATABASE ${name}`);
      const connectionString = `postgres://postgres@127.0.0.1:${pg!.port}/${name}`;
      const a = openPgGatewayStore({ connectionString, retain });
      const b = openPgGatewayStore({ connectionString, retain });
      cleanups.push(() => {
        a.close();
        b.close();
      });
      return [a, b];
    },
  },
];

/** counts the store calls the fan-out makes */
function counted(store: GatewayStore) {
  const calls = { eventsAfter: 0, oldest: 0, head: 0 };
  const wrapped = {
    ...store,
    snapshot: store.snapshot.bind(store),
    head: () => (calls.head++, store.head()),
    oldest: () => (calls.oldest++, store.oldest()),
    eventsAfter: (seq: number, limit: number) => (calls.eventsAfter++, store.eventsAfter(seq, limit)),
  };
  return { calls, store: wrapped };
}

function fanOut(store: GatewayStore, capacity?: number) {
  const c = counted(store);
  const metrics = createGatewayMetrics('test');
  const tail = createTail({ store: c.store, capacity });
  const pacing = manualDefer();
  const stream = createStream({ store: c.store, metrics, chunkItems: 5000, maxFrameBytes: 1024 * 1024, defer: pacing.defer, tail });
  const hub = createHub({ metrics, log: silentLogger, stream, tail });
  const live = (cursor: number) => {
    const conn = fakeConn();
    conn.cursor = cursor;
    conn.live = true;
    hub.add(conn);
    return conn;
  };
  return { ...c, tail, hub, stream, live, pacing };
}

/** the TCP socket under a WebSocket, recording what is written to it (and the write callbacks run at once) */
function rawSocket() {
  const writes: Buffer[] = [];
  let corks = 0;
  return {
    writes,
    get corks() {
      return corks;
    },
    writable: true,
    cork: () => void corks++,
    uncork: () => undefined,
    write(chunk: Buffer, cb?: (err?: Error | null) => void) {
      writes.push(chunk);
      cb?.();
      return true;
    },
  };
}

/** what ws itself writes for a text frame the server sends */
const WsSender = (ws as unknown as { Sender: { frame(data: Buffer, o: object): Buffer[] } }).Sender;
const wsFrame = (text: string) => Buffer.concat(WsSender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));

const seqs = (c: ReturnType<typeof fakeConn>) => c.ws.sent().filter((f) => f.type === 'event').map((f) => f.seq as number);

describe.each(ENGINES)('gateway fan-out tail on $name', (engine) => {
  it('serves caught-up consoles from memory: one shared frame per event, no store call per console', () => {
    const [store] = engine.open();
    store.append(upserts(1, 3), 1000);
    const f = fanOut(store);
    const consoles = Array.from({ length: 5 }, () => f.live(3));
    // two of them with the TCP socket under their WebSocket known (as the server has it): one write each
    const raw = [rawSocket(), rawSocket()];
    consoles[0].transport = raw[0];
    consoles[1].transport = raw[1];
    const before = { ...f.calls };
    const logged = store.append(upserts(4, 4), 2000).appended;
    f.hub.pumpAll({ logged });
    // the leader's own commit: kept without reading it back, and no store call for any of the 5 consoles
    expect(f.calls).toEqual(before);
    // the socket writes: one per console for the whole batch, the very same Buffer for both
    expect(raw[0].writes).toHaveLength(1);
    expect(raw[1].writes[0]).toBe(raw[0].writes[0]);
    expect(raw[0].corks).toBe(0);
    const wire = raw[0].writes[0];
    expect(wire.equals(Buffer.concat(logged.map((e) => wsFrame(eventFrame(e)))))).toBe(true);
    expect(consoles[0].cursor).toBe(7);
    // the others through ws.send: the very same Buffer per event, byte for byte the frame the pump always sent
    for (const c of consoles.slice(2)) expect(seqs(c)).toEqual([4, 5, 6, 7]);
    for (let i = 0; i < 4; i++) {
      const shared = consoles[2].ws.frames[i].raw;
      expect(Buffer.isBuffer(shared)).toBe(true);
      for (const c of consoles.slice(2)) expect(c.ws.frames[i].raw).toBe(shared);
      expect(shared.toString()).toBe(eventFrame(logged[i]));
    }
  });

  it('reads once per notification for all consoles (a follower), and not at all when it already has the head', () => {
    const [mine, other] = engine.open();
    const f = fanOut(mine);
    const consoles = Array.from({ length: 4 }, () => f.live(0));
    other.append(upserts(1, 5), 1000);
    f.hub.pumpAll({ head: 5 });
    expect(f.calls.eventsAfter).toBe(1);
    for (const c of consoles) expect(seqs(c)).toEqual([1, 2, 3, 4, 5]);
    f.hub.pumpAll({ head: 5 });
    expect(f.calls.eventsAfter).toBe(1);
    expect(f.calls.oldest).toBe(0);
  });

  it('never skips an event another writer committed, when this process offers its own later events first', () => {
    const [mine, other] = engine.open();
    mine.append(upserts(1, 2), 1000);
    const f = fanOut(mine);
    const c = f.live(2);
    // another replica commits seq 3 and its notification has not come yet; then this process logs 4 and 5
    other.append(upserts(3, 1), 1500);
    const logged = mine.append(upserts(4, 2), 2000).appended;
    expect(logged.map((e) => e.seq)).toEqual([4, 5]);
    f.hub.pumpAll({ logged });
    expect(seqs(c)).toEqual([3, 4, 5]);
    expect(f.tail.first()).toBe(3);
    expect(f.tail.head()).toBe(5);
  });

  it('a console behind the tail reads the store, then joins the tail', () => {
    const [store] = engine.open(1000);
    store.append(upserts(1, 10), 1000);
    const f = fanOut(store, 3);
    f.hub.pumpAll({ logged: store.append(upserts(11, 5), 2000).appended });
    // the tail keeps the newest 3 of what it saw: 13..15
    expect(f.tail.first()).toBe(13);
    const behind = f.live(4);
    // read from the store, its batch goes frame by frame through ws, the socket corked around it
    const corks: string[] = [];
    behind.transport = { writable: true, cork: () => corks.push('cork'), uncork: () => corks.push('uncork'), write: () => true };
    const caughtUp = f.live(14);
    const reads = f.calls.eventsAfter;
    f.hub.pumpAll({ head: 15 });
    expect(seqs(behind)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(corks).toEqual(['cork', 'uncork']);
    expect(seqs(caughtUp)).toEqual([15]);
    // the behind console's read of 5..15 (the pump reads the store in batches); the caught-up one none
    expect(f.calls.eventsAfter - reads).toBe(1);
    // the stored events' frames are the same text as the tail's
    expect(behind.ws.frames.at(-1)!.data).toBe(caughtUp.ws.frames.at(-1)!.data);
  });

  it('starts again from what it reads when the log was pruned past it, and sends the pruned console a snapshot', () => {
    const [mine, other] = engine.open(1000);
    const f = fanOut(mine);
    const c = f.live(0);
    // 2500 events elsewhere while this replica heard nothing: the first 1500 are pruned before it reads
    for (let i = 0; i < 5; i++) other.append(upserts(1 + i * 500, 500), 1000);
    expect(mine.oldest()).toBeGreaterThan(1);
    f.hub.pumpAll({ head: 2500 });
    expect(f.tail.first()).toBe(mine.oldest());
    expect(f.tail.head()).toBe(2500);
    expect(c.live).toBe(false);
    expect(c.ws.sent()[0]).toMatchObject({ type: 'snapshot' });
  });
});

describe('gateway fan-out tail: holes', () => {
  it('starts again after a hole in the seqs instead of serving the wrong event for a cursor', () => {
    const ev = (seq: number) => ({ seq, kind: 'alert.upsert', data: `{"n":${seq}}`, at: seq });
    const log = [ev(1), ev(2), ev(4), ev(5)];
    const tail = createTail({ store: { head: () => 0, eventsAfter: (after, limit) => log.filter((e) => e.seq > after).slice(0, limit) } });
    tail.refresh();
    expect([tail.first(), tail.head()]).toEqual([4, 5]);
    // a cursor below the hole goes to the store; one inside the run gets exactly the events after it
    expect(tail.after(2, 10)).toBeNull();
    const w = tail.after(4, 10)!;
    expect(w.list.slice(w.start, w.end).map((e) => e.seq)).toEqual([5]);
  });
});

describe('gateway fan-out tail: wire frames', () => {
  it('frames a payload exactly as ws does, for each length form (7-bit, 16-bit, 64-bit)', () => {
    for (const n of [0, 125, 126, 65535, 65536, 70_000]) {
      const text = 'x'.repeat(n);
      expect(textFrame(Buffer.from(text)).equals(wsFrame(text))).toBe(true);
    }
  });
});
