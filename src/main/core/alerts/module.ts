/**
 * The alerts module of the core (slice: src/shared/contract/alerts.ts).
 *
 * Platform events are stored by the appliers (appliers.ts) inside the link's sync transaction; the change
 * feed (changes.ts) evaluates what was committed shortly after and tells the renderer, the counts and the
 * notification policy (policy.ts). Actions on alerts and silences: action-handlers.ts. This file assembles
 * them and owns the notification controls (mute, test) and the history retention.
 */
import { cutAlert } from '@shared/alert-view';
import { alertMethods, type AlertCounts, type NotifyState } from '@shared/contract/alerts';
import type { TimerHandle } from '@node/clock';
import type { ActionSink, CoreContext } from '../context';
import type { CoreModule } from '../module';
import type { NativeNotification } from '../notifier';
import { createActionHandlers } from './action-handlers';
import { createActionTracker } from './actions';
import { createAlertAppliers } from './appliers';
import { createChangeFeed } from './changes';
import { createFilterRepo, createNotifyStateRepo } from './filters';
import { NotificationPolicy } from './policy';
import { createAlertRepo } from './repo';
import { notifyText } from './notify-text';
import { notifyFailureMessage } from '@shared/notify-failure';

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
/** rowids per slice when the policy is seeded at start-up: a few ms of reading each */
export const SEED_SLICE_ROWS = 1000;

export function createAlertsModule(ctx: CoreContext, sink: ActionSink): AlertsModule {
  const repo = createAlertRepo(ctx.db);
  const filters = createFilterRepo(ctx.db);
  const notifyStore = createNotifyStateRepo(ctx.db);
  const tracker = createActionTracker(ctx.db, sink);
  const policy = new NotificationPolicy({
    clock: ctx.clock,
    settings: ctx.settings,
    language: ctx.language,
    notifier: ctx.notifier,
    log: ctx.log,
    summaryOf: (fp) => repo.summary(fp),
    onDecision: (n: NativeNotification) =>
      ctx.emit('toast', {
        id: n.tag,
        level: n.tag.startsWith('vigil:resolved:') ? 'success' : TOAST_LEVEL[n.urgency],
        title: n.title,
        body: n.body,
      }),
  });
  const feed = createChangeFeed(ctx, repo, policy);
  const operator = () => ctx.auditName();

  // history stays bounded over a long shift (and a year of shifts): see docs/alerts.md
  let pruneTimer: TimerHandle | null = null;
  const pruned = (removed: number) => removed > 0 && ctx.log.log('info', 'alerts.history_pruned', { removed });
  const prune = () => {
    pruned(repo.pruneHistory(ctx.clock.now(), HISTORY_KEEP_MS, HISTORY_GONE_MS));
    pruneTimer = ctx.clock.setTimeout(prune, HISTORY_PRUNE_EVERY_MS);
  };
  /** the first prune, at start-up: in slices, after the first screen */
  function* firstPrune(): Generator<void> {
    let removed = 0;
    for (const n of repo.pruneHistorySlices(ctx.clock.now(), HISTORY_KEEP_MS, HISTORY_GONE_MS)) {
      removed += n;
      yield;
    }
    pruned(removed);
  }

  /** the open urgent alerts found at start-up, handed to the policy in slices so their repeats carry on */
  function* seedPolicy(): Generator<void> {
    const end = repo.maxRowid();
    for (let from = 0; from < end; from += SEED_SLICE_ROWS) {
      policy.seed(repo.openUrgentIn(from, Math.min(end, from + SEED_SLICE_ROWS)));
      if (from + SEED_SLICE_ROWS < end) yield;
    }
    policy.seeded();
  }

  // ---- notification controls -------------------------------------------------------------------------
  let muteTimer: TimerHandle | null = null;
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
    // what crosses to the renderer has oversized names and values cut; "show all" loads one by alertValue
    alertsList: () => repo.list().map(cutAlert),
    alertValue: (fp, where, index) => {
      const entry = Object.entries(repo.get(fp)?.[where] ?? {})[index];
      return entry ? { name: entry[0], value: entry[1] } : null;
    },
    alertHistory: (fp) => repo.history(fp),
    silencesList: () => repo.silences(),
    alertsPage: (cursor, limit) => {
      const page = repo.page(cursor, limit);
      return { ...page, alerts: page.alerts.map(cutAlert) };
    },
    ...createActionHandlers(ctx, repo, tracker),
    alertActions: () => tracker.recent(),
    alertCounts: () => feed.counts(),
    alertFiltersList: () => filters.list(),
    alertFilterSave: (input) => filters.save(input, ctx.clock.now()),
    alertFilterDelete: (id) => ({ deleted: filters.remove(id) }),
    notifyState,
    notifyMute: (minutes) => {
      const until = minutes > 0 ? ctx.clock.now() + minutes * 60_000 : null;
      notifyStore.setMutedUntil(until);
      ctx.audit(operator(), 'notify.mute', { minutes });
      applyMute(until);
      return notifyState();
    },
    notifyTest: async () => {
      const t = notifyText.in(ctx.language());
      // what the backend said: "not shown" with its reason (no D-Bus session, no daemon), never a guess
      const r = await ctx.notifier.notify({ tag: 'vigil:test', title: t.testTitle(), body: t.testBody(), urgency: 'normal', sticky: false });
      return r.shown
        ? { delivered: true, error: null, reason: null }
        : { delivered: false, error: notifyFailureMessage(r.failure, ctx.language()), reason: r.failure };
    },
  };

  return {
    handlers,
    // the console's 100k-alert list as text: the stored JSON of labels and annotations is not parsed only to be serialised again
    json: { alertsPage: (cursor, limit) => repo.pageJson(cursor, limit) },
    appliers: createAlertAppliers(ctx, repo, feed),
    counts: () => feed.counts(),
    notifyState,
    flushNow: feed.flush,
    start() {
      applyMute(notifyStore.mutedUntil());
      pruneTimer = ctx.clock.setTimeout(prune, HISTORY_PRUNE_EVERY_MS);
    },
    warmup: () => [
      { task: 'notifications', run: seedPolicy },
      { task: 'history', run: firstPrune },
    ],
    stop() {
      feed.stop();
      ctx.clock.clearTimeout(muteTimer);
      ctx.clock.clearTimeout(pruneTimer);
      muteTimer = pruneTimer = null;
      policy.stop();
    },
  };
}
