/**
 * How the alerts module stores platform events (inside the link's sync transaction). Single events write
 * one row and note the change in the feed. A snapshot (reset() … endSnapshot()) refills the emptied table
 * through the bulk writer (bulk.ts): no read-back per alert, many rows per statement. Its history records
 * what changed against the cache it replaced; an alert it brings for the first time gets no "firing"
 * entry (see bulk.ts).
 */
import { eventData } from '@shared/protocol';
import type { CoreContext, EventApplier } from '../context';
import { createSnapshotWriter, type SnapshotWriter } from './bulk';
import type { ChangeFeed } from './changes';
import type { AlertBrief, AlertRepo } from './repo';
import { parseAlert } from './validate';

export function createAlertAppliers(ctx: CoreContext, repo: AlertRepo, feed: ChangeFeed): EventApplier[] {
  /**
   * A snapshot in progress (from reset() to endSnapshot()): its alerts go to the bulk writer, since the
   * table was just emptied. `seen` holds the fingerprints written so far: a fingerprint absent from it has
   * no row, so its state before is its brief in the snapshot's base.
   */
  const snapshots = createSnapshotWriter(ctx.db);
  let bulk: { writer: SnapshotWriter; seen: Set<string> } | null = null;

  const alertUpsert: EventApplier = {
    kind: 'alert.upsert',
    apply(data, meta) {
      const a = parseAlert(data);
      const fp = a.fingerprint;
      if (bulk && !bulk.seen.has(fp)) {
        bulk.seen.add(fp);
        // beginSnapshot() noted every alert of the base; one missing there did not exist before
        feed.noteNew(fp);
        bulk.writer.add(a, feed.baseOf(fp));
        return 'alerts';
      }
      bulk?.writer.flush(); // a row this upsert reads back may still be buffered
      // the upsert reads the row it compares with once, and tells the feed its brief from that read
      const before = (brief: AlertBrief | null) => feed.noteBefore(fp, brief);
      if (repo.upsert(a, ctx.clock.now(), feed.baseOf(fp), before, meta.hold === true) !== null) feed.noteWritten(fp, a);
      return 'alerts';
    },
    reset() {
      feed.beginSnapshot();
      const mine = (bulk = { writer: snapshots.begin(ctx.clock.now()), seen: new Set() });
      // A transaction is one synchronous call, so by the first microtask after reset() the snapshot has
      // committed or rolled back. Without endSnapshot() (a rollback) single-row writes must resume: the
      // rolled-back table holds rows `seen` does not know.
      queueMicrotask(() => {
        if (bulk !== mine) return;
        bulk = null;
        const rebuilt = mine.writer.abandon();
        if (rebuilt) ctx.log.log('error', 'alerts.snapshot_unfinished', { rebuiltIndexes: rebuilt });
      });
    },
    // the rows held back during the batch, and the collection's freshness: once per batch, not per event
    endBatch() {
      repo.writeHeld();
      ctx.touch('alerts');
    },
    committed: () => feed.committed(),
    rolledBack() {
      repo.dropHeld();
      feed.rolledBack();
    },
    endSnapshot() {
      const done = bulk;
      bulk = null;
      if (!done) return;
      done.writer.finish();
      if (done.writer.count()) ctx.touch('alerts');
    },
  };

  return [
    alertUpsert,
    {
      kind: 'alert.remove',
      apply(data) {
        const { fingerprint } = eventData['alert.remove'].parse(data);
        bulk?.writer.flush();
        repo.writeHeldOf(fingerprint);
        feed.noteBefore(fingerprint);
        repo.remove(fingerprint);
        feed.noteWritten(fingerprint, null);
        return 'alerts';
      },
    },
    {
      kind: 'silence.upsert',
      apply(data) {
        repo.upsertSilence(eventData['silence.upsert'].parse(data));
        feed.silencesChanged();
        return 'alerts';
      },
      reset() {
        repo.clearSilences();
        feed.silencesChanged();
      },
    },
    {
      kind: 'silence.remove',
      apply(data) {
        repo.removeSilence(eventData['silence.remove'].parse(data).id);
        feed.silencesChanged();
        return 'alerts';
      },
    },
  ];
}
