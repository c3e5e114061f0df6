/**
 * Alert changes, collected inside the link's sync transaction and evaluated shortly after the commit.
 * The appliers note which fingerprints change (with their brief before) and the alert they wrote; the
 * flush evaluates what was actually committed, so a rolled-back batch notifies nobody, and then feeds the
 * renderer (alertsChanged), the counts (alertCounts, for the title bar and the tray) and the notification
 * policy. What was committed: the written alert itself once the link said its transaction committed
 * (committed()); otherwise — a rollback, a write nobody confirmed — the row as read back from the store.
 */
import { cutAlert } from '@shared/alert-view';
import type { Alert } from '@shared/alerts';
import { displayState } from '@shared/alerts';
import type { AlertCounts } from '@shared/contract/alerts';
import type { TimerHandle } from '@node/clock';
import type { CoreContext } from '../context';
import type { NotificationPolicy, ObservedChange } from './policy';
import type { AlertBrief, AlertRepo } from './repo';

/** how long after a commit the changes are evaluated: coalesces a burst of small sync transactions */
export const FLUSH_DELAY_MS = 50;
/** above this many changed alerts in one flush the renderer reloads the list instead of taking a delta */
export const DELTA_LIMIT = 10_000;

/** the same state, severity and last update: nothing a notification or a count depends on changed */
const sameBrief = (a: AlertBrief | null, b: AlertBrief | null): boolean =>
  a === b || (!!a && !!b && a.state === b.state && a.severity === b.severity && a.display === b.display && a.updatedAt === b.updatedAt);

/** Moves one alert's contribution to `counts` from its old state to its new one. */
export function countDelta(counts: AlertCounts, before: AlertBrief | null, after: Alert | null): void {
  if (before?.state === 'firing') {
    counts.bySeverity[before.severity].total -= 1;
    if (before.display === 'firing') counts.bySeverity[before.severity].unacked -= 1;
  }
  if (after?.state === 'firing') {
    counts.bySeverity[after.severity].total += 1;
    if (displayState(after) === 'firing') counts.bySeverity[after.severity].unacked += 1;
  }
}

/** Recomputes the totals of `counts` from its per-severity figures. */
export function settleCounts(counts: AlertCounts): void {
  counts.unacked = 0;
  counts.worstUnacked = null;
  for (const s of ['P3', 'P2', 'P1', 'P0'] as const) {
    counts.unacked += counts.bySeverity[s].unacked;
    if (counts.bySeverity[s].unacked > 0) counts.worstUnacked = s;
  }
}

export function createChangeFeed(ctx: CoreContext, repo: AlertRepo, policy: NotificationPolicy) {
  const pending = new Map<string, AlertBrief | null>();
  /** what the transaction under way wrote (null: removed), until it commits or rolls back */
  const staged = new Map<string, Alert | null>();
  /** what committed transactions wrote, for the flush (a fingerprint missing here is read back) */
  const written = new Map<string, Alert>();
  /** briefs of the alerts a snapshot emptied, until the flush after it */
  let snapshotBase: Map<string, AlertBrief> | null = null;
  let silencesChanged = false;
  let flushTimer: TimerHandle | null = null;
  // Read on first use (the renderer's first call, or the first flush), not while the core starts. Once
  // read, each flush moves it by the changes it evaluates; read after changes were committed but before
  // their flush, it would count them twice: that flush runs first and reads it with them.
  let countsNow: AlertCounts | null = null;
  const current = (): AlertCounts => {
    if (countsNow === null && pending.size) flush();
    return (countsNow ??= repo.counts());
  };

  const schedule = () => {
    if (!flushTimer) flushTimer = ctx.clock.setTimeout(flush, FLUSH_DELAY_MS);
  };

  function flush(): void {
    ctx.clock.clearTimeout(flushTimer);
    flushTimer = null;
    if (!pending.size && !silencesChanged) return;
    const batch = [...pending];
    pending.clear();
    const wrote = new Map(written);
    written.clear();
    snapshotBase = null;
    const reset = batch.length > DELTA_LIMIT;
    // A large batch (a snapshot) is compared by brief first: only the alerts it changed are read in full and
    // shown to the policy, which already tracks the rest (reading 100k rows would block the core for a second).
    const now = reset ? repo.briefs() : null;
    const changes: ObservedChange[] = [];
    const upserted: Alert[] = [];
    const removed: string[] = [];
    // the counts are read afresh after a large batch, or if never read yet; else moved by each change
    const fresh = reset || countsNow === null;
    const previous = countsNow ? JSON.stringify(countsNow) : '';
    for (const [fp, b] of batch) {
      if (now && sameBrief(b, now.get(fp) ?? null)) continue;
      const after = now && !now.has(fp) ? null : (wrote.get(fp) ?? repo.get(fp));
      if (!after && !b) continue; // added and removed again, or rolled back
      changes.push({ fingerprint: fp, before: b, after });
      if (after) upserted.push(cutAlert(after));
      else removed.push(fp);
      if (!fresh) countDelta(countsNow!, b, after);
    }
    // never read and nothing changed (silences alone, a rolled-back write): still nothing to tell
    if (fresh && (reset || changes.length)) countsNow = repo.counts();
    const counts = countsNow;
    if (counts) settleCounts(counts);
    const countsChanged = !!counts && previous !== JSON.stringify(counts);
    if (changes.length || silencesChanged) {
      ctx.emit('alertsChanged', reset ? { reset, upserted: [], removed: [], silencesChanged } : { reset, upserted, removed, silencesChanged });
    }
    silencesChanged = false;
    if (countsChanged) ctx.emit('alertCounts', counts!);
    if (changes.length) policy.observe(changes);
  }

  return {
    counts: current,
    /**
     * `fp` is about to be written or removed: remember its brief before (the first one in this flush);
     * `brief` when the caller has just read it (undefined: read here)
     */
    noteBefore(fp: string, brief?: AlertBrief | null): void {
      if (!pending.has(fp)) pending.set(fp, brief === undefined ? repo.brief(fp) : brief);
      schedule();
    },
    /** `fp` was written as `a` (null: removed) in the transaction under way */
    noteWritten(fp: string, a: Alert | null): void {
      staged.set(fp, a);
    },
    /** the transaction under way committed: what it wrote is what the flush evaluates */
    committed(): void {
      for (const [fp, a] of staged)
        if (a) written.set(fp, a);
        else written.delete(fp);
      staged.clear();
    },
    /** the transaction under way rolled back: what it wrote never was */
    rolledBack(): void {
      staged.clear();
    },
    /** `fp` is written by a snapshot; unless the snapshot's base had it, it did not exist before */
    noteNew(fp: string): void {
      if (!pending.has(fp)) pending.set(fp, null);
    },
    /** a snapshot empties the table: every alert it held is noted with its brief */
    beginSnapshot(): void {
      // every row is replaced: what earlier batches wrote is compared by brief after the snapshot
      written.clear();
      snapshotBase = repo.takeAll();
      for (const [fp, b] of snapshotBase) if (!pending.has(fp)) pending.set(fp, b);
      schedule();
    },
    /** the brief `fp` had before the snapshot in progress emptied the table */
    baseOf: (fp: string): AlertBrief | undefined => snapshotBase?.get(fp),
    silencesChanged(): void {
      silencesChanged = true;
      schedule();
    },
    /** runs a pending flush now (tests and benchmarks; production waits FLUSH_DELAY_MS) */
    flush,
    stop(): void {
      ctx.clock.clearTimeout(flushTimer);
      flushTimer = null;
    },
  };
}
export type ChangeFeed = ReturnType<typeof createChangeFeed>;
