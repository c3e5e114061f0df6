/**
 * The inbound stream of one connection: the hello that positions it (resume from the stored cursor, or a
 * snapshot), events stored in batches (the frames of one socket read in one transaction), gaps repaired
 * by saying hello again on the same socket, and snapshots assembled from their chunks and stored whole.
 */
import type { Collection } from '@shared/domain';
import { PROTOCOL_VERSION, type ServerFrame } from '@shared/protocol';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { SyncStore } from './apply';
import type { ClientViewState } from './client-view';
import { sendFrame, type Conn } from './conn';
import { stageChunk, type SnapshotFrame } from './snapshot-stage';

const ALL_DATA: Collection[] = ['alerts', 'runbooks', 'dashboards', 'rosters', 'incidents', 'checklists', 'handovers'];

export interface StreamDeps {
  clock: Clock;
  log: Logger;
  sync: SyncStore;
  state: ClientViewState;
  clientId: string;
  operator(): string;
  /** the most events stored in one transaction */
  batchMax: number;
  /** `c` is still the client's live connection */
  isCurrent(c: Conn): boolean;
  /** a batch or snapshot was stored (after commit) */
  onStored(collections: Set<Collection>): void;
  /** storing failed (disk full, locked): the connection is dropped */
  storeFailed(c: Conn, err: unknown): void;
}

export function createInboundStream(d: StreamDeps) {
  const { state, clock } = d;
  const { view, stats } = state;

  /** (re)positions the stream: whatever the socket had queued or staged belongs to the old position */
  function hello(c: Conn): void {
    const cur = d.sync.read();
    c.welcomed = false;
    c.stage = null;
    c.queue = [];
    sendFrame(c, {
      type: 'hello',
      clientId: d.clientId,
      protocol: PROTOCOL_VERSION,
      cursor: cur?.cursor ?? null,
      serverId: cur?.serverId ?? null,
      operator: d.operator().slice(0, 80),
    });
  }

  /** stores the queued events, batch by batch; a gap stops it and resumes from the stored cursor */
  function drain(c: Conn): void {
    c.flushScheduled = false;
    while (c.queue.length && d.isCurrent(c)) {
      const batch = c.queue.splice(0, d.batchMax);
      const r = d.sync.applyBatch(batch);
      stats.eventsApplied += r.applied;
      stats.duplicates += r.duplicates;
      stats.unknownKinds += r.unknownKinds;
      stats.rejectedEvents += r.rejected;
      if (r.applied + r.unknownKinds + r.rejected > 0) view.lastSyncAt = clock.now();
      if (r.collections.size) d.onStored(r.collections);
      if (r.gapAt !== null) {
        stats.gaps++;
        d.log.log('warn', 'link.seq_gap', { expected: (r.cursor ?? -1) + 1, got: r.gapAt });
        hello(c); // resume from the stored cursor on the same socket
        break;
      }
    }
    state.changed();
  }

  function event(c: Conn, f: Extract<ServerFrame, { type: 'event' }>): void {
    // Events before the welcome belong to the stream a re-hello replaced; a snapshot must finish first.
    if (!c.welcomed) return;
    if (c.stage) {
      state.countBad('event_during_snapshot');
      c.stage = null;
      view.snapshot = null;
      return hello(c);
    }
    c.queue.push({ seq: f.seq, kind: f.kind, data: f.data, at: f.at });
    if (c.flushScheduled) return;
    c.flushScheduled = true;
    // setImmediate groups the frames of one socket read into one transaction (not a timer: no delay).
    setImmediate(() => {
      if (!d.isCurrent(c)) return;
      try {
        drain(c);
      } catch (err) {
        d.storeFailed(c, err);
      }
    });
  }

  function snapshot(c: Conn, f: SnapshotFrame): void {
    const added = stageChunk(c.stage, f);
    if (!added.ok) {
      state.countBad('snapshot_out_of_order');
      d.log.log('warn', 'link.snapshot_out_of_order', { chunk: f.chunk, seq: f.seq });
      view.snapshot = null;
      hello(c);
      return;
    }
    c.stage = added.stage;
    view.snapshot = { received: f.received, total: f.total };
    if (!added.complete) return state.changed();
    c.stage = null;
    const started = clock.now();
    const r = d.sync.applySnapshot({
      seq: added.stage.seq,
      serverId: c.serverId ?? '',
      platform: c.url,
      items: added.stage.items,
      at: clock.now(),
    });
    stats.snapshots++;
    stats.lastSnapshotStoreMs = clock.now() - started;
    stats.eventsApplied += r.applied;
    stats.unknownKinds += r.unknownKinds;
    stats.rejectedEvents += r.rejected;
    view.snapshot = null;
    view.lastSyncAt = clock.now();
    d.onStored(new Set(ALL_DATA));
    state.changed();
  }

  return { hello, event, snapshot, drain };
}
export type InboundStream = ReturnType<typeof createInboundStream>;
