/**
 * Alert changes, collected inside the link's sync transaction and evaluated shortly after the commit.
 * The appliers only note which fingerprints change (with their brief before); the flush reads what was
 * actually committed, so a rolled-back batch notifies nobody, and then feeds the renderer (alertsChanged),
 * the counts (alertCounts, for the title bar and the tray) and the notification policy.
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
  /** briefs of the alerts a snapshot emptied, until the flush after it */
  let snapshotBase: Map<string, AlertBrief> | null = null;
  let silencesChanged = false;
  let flushTimer: TimerHandle | null = null;
  let counts: AlertCounts = repo.counts();

  const schedule = () => {
    if (!flushTimer) flushTimer = ctx.clock.setTimeout(flush, FLUSH_DELAY_MS);
  };

  function flush(): void {
    ctx.clock.clearTimeout(flushTimer);
    flushTimer = null;
    if (!pending.size && !silencesChanged) return;
    const batch = [...pending];
    pending.clear();
    snapshotBase = null;
    const reset = batch.length > DELTA_LIMIT;
    // A large batch (a snapshot) is compared by brief first: only the alerts it changed are read in full and
    // shown to the policy, which already tracks the rest (reading 100k rows would block the core for a second).
    const now = reset ? repo.briefs() : null;
    const changes: ObservedChange[] = [];
    const upserted: Alert[] = [];
    const removed: string[] = [];
    const previous = JSON.stringify(counts);
    for (const [fp, b] of batch) {
      if (now && sameBrief(b, now.get(fp) ?? null)) continue;
      const after = now && !now.has(fp) ? null : repo.get(fp);
      if (!after && !b) continue; // added and removed again, or rolled back
      changes.push({ fingerprint: fp, before: b, after });
      if (after) upserted.push(cutAlert(after));
      else removed.push(fp);
      if (!reset) countDelta(counts, b, after);
    }
    if (reset) counts = repo.counts();
    settleCounts(counts);
    const countsChanged = previous !== JSON.stringify(counts);
    if (changes.length || silencesChanged) {
      ctx.emit('alertsChanged', reset ? { reset, upserted: [], removed: [], silencesChanged } : { reset, upserted, removed, silencesChanged });
    }
    silencesChanged = false;
    if (countsChanged) ctx.emit('alertCounts', counts);
    if (changes.length) policy.observe(changes);
  }

  return {
    counts: () => counts,
    /** `fp` is about to be written or removed: remember its brief before (the first one in this flush) */
    noteBefore(fp: string): void {
      if (!pending.has(fp)) pending.set(fp, repo.brief(fp));
      schedule();
    },
    /** `fp` is written by a snapshot; unless the snapshot's base had it, it did not exist before */
    noteNew(fp: string): void {
      if (!pending.has(fp)) pending.set(fp, null);
    },
    /** a snapshot empties the table: every alert it held is noted with its brief */
    beginSnapshot(): void {
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
