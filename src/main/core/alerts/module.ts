/**
 * The alerts module of the core (slice: src/shared/contract/alerts.ts).
 *
 * Platform events are stored by the appliers inside the link's sync transaction. The appliers only note
 * which fingerprints changed (and their state before); a flush shortly after the commit reads what was
 * actually committed, so a rolled-back batch notifies nobody, and then feeds the notification policy,
 * the renderer (alertsChanged) and the counts (alertCounts, for the title bar and the tray).
 *
 * A snapshot (reset() … endSnapshot()) refills the emptied table through a bulk writer (bulk.ts): no
 * read-back per alert, many rows per statement. Its history records what changed against the cache it
 * replaced; an alert it brings for the first time gets no "firing" entry (see bulk.ts).
 */
import type { Alert } from '@shared/alerts';
import { displayState } from '@shared/alerts';
import { alertMethods, type AlertAction, type AlertCounts, type NotifyState } from '@shared/contract/alerts';
import { compileMatchers } from '@shared/matchers';
import { eventData } from '@shared/protocol';
import { ApiError } from '@shared/rpc';
import type { TimerHandle } from '@node/clock';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';
import type { NativeNotification } from '../notifier';
import { operator } from '../settings';
import { createActionTracker, type Submission } from './actions';
import { createFilterRepo, createNotifyStateRepo } from './filters';
import { NotificationPolicy, type ObservedChange } from './policy';
import { createAlertRepo, type AlertBrief } from './repo';
import { notifyLanguage, notifyTexts } from './notify-text';
import { parseAlert } from './validate';
import { createSnapshotWriter, type SnapshotWriter } from './bulk';

/** how long after a commit the changes are evaluated: coalesces a burst of small sync transactions */
export const FLUSH_DELAY_MS = 50;
/** above this many changed alerts in one flush the renderer reloads the list instead of taking a delta */
export const DELTA_LIMIT = 10_000;

export interface AlertsModule extends CoreModule<typeof alertMethods> {
  /** the current counts (also pushed as the alertCounts event) */
  counts(): AlertCounts;
  notifyState(): NotifyState;
  /** runs a pending flush now (tests and benchmarks; production waits FLUSH_DELAY_MS) */
  flushNow(): void;
}

const TOAST_LEVEL = { critical: 'error', normal: 'warning', low: 'info' } as const;

const HOUR_MS = 3_600_000;
/** alert history older than this is deleted */
export const HISTORY_KEEP_MS = 30 * 24 * HOUR_MS;
/** history of alerts no longer cached is deleted after this */
export const HISTORY_GONE_MS = 24 * HOUR_MS;
const HISTORY_PRUNE_EVERY_MS = HOUR_MS;

/** the same state, severity and last update: nothing a notification or a count depends on changed */
const sameBrief = (a: AlertBrief | null, b: AlertBrief | null): boolean =>
  a === b || (!!a && !!b && a.state === b.state && a.severity === b.severity && a.display === b.display && a.updatedAt === b.updatedAt);

export function createAlertsModule(ctx: CoreContext, sink: ActionSink): AlertsModule {
  const repo = createAlertRepo(ctx.db);
  const filters = createFilterRepo(ctx.db);
  const notifyStore = createNotifyStateRepo(ctx.db);
  const tracker = createActionTracker(ctx.db, sink);
  const policy = new NotificationPolicy({
    clock: ctx.clock,
    settings: ctx.settings,
    notifier: ctx.notifier,
    log: ctx.log,
    onDecision: (n: NativeNotification) =>
      ctx.emit('toast', {
        id: n.tag,
        level: n.tag.startsWith('vigil:resolved:') ? 'success' : TOAST_LEVEL[n.urgency],
        title: n.title,
        body: n.body,
      }),
  });

  // ---- collecting changes inside the sync transaction, evaluating after the commit -----------------
  const pending = new Map<string, AlertBrief | null>();
  /** briefs of the alerts a snapshot emptied, until the flush after it */
  let snapshotBase: Map<string, AlertBrief> | null = null;
  let silencesChanged = false;
  let flushTimer: TimerHandle | null = null;
  let counts: AlertCounts = repo.counts();
  let muteTimer: TimerHandle | null = null;
  let pruneTimer: TimerHandle | null = null;
  // history stays bounded over a long shift (and a year of shifts): see docs/alerts.md
  const prune = () => {
    const removed = repo.pruneHistory(ctx.clock.now(), HISTORY_KEEP_MS, HISTORY_GONE_MS);
    if (removed > 0) ctx.log.log('info', 'alerts.history_pruned', { removed });
    pruneTimer = ctx.clock.setTimeout(prune, HISTORY_PRUNE_EVERY_MS);
  };

  const schedule = () => {
    if (!flushTimer) flushTimer = ctx.clock.setTimeout(flush, FLUSH_DELAY_MS);
  };
  const noteBefore = (fp: string) => {
    if (!pending.has(fp)) pending.set(fp, repo.brief(fp));
    schedule();
  };

  /** Moves one alert's contribution to the counts from its old state to its new one. */
  function countDelta(before: AlertBrief | null, after: Alert | null): void {
    if (before?.state === 'firing') {
      counts.bySeverity[before.severity].total -= 1;
      if (before.display === 'firing') counts.bySeverity[before.severity].unacked -= 1;
    }
    if (after?.state === 'firing') {
      counts.bySeverity[after.severity].total += 1;
      if (displayState(after) === 'firing') counts.bySeverity[after.severity].unacked += 1;
    }
  }

  /** Recomputes the totals from the per-severity figures; true when anything shown changed. */
  function settleCounts(previous: string): boolean {
    counts.unacked = 0;
    counts.worstUnacked = null;
    for (const s of ['P3', 'P2', 'P1', 'P0'] as const) {
      counts.unacked += counts.bySeverity[s].unacked;
      if (counts.bySeverity[s].unacked > 0) counts.worstUnacked = s;
    }
    return previous !== JSON.stringify(counts);
  }

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
      if (after) upserted.push(after);
      else removed.push(fp);
      if (!reset) countDelta(b, after);
    }
    if (reset) counts = repo.counts();
    const countsChanged = settleCounts(previous);
    if (changes.length || silencesChanged) {
      ctx.emit('alertsChanged', reset ? { reset, upserted: [], removed: [], silencesChanged } : { reset, upserted, removed, silencesChanged });
    }
    silencesChanged = false;
    if (countsChanged) ctx.emit('alertCounts', counts);
    if (changes.length) policy.observe(changes);
  }

  /**
   * A snapshot in progress (from reset() to endSnapshot(), inside the link's transaction): its alerts go
   * to the bulk writer, since the table was just emptied. `seen` holds the fingerprints written so far: a
   * fingerprint absent from it has no row, so its state before is its brief in the snapshot's base.
   */
  const snapshots = createSnapshotWriter(ctx.db);
  let bulk: { writer: SnapshotWriter; seen: Set<string> } | null = null;

  const appliers: EventApplier[] = [
    {
      kind: 'alert.upsert',
      apply(data) {
        const a = parseAlert(data);
        const fp = a.fingerprint;
        if (bulk && !bulk.seen.has(fp)) {
          bulk.seen.add(fp);
          // reset() put every alert of the base in `pending`; one missing there did not exist before
          if (!pending.has(fp)) pending.set(fp, null);
          bulk.writer.add(a, snapshotBase?.get(fp));
          return 'alerts';
        }
        bulk?.writer.flush(); // a row this upsert reads back may still be buffered
        noteBefore(fp);
        repo.upsert(a, ctx.clock.now(), snapshotBase?.get(fp));
        ctx.touch('alerts');
        return 'alerts';
      },
      reset() {
        snapshotBase = repo.takeAll();
        for (const [fp, b] of snapshotBase) if (!pending.has(fp)) pending.set(fp, b);
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
        schedule();
      },
      endSnapshot() {
        const done = bulk;
        bulk = null;
        if (!done) return;
        done.writer.finish();
        if (done.writer.count()) ctx.touch('alerts');
      },
    },
    {
      kind: 'alert.remove',
      apply(data) {
        const { fingerprint } = eventData['alert.remove'].parse(data);
        bulk?.writer.flush();
        noteBefore(fingerprint);
        repo.remove(fingerprint);
        return 'alerts';
      },
    },
    {
      kind: 'silence.upsert',
      apply(data) {
        repo.upsertSilence(eventData['silence.upsert'].parse(data));
        silencesChanged = true;
        schedule();
        return 'alerts';
      },
      reset() {
        repo.clearSilences();
        silencesChanged = true;
        schedule();
      },
    },
    {
      kind: 'silence.remove',
      apply(data) {
        repo.removeSilence(eventData['silence.remove'].parse(data).id);
        silencesChanged = true;
        schedule();
        return 'alerts';
      },
    },
  ];

  // ---- actions ---------------------------------------------------------------------------------------

  /** The cached alerts for `fps`; unknown fingerprints are refused before anything is queued. */
  function known(fps: readonly string[]): Alert[] {
    const unique = [...new Set(fps)];
    const found = unique.map((fp) => repo.get(fp));
    const missing = unique.filter((_, i) => !found[i]);
    if (missing.length)
      throw new ApiError('not_found', `No cached alert with fingerprint ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}.`);
    return found as Alert[];
  }

  function queue<T extends 'alert.ack' | 'alert.unack' | 'alert.resolve' | 'alert.escalate'>(
    type: T,
    alerts: Alert[],
    applies: (a: Alert) => boolean,
    why: string,
    payload: (a: Alert) => Submission<T>['payload'],
  ): AlertAction[] {
    const targets = alerts.filter(applies);
    if (!targets.length) throw new ApiError('nothing_to_do', `${why} (${alerts.length === 1 ? alerts[0].alertname : `${alerts.length} alerts`}).`);
    const actor = operator(ctx);
    const now = ctx.clock.now();
    const out = ctx.db.transaction(() => {
      const queued = tracker.submit(type, targets.map((a) => ({ payload: payload(a), fingerprints: [a.fingerprint] })), actor);
      for (const a of targets) repo.recordEvent(a.fingerprint, now, 'action', `${type} queued by ${actor}`);
      ctx.audit(actor, type, { fingerprints: targets.map((a) => a.fingerprint) });
      return queued;
    })();
    ctx.emit('alertActionsChanged', { ids: out.map((a) => a.id) });
    return out;
  }

  // ---- notification state ----------------------------------------------------------------------------
  const notifyState = (): NotifyState => ({
    mutedUntil: policy.muted() ? notifyStore.mutedUntil() : null,
    quietNow: policy.quietNow(),
  });

  function applyMute(until: number | null): void {
    policy.setMutedUntil(until);
    ctx.clock.clearTimeout(muteTimer);
    muteTimer = null;
    const now = ctx.clock.now();
    if (until && until > now) muteTimer = ctx.clock.setTimeout(() => applyMute(null), until - now);
    else if (until !== null) notifyStore.setMutedUntil(null);
    ctx.emit('notifyState', notifyState());
  }

  const handlers: CoreModule<typeof alertMethods>['handlers'] = {
    alertsPage: (cursor, limit) => repo.page(cursor, limit),
    alertAck: (fps, opts) =>
      queue('alert.ack', known(fps), (a) => a.state === 'firing' && !a.ackedBy, 'Nothing to ack: already acked or resolved', (a) => ({
        fingerprint: a.fingerprint,
        ...(opts?.note ? { note: opts.note } : {}),
        ...(opts?.durationMinutes ? { durationMinutes: opts.durationMinutes } : {}),
      })),
    alertUnack: (fps) =>
      queue('alert.unack', known(fps), (a) => !!a.ackedBy, 'Nothing to unack: not acked', (a) => ({ fingerprint: a.fingerprint })),
    alertResolve: (fps, opts) =>
      queue('alert.resolve', known(fps), (a) => a.state === 'firing', 'Nothing to resolve: already resolved', (a) => ({
        fingerprint: a.fingerprint,
        ...(opts?.note ? { note: opts.note } : {}),
      })),
    alertEscalate: (fps, opts) =>
      queue('alert.escalate', known(fps), (a) => a.state === 'firing', 'Nothing to escalate: already resolved', (a) => ({
        fingerprint: a.fingerprint,
        ...(opts?.reason ? { reason: opts.reason } : {}),
      })),
    silenceCreate: (input) => {
      let matches: (l: Record<string, string>) => boolean;
      try {
        matches = compileMatchers(input.matchers);
      } catch (err) {
        throw new ApiError('bad_arguments', `silence matchers: ${(err as Error).message}`);
      }
      const now = ctx.clock.now();
      const fingerprints = repo.firingLabels().filter((r) => matches(r.labels)).slice(0, 500).map((r) => r.fingerprint);
      const actor = operator(ctx);
      const [queued] = ctx.db.transaction(() => {
        const q = tracker.submit(
          'silence.create',
          [{ payload: { matchers: input.matchers, startsAt: now, endsAt: now + input.durationMinutes * 60_000, comment: input.comment }, fingerprints }],
          actor,
        );
        for (const fp of fingerprints) repo.recordEvent(fp, now, 'action', `silence queued by ${actor}: ${input.comment}`);
        ctx.audit(actor, 'silence.create', { matchers: input.matchers, minutes: input.durationMinutes });
        return q;
      })();
      ctx.emit('alertActionsChanged', { ids: [queued.id] });
      return queued;
    },
    silenceExpire: (id) => {
      const s = repo.silences().find((x) => x.id === id);
      if (!s) throw new ApiError('not_found', `No cached silence ${id}.`);
      if (s.state === 'expired') throw new ApiError('nothing_to_do', `Silence ${id} has already expired.`);
      const actor = operator(ctx);
      const [queued] = ctx.db.transaction(() => {
        const q = tracker.submit('silence.expire', [{ payload: { silenceId: id }, fingerprints: [], silenceId: id }], actor);
        ctx.audit(actor, 'silence.expire', { silenceId: id });
        return q;
      })();
      ctx.emit('alertActionsChanged', { ids: [queued.id] });
      return queued;
    },
    alertActions: () => tracker.recent(),
    alertCounts: () => counts,
    alertFiltersList: () => filters.list(),
    alertFilterSave: (input) => filters.save(input, ctx.clock.now()),
    alertFilterDelete: (id) => ({ deleted: filters.remove(id) }),
    notifyState,
    notifyMute: (minutes) => {
      const until = minutes > 0 ? ctx.clock.now() + minutes * 60_000 : null;
      notifyStore.setMutedUntil(until);
      ctx.audit(operator(ctx), 'notify.mute', { minutes });
      applyMute(until);
      return notifyState();
    },
    notifyTest: async () => {
      const t = notifyTexts(notifyLanguage(ctx.settings().language));
      try {
        await ctx.notifier.notify({ tag: 'vigil:test', title: t.testTitle, body: t.testBody, urgency: 'normal', sticky: false });
        return { delivered: true, error: null };
      } catch (err) {
        return { delivered: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
  };

  return {
    handlers,
    appliers,
    counts: () => counts,
    notifyState,
    flushNow: flush,
    start() {
      policy.seed(repo.list().filter((a) => a.state === 'firing'));
      applyMute(notifyStore.mutedUntil());
      prune();
    },
    stop() {
      ctx.clock.clearTimeout(flushTimer);
      ctx.clock.clearTimeout(muteTimer);
      ctx.clock.clearTimeout(pruneTimer);
      flushTimer = muteTimer = pruneTimer = null;
      policy.stop();
    },
  };
}
