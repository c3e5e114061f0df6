/**
 * The stream pump: what a connection is sent after its welcome. Each connection has its own cursor and
 * is pumped from the log a batch at a time, paced by the socket's write callbacks, so a slow client never
 * makes the gateway buffer the whole log in memory and a fast one gets events as soon as they are logged.
 *
 * - events: the batch after the cursor; the next batch goes once the socket has taken the last frame, or at
 *   once while less than `highWater` bytes wait in the socket's buffer.
 * - snapshot: the state in chunks that each fit one frame, the next chunk once the socket has taken the
 *   previous one; then the connection is live from the snapshot's seq.
 * - pruned: a live connection whose cursor fell below the log's start (the log was pruned while it was
 *   behind) gets a fresh snapshot instead.
 * A newer hello (Conn.stream bumped) stops whatever was paced for the older one.
 */
import type { GatewayMetrics } from './metrics';
import { isOpen, send, sendWire, type Conn } from './conn';
import type { GatewayStore, StoredEvent } from './store';
import { eventFrame, type Tail, type TailEvent, type TailWindow } from './tail';

export interface StreamOptions {
  store: Pick<GatewayStore, 'oldest' | 'eventsAfter' | 'snapshot'>;
  metrics: Pick<GatewayMetrics, 'eventsSent' | 'snapshots' | 'snapshotItems'>;
  /** most entities per snapshot chunk */
  chunkItems: number;
  /** the frame size a snapshot chunk must fit in (with room for its envelope) */
  maxFrameBytes: number;
  /** events per batch (default 2000) */
  batch?: number;
  /** bytes waiting in the socket below which the next batch goes without waiting (default 1 MiB) */
  highWater?: number;
  /** runs a paced step after the current I/O callback (default setImmediate) */
  defer?: (fn: () => void) => void;
  /** the newest events with their frames (tail.ts): a connection at or past its start is sent from it */
  tail?: Pick<Tail, 'after' | 'wireRun'>;
}

export interface Stream {
  /** sends the events after c.cursor to a live connection, a batch at a time, paced by the socket */
  pump(c: Conn): void;
  /** sends the snapshot in chunks, paced by the socket; then the connection is live and pumped */
  snapshot(c: Conn): void;
}

/** events to send: list[start..end), from the tail or read from the store */
interface Batch {
  list: readonly (TailEvent | StoredEvent)[];
  start: number;
  end: number;
  fromTail: boolean;
}

const EMPTY = Buffer.alloc(0);
const ITEMS_END = Buffer.from(']}');
/** room left in a frame for a snapshot chunk's envelope */
const ENVELOPE_BYTES = 512;

export function createStream(o: StreamOptions): Stream {
  const batchSize = o.batch ?? 2000;
  const highWater = o.highWater ?? 1024 * 1024;
  const defer = o.defer ?? ((fn: () => void) => void setImmediate(fn));

  /**
   * A batch to c: from the tail, as the run of ready-made WebSocket frames shared by every connection at the
   * same cursor, in one write to its socket; otherwise frame by frame through ws, the socket corked so the
   * batch still leaves in one write.
   */
  function sendBatch(c: Conn, b: Batch, drained: () => void): void {
    if (b.fromTail && sendWire(c, o.tail!.wireRun(b as TailWindow), drained)) return;
    c.transport?.cork();
    try {
      for (let i = b.start; i < b.end; i++) {
        const e = b.list[i];
        send(c, 'frame' in e ? e.frame : eventFrame(e), i === b.end - 1 ? drained : undefined);
      }
    } finally {
      c.transport?.uncork();
    }
  }

  /** the events after c.cursor: from the tail when it reaches back that far, else from the store */
  function nextBatch(c: Conn): Batch | 'pruned' {
    const w = o.tail?.after(c.cursor, batchSize);
    if (w) return { ...w, fromTail: true };
    if (c.cursor < o.store.oldest() - 1) return 'pruned';
    const list = o.store.eventsAfter(c.cursor, batchSize);
    return { list, start: 0, end: list.length, fromTail: false };
  }

  function pump(c: Conn): void {
    if (!c.live || c.pumping || !isOpen(c)) return;
    // A newer hello starts a stream while an older stream's bytes still wait in the socket: the first batch
    // goes once they are out (an empty write's callback comes after everything queued before it), so a
    // client saying hello again and again cannot make the gateway queue a batch for each.
    if (c.transport && c.ws.bufferedAmount >= highWater) {
      c.pumping = true;
      const stream = c.stream;
      c.transport.write(EMPTY, () =>
        defer(() => {
          if (c.stream !== stream) return;
          c.pumping = false;
          pump(c);
        }),
      );
      return;
    }
    const b = nextBatch(c);
    if (b === 'pruned') {
      // the log was pruned past this client while it was behind: only a snapshot can help
      c.live = false;
      return snapshot(c);
    }
    if (b.end <= b.start) return;
    c.pumping = true;
    const stream = c.stream;
    const drained = () =>
      defer(() => {
        if (c.stream !== stream) return;
        c.pumping = false;
        pump(c);
      });
    sendBatch(c, b, drained);
    c.cursor = b.list[b.end - 1].seq;
    o.metrics.eventsSent.inc(b.end - b.start);
    if (c.ws.bufferedAmount < highWater) {
      c.pumping = false;
      pump(c);
    }
  }

  function snapshot(c: Conn): void {
    const snap = o.store.snapshot(o.chunkItems, o.maxFrameBytes - ENVELOPE_BYTES);
    const stream = c.stream;
    o.metrics.snapshots.inc();
    o.metrics.snapshotItems.inc(snap.total);
    let received = 0;
    let i = 0;
    const next = () => {
      if (!isOpen(c) || c.stream !== stream) return;
      if (i >= snap.chunks.length) {
        c.cursor = snap.seq;
        c.live = true;
        return pump(c);
      }
      const chunk = snap.chunks[i];
      // released as it goes: a slow client holds the gateway to the chunks it has not had yet
      snap.chunks[i] = { body: EMPTY, items: 0 };
      received += chunk.items;
      const head = `{"type":"snapshot","seq":${snap.seq},"chunk":${i},"chunks":${snap.chunks.length},"received":${received},"total":${snap.total},"items":[`;
      const frame = Buffer.concat([Buffer.from(head), chunk.body, ITEMS_END]);
      i++;
      send(c, frame, () => defer(next));
    };
    next();
  }

  return { pump, snapshot };
}
