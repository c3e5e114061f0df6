/**
 * The stream pump alone (src/gateway/stream.ts) on a real SQLite store, with a socket that takes frames
 * only when the test says so: events after the cursor in order, batches paced by the socket's buffer and
 * write callbacks, snapshots chunk by chunk, a snapshot for a connection the log was pruned past, and a newer
 * hello stopping what was paced for the older one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamOptions } from '@gateway/stream';
import type { SourceEvent } from '@gateway/source';
import { alert } from '@test/integration/link/helpers';
import { fakeConn, pumpedStore, upserts } from './fakes';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function setup(events: SourceEvent[], over: Partial<StreamOptions> = {}, retain?: number) {
  const p = pumpedStore(events, over, retain);
  cleanups.push(p.cleanup);
  return p;
}

const seqs = (frames: { type: string; seq?: unknown }[]) => frames.filter((f) => f.type === 'event').map((f) => f.seq);

describe('gateway stream: events', () => {
  it('sends a live connection the events after its cursor, in order, as one batch while the socket keeps up', async () => {
    const { store, stream, metrics } = setup(upserts(1, 5));
    const c = fakeConn();
    c.cursor = 2;
    c.live = true;
    stream.pump(c);
    expect(seqs(c.ws.sent())).toEqual([3, 4, 5]);
    expect(c.cursor).toBe(5);
    expect(c.pumping).toBe(false);
    const ev = c.ws.sent()[0];
    expect(ev).toMatchObject({ type: 'event', seq: 3, kind: 'alert.upsert', at: 1000 });
    expect((ev.data as { fingerprint: string }).fingerprint).toBe(alert(3).fingerprint);

    // what is logged later goes on the next pump
    store.append(upserts(6, 2), 2000);
    stream.pump(c);
    expect(seqs(c.ws.sent())).toEqual([3, 4, 5, 6, 7]);
    expect(await metrics.registry.getSingleMetricAsString('vigil_gateway_events_sent_total')).toMatch(/ 5$/);
  });

  it('sends nothing to a connection that is not live yet, or whose socket is closed', () => {
    const { stream } = setup(upserts(1, 3));
    const waiting = fakeConn();
    stream.pump(waiting);
    expect(waiting.ws.frames).toHaveLength(0);
    const gone = fakeConn();
    gone.live = true;
    gone.ws.readyState = 3;
    stream.pump(gone);
    expect(gone.ws.frames).toHaveLength(0);
  });

  it('with a full socket buffer sends one batch, and the next only after the socket has taken the last frame', () => {
    const { stream, pacing } = setup(upserts(1, 7), { batch: 3, highWater: 100 });
    const c = fakeConn();
    c.live = true;
    c.ws.bufferedAmount = 1000; // a slow client: the kernel has not taken what was written
    stream.pump(c);
    expect(seqs(c.ws.sent())).toEqual([1, 2, 3]);
    expect(c.pumping).toBe(true);
    // another trigger (new events logged) while a batch is in flight does not send more
    stream.pump(c);
    expect(c.ws.frames).toHaveLength(3);
    expect(pacing.pending()).toBe(0);

    c.ws.drain(); // the last frame of the batch is written: the next batch is scheduled
    expect(pacing.pending()).toBe(1);
    pacing.runAll();
    expect(seqs(c.ws.sent())).toEqual([1, 2, 3, 4, 5, 6]);
    c.ws.drain();
    pacing.runAll();
    expect(seqs(c.ws.sent())).toEqual([1, 2, 3, 4, 5, 6, 7]);
    c.ws.drain();
    pacing.runAll();
    expect(c.pumping).toBe(false);
    expect(c.cursor).toBe(7);
  });

  it("a new stream (another hello) waits until the older stream's bytes have left the socket before its first batch", () => {
    const { stream, pacing } = setup(upserts(1, 4), { batch: 3, highWater: 100 });
    const c = fakeConn();
    const written: { chunk: Buffer; cb?: (err?: Error | null) => void }[] = [];
    c.transport = { writable: true, cork() {}, uncork() {}, write: (chunk, cb) => (written.push({ chunk, cb }), true) };
    c.live = true;
    c.ws.bufferedAmount = 1000; // an earlier stream's batch still waits in the socket
    stream.pump(c);
    // nothing sent yet: one empty write, whose callback says the earlier bytes are out
    expect(c.ws.frames).toHaveLength(0);
    expect(written.map((w) => w.chunk.length)).toEqual([0]);
    expect(c.pumping).toBe(true);
    c.ws.bufferedAmount = 0;
    written[0].cb!();
    pacing.runAll();
    expect(seqs(c.ws.sent())).toEqual([1, 2, 3, 4]);
    expect(c.cursor).toBe(4);
  });

  it('below the high-water mark sends batch after batch at once', () => {
    const { stream, pacing } = setup(upserts(1, 7), { batch: 3, highWater: 100 });
    const c = fakeConn();
    c.live = true;
    stream.pump(c);
    expect(seqs(c.ws.sent())).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(pacing.pending()).toBe(0);
  });
});

describe('gateway stream: snapshots', () => {
  it('sends the state chunk by chunk, each after the socket took the previous one, then goes live from its seq', () => {
    const { store, stream, pacing } = setup(upserts(1, 5), { chunkItems: 2 });
    const c = fakeConn();
    stream.snapshot(c);
    expect(c.ws.sent()).toHaveLength(1);
    expect(c.ws.sent()[0]).toMatchObject({ type: 'snapshot', seq: 5, chunk: 0, chunks: 3, received: 2, total: 5 });
    // nothing more until the socket has written the chunk
    pacing.runAll();
    expect(c.ws.sent()).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      c.ws.drain();
      pacing.runAll();
    }
    const snaps = c.ws.sent().filter((f) => f.type === 'snapshot');
    expect(snaps.map((f) => [f.chunk, f.received, (f.items as unknown[]).length])).toEqual([
      [0, 2, 2],
      [1, 4, 2],
      [2, 5, 1],
    ]);
    expect(c.live).toBe(true);
    expect(c.cursor).toBe(5);

    store.append(upserts(6, 1), 2000);
    stream.pump(c);
    expect(seqs(c.ws.sent())).toEqual([6]);
  });

  it('an empty state is one empty chunk', () => {
    const { stream } = setup([]);
    const c = fakeConn();
    stream.snapshot(c);
    expect(c.ws.sent()).toEqual([{ type: 'snapshot', seq: 0, chunk: 0, chunks: 1, received: 0, total: 0, items: [] }]);
  });

  it('gives a live connection the log was pruned past a snapshot instead of events', async () => {
    // 2000 events with 500 retained: the log is pruned to seq 1501..2000
    const { store, stream, pacing, metrics } = setup(upserts(1, 2000), {}, 500);
    expect(store.oldest()).toBe(1501);
    const behind = fakeConn();
    behind.cursor = 10;
    behind.live = true;
    stream.pump(behind);
    const first = behind.ws.sent();
    expect(first.map((f) => f.type)).toEqual(['snapshot']);
    expect(first[0]).toMatchObject({ seq: 2000, total: 2000 });
    expect(behind.live).toBe(false);
    for (let i = 0; i < 10 && !behind.live; i++) {
      behind.ws.drain();
      pacing.runAll();
    }
    expect(behind.live).toBe(true);
    expect(behind.cursor).toBe(2000);
    expect(seqs(behind.ws.sent())).toEqual([]);

    // right at the edge (the next event it needs is the oldest kept) events still do
    const edge = fakeConn();
    edge.cursor = 1500;
    edge.live = true;
    stream.pump(edge);
    expect(edge.ws.sent()[0]).toMatchObject({ type: 'event', seq: 1501 });
    expect(await metrics.registry.getSingleMetricAsString('vigil_gateway_snapshots_total')).toMatch(/ 1$/);
  });

  it('a newer hello (stream bumped) stops the chunks paced for the older one', () => {
    const { stream, pacing } = setup(upserts(1, 5), { chunkItems: 2 });
    const c = fakeConn();
    stream.snapshot(c);
    c.stream++;
    c.ws.drain();
    pacing.runAll();
    expect(c.ws.sent()).toHaveLength(1);
    expect(c.live).toBe(false);
  });
});
