/**
 * Storing what the platform sends. Every batch of events, and every complete snapshot, is written in ONE
 * SQLite transaction together with the new cursor: a crash leaves either the old cursor and none of the
 * batch, or the new cursor and all of it. Resuming from the stored cursor therefore never loses or
 * doubles an event, and applying a stream twice is the same as applying it once (seq ≤ cursor is skipped).
 *
 * An event an applier refuses (bad data) is rolled back on its own (a savepoint), recorded in
 * sync_rejects, and the cursor moves past it: the same bytes would fail again on every resend, and one
 * poisoned event must not hold back every alert behind it.
 *
 * Savepoints cost about as much as the writes they guard, so a batch first runs without them; only if
 * an applier throws is that whole transaction rolled back and the batch run again, event by event, each
 * in its own savepoint. Appliers must therefore tolerate being run again after a rollback (keep
 * in-memory side effects keyed and idempotent, or defer them until after the commit).
 */
import type { Collection } from '@shared/domain';
import type { EventApplier } from '../context';
import type { Logger } from '@node/log';
import type { DB } from '@node/sqlite';

export interface InboundEvent {
  seq: number;
  kind: string;
  data: unknown;
  at: number;
}

export interface SyncCursor {
  cursor: number;
  serverId: string | null;
}

export interface BatchOutcome {
  applied: number;
  duplicates: number;
  unknownKinds: number;
  rejected: number;
  /** a seq was missing before this event: it and everything after it in the batch were not applied */
  gapAt: number | null;
  cursor: number | null;
  collections: Set<Collection>;
}

const emptyOutcome = (cursor: number | null): BatchOutcome => ({
  applied: 0,
  duplicates: 0,
  unknownKinds: 0,
  rejected: 0,
  gapAt: null,
  cursor,
  collections: new Set(),
});

/** `hold`: the fast pass of a batch (the appliers may hold writes until endBatch(), see EventApplier) */
type Meta = { seq: number; at: number; hold?: boolean };

/** every applier of one event, in order; what each changed is added to `out` */
function applyAll(list: readonly EventApplier[], data: unknown, meta: Meta, out: Set<Collection>): void {
  for (const a of list) {
    const c = a.apply(data, meta);
    if (c) out.add(c);
  }
}

/** runs a transaction and tells the appliers whether it committed */
function told<R>(hooked: readonly EventApplier[], run: () => R): R {
  let r: R;
  try {
    r = run();
  } catch (err) {
    for (const a of hooked) a.rolledBack?.();
    throw err;
  }
  for (const a of hooked) a.committed?.();
  return r;
}

export function createSyncStore(db: DB, appliers: readonly EventApplier[], log: Logger, now: () => number) {
  const byKind = new Map<string, EventApplier[]>();
  for (const a of appliers) byKind.set(a.kind, [...(byKind.get(a.kind) ?? []), a]);
  const resettable = [...new Set(appliers)].filter((a) => typeof a.reset === 'function');
  /** the appliers told after each transaction whether it committed */
  const hooked = [...new Set(appliers)].filter((a) => a.committed || a.rolledBack);

  const s = {
    read: db.prepare('SELECT cursor, server_id FROM sync_cursor ORDER BY updated_at DESC LIMIT 1'),
    clear: db.prepare('DELETE FROM sync_cursor'),
    insert: db.prepare('INSERT INTO sync_cursor (platform, cursor, server_id, updated_at) VALUES (?, ?, ?, ?)'),
    advance: db.prepare('UPDATE sync_cursor SET cursor = ?, updated_at = ?'),
    reject: db.prepare('INSERT INTO sync_rejects (seq, kind, reason, at) VALUES (?, ?, ?, ?)'),
  };

  function read(): SyncCursor | null {
    const r = s.read.get() as { cursor: number; server_id: string | null } | undefined;
    return r ? { cursor: r.cursor, serverId: r.server_id } : null;
  }

  /** one event through its appliers, rolled back alone if any of them throws */
  const applyOneSafely = db.transaction(applyAll);

  /** thrown in the fast pass to abandon it: the batch is then run again with a savepoint per event */
  class Retry extends Error {}

  /** the appliers that applied an event in the batch under way (their endBatch() runs at its end) */
  const used = new Set<EventApplier>();

  /** returns 'applied' | 'unknown' | 'rejected'; in the fast pass a refusal aborts the whole pass */
  function route(kind: string, data: unknown, meta: Meta, out: Set<Collection>, safe: boolean) {
    const list = byKind.get(kind);
    if (!list) return 'unknown' as const;
    if (!safe) {
      try {
        applyAll(list, data, meta, out);
        for (const a of list) used.add(a);
        return 'applied' as const;
      } catch {
        throw new Retry();
      }
    }
    try {
      applyOneSafely(list, data, meta, out);
      for (const a of list) used.add(a);
      return 'applied' as const;
    } catch (err) {
      // rolled back to its savepoint: what the appliers noted so far in this transaction is not trusted
      // any more (they read back what they need after the commit)
      for (const a of hooked) a.rolledBack?.();
      const reason = err instanceof Error ? err.message : String(err);
      s.reject.run(meta.seq || null, kind, reason.slice(0, 2000), now());
      log.log('warn', 'link.event_rejected', { seq: meta.seq, kind, err: reason.slice(0, 500) });
      return 'rejected' as const;
    }
  }

  /** routes one event and counts how it went in `out` */
  function take(out: BatchOutcome, kind: string, data: unknown, meta: Meta, safe: boolean): void {
    const r = route(kind, data, meta, out.collections, safe);
    if (r === 'applied') out.applied++;
    else if (r === 'unknown') out.unknownKinds++;
    else out.rejected++;
  }

  /** runs `pass` in a transaction without savepoints; if an applier refused, again with them */
  function twoPass<A, R>(pass: (arg: A, safe: boolean) => R): (arg: A) => R {
    const tx = db.transaction(pass);
    return (arg: A) => {
      try {
        return told(hooked, () => tx(arg, false));
      } catch (err) {
        if (!(err instanceof Retry)) throw err;
        return told(hooked, () => tx(arg, true));
      }
    };
  }

  const applyBatch = twoPass((events: readonly InboundEvent[], safe: boolean): BatchOutcome => {
    const out = emptyOutcome(null);
    used.clear();
    const cur = read();
    // Without a cursor there is no base to add events to: only a snapshot can start the cache.
    if (!cur) {
      out.gapAt = events[0]?.seq ?? null;
      return out;
    }
    let cursor = cur.cursor;
    for (const e of events) {
      if (e.seq <= cursor) {
        out.duplicates++;
        continue;
      }
      if (e.seq !== cursor + 1) {
        out.gapAt = e.seq;
        break;
      }
      take(out, e.kind, e.data, { seq: e.seq, at: e.at, hold: !safe }, safe);
      cursor = e.seq;
    }
    for (const a of used) a.endBatch?.();
    used.clear();
    if (cursor !== cur.cursor) s.advance.run(cursor, now());
    out.cursor = cursor;
    return out;
  });

  /** Replaces the cache with a complete snapshot consistent with `seq`. */
  type Snapshot = {
    seq: number;
    serverId: string;
    platform: string;
    items: readonly { kind: string; data: unknown }[];
    at: number;
  };
  const applySnapshot = twoPass((snap: Snapshot, safe: boolean) => {
    const out = emptyOutcome(snap.seq);
    used.clear();
    for (const a of resettable) a.reset!();
    // every item of a snapshot has the same meta: one object, not one per entity
    const meta = { seq: snap.seq, at: snap.at };
    for (const item of snap.items) take(out, item.kind, item.data, meta, safe);
    // outside the per-item savepoints: what a module buffered belongs to items already accepted
    for (const a of resettable) a.endSnapshot?.();
    s.clear.run();
    s.insert.run(snap.platform, snap.seq, snap.serverId, now());
    return out;
  });

  return {
    read,
    applyBatch: (events: readonly InboundEvent[]) => applyBatch(events),
    applySnapshot: (snap: Snapshot) => applySnapshot(snap),
    /** modules that keep platform data but cannot be reset by a snapshot (reported, not fatal) */
    withoutReset: (): string[] => [...new Set(appliers.filter((a) => !a.reset).map((a) => a.kind))],
  };
}
export type SyncStore = ReturnType<typeof createSyncStore>;
