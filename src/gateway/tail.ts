/**
 * The newest committed events of the log, kept in memory with each event's frame already serialised: the
 * fan-out's source for every connection that is caught up. Without it, each connection cost two store calls
 * per batch (`oldest` and `eventsAfter`), a blocking round trip each on PostgreSQL, and a frame built per
 * connection per event; with it, a batch costs at most one store read for the whole replica, and every
 * caught-up connection is sent the same Buffer (serialise once, send many). A connection whose cursor is
 * below the tail's start is pumped from the store as before (stream.ts).
 *
 * The tail holds a contiguous run of seqs, `first()`..`head()`, and is filled in two ways:
 * - `offer`: the events this process just logged (the leader's own appends, after their commit). They are
 *   kept only when they continue the tail exactly; otherwise the next `refresh` reads what lies between.
 * - `refresh`: one `eventsAfter(head)` read per batch (a NOTIFY, an action), as often as it returns a full
 *   batch. The read relies on the log's own gap-safe rule (postgres/event-log.ts: seqs commit in order, so
 *   `seq > head` never skips one committed late); the tail trusts no seq it did not read or log itself.
 *   When the read does not continue the tail (the log was pruned past it while it idled), the tail starts
 *   again from what was read, and connections below it go to the store (and to a snapshot if pruned).
 */
import type { EventLog, StoredEvent } from './store';

export interface TailEvent {
  seq: number;
  /** the whole `event` frame as UTF-8 JSON, shared by every connection it is sent to */
  frame: Buffer;
  /** the same frame as it goes on the wire: a WebSocket text frame (header + `frame`) */
  wire: Buffer;
}

/** `list[start..end)` are the events after a cursor (no copy: the caller only reads them) */
export interface TailWindow {
  list: readonly TailEvent[];
  start: number;
  end: number;
}

export interface Tail {
  /** the newest seq held (the log's head when the tail was created, before it holds any) */
  head(): number;
  /** the oldest seq held (head() + 1 when empty) */
  first(): number;
  /** events this process logged and committed, oldest first; kept when they continue the tail */
  offer(logged: readonly StoredEvent[]): void;
  /** reads what was committed after head(), unless `knownHead` says the tail already has it */
  refresh(knownHead?: number): void;
  /** at most `limit` events after `cursor`; null when the cursor is below the tail (read the store) */
  after(cursor: number, limit: number): TailWindow | null;
  /**
   * The wire bytes of `w`'s events, back to back, in one Buffer: what a connection's TCP socket is written
   * in one call. The last run is kept, so the connections that are at the same cursor (all the caught-up
   * ones) share one Buffer.
   */
  wireRun(w: TailWindow): Buffer;
}

/**
 * A final, unmasked WebSocket text frame around `payload` (RFC 6455 §5.2: a server never masks). The bytes
 * are what ws's own sender writes for `ws.send(payload)` (test/unit/gateway/tail.test.ts compares them), so
 * a batch can be written to the socket once for all its frames.
 */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x81;
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(out, head);
  return out;
}

/** One event's frame, byte for byte what the stream pump sent before the tail existed. */
export const eventFrame = (e: StoredEvent): string =>
  `{"type":"event","seq":${e.seq},"kind":${JSON.stringify(e.kind)},"data":${e.data},"at":${e.at}}`;

export function createTail(o: {
  store: Pick<EventLog, 'head' | 'eventsAfter'>;
  /** most events held (default 10 000) */
  capacity?: number;
  /** events per store read (default 2000) */
  batch?: number;
}): Tail {
  const capacity = o.capacity ?? 10_000;
  const batch = o.batch ?? 2000;
  let list: TailEvent[] = [];
  /** list[start] is the oldest held: dropping from the front is an index move, compacted now and then */
  let start = 0;
  let head = o.store.head();
  let run: { first: number; last: number; bytes: Buffer } | null = null;

  const size = () => list.length - start;
  const first = () => (size() ? list[start].seq : head + 1);

  function push(events: readonly StoredEvent[]) {
    for (const e of events) {
      // `after` finds a cursor by its distance from first(): the held seqs must run without a hole. The logs
      // number without holes (postgres/event-log.ts, sqlite/event-log.ts); should one ever appear, the tail
      // starts again at the event after it rather than serve a wrong one.
      if (size() && e.seq !== list[list.length - 1].seq + 1) {
        list = [];
        start = 0;
      }
      const payload = Buffer.from(eventFrame(e));
      const wire = textFrame(payload);
      // one copy of the bytes: the frame is the wire bytes after the header
      list.push({ seq: e.seq, wire, frame: wire.subarray(wire.length - payload.length) });
    }
    head = events[events.length - 1].seq;
    if (size() > capacity) start = list.length - capacity;
    if (start > capacity) {
      list = list.slice(start);
      start = 0;
    }
  }

  function restartAt(events: readonly StoredEvent[]) {
    list = [];
    start = 0;
    push(events);
  }

  return {
    head: () => head,
    first,
    offer(logged) {
      if (logged.length && logged[0].seq === head + 1) push(logged);
    },
    refresh(knownHead) {
      if (knownHead !== undefined && knownHead <= head) return;
      for (;;) {
        const read = o.store.eventsAfter(head, batch);
        if (!read.length) return;
        if (read[0].seq === head + 1) push(read);
        else restartAt(read);
        if (read.length < batch) return;
      }
    },
    after(cursor, limit) {
      if (cursor < first() - 1) return null;
      const from = Math.min(list.length, start + Math.max(0, cursor - first() + 1));
      return { list, start: from, end: Math.min(list.length, from + limit) };
    },
    wireRun(w) {
      const first = w.list[w.start].seq;
      const last = w.list[w.end - 1].seq;
      if (run?.first !== first || run.last !== last) {
        const parts: Buffer[] = [];
        for (let i = w.start; i < w.end; i++) parts.push(w.list[i].wire);
        run = { first, last, bytes: Buffer.concat(parts) };
      }
      return run.bytes;
    },
  };
}
