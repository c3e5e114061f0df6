/**
 * Auto-checks: conditions evaluated on the data Vigil has cached. The rule that matters at 3 a.m.: data
 * that is missing or older than the check allows gives "unknown", never "pass". Metric checks read cached
 * dashboard panels (autocheck-metric.ts); the rest are here.
 */
import type { AutoCheck, AutoResult, AutoReason } from '@shared/checklists';
import type { LinkState, Severity } from '@shared/domain';
import type { CoreNotifier } from '../notifier';
import { encodeNotifyFailure } from '@shared/notify-failure';
import type { DB } from '@node/sqlite';
import { autoResult, createMetricCheck, MIN } from './autocheck-metric';

export interface AutoCheckDeps {
  db: DB;
  now(): number;
  /** the platform link's state; absent until the core provides it (then link checks say unknown) */
  linkState?: () => LinkState | null;
  /** the module context's notifier: answers whether the notification was shown */
  notifier: CoreNotifier;
  /** whether a platform token is stored */
  hasToken(): Promise<boolean>;
  /** texts for the test notification, in the core's language */
  testNotification: { title: string; body: string };
  /** the test call through the gateway (test-call.ts); without it the step says the platform is not there */
  testCall?: () => Promise<Pick<AutoResult, 'outcome' | 'reason' | 'value'>>;
}

type Collection = 'alerts' | 'runbooks' | 'dashboards' | 'rosters';
type Outcome = AutoResult['outcome'];

export function createAutoChecks(deps: AutoCheckDeps) {
  const s = {
    meta: deps.db.prepare('SELECT fetched_at FROM collection_meta WHERE collection = ?'),
    firing: deps.db.prepare(
      "SELECT alertname, severity, silenced_by, inhibited_by FROM alerts WHERE state = 'firing' ORDER BY severity, starts_at",
    ),
  };

  const result = (outcome: Outcome, reason: AutoReason, value: string | null, limit: string | null, dataAt: number | null) =>
    autoResult(deps.now(), outcome, reason, value, limit, dataAt);
  const metric = createMetricCheck(deps);

  const link = (): LinkState | null => {
    try {
      return deps.linkState?.() ?? null;
    } catch {
      return null;
    }
  };

  /**
   * How current a cached collection is. While the link is online the platform streams every change, so
   * the cache is as good as live; otherwise it is as old as its last write.
   */
  function asOf(c: Collection): number | null {
    const l = link();
    if (l?.status === 'online') return deps.now();
    const row = s.meta.get(c) as { fetched_at: number } | undefined;
    return row?.fetched_at ?? null;
  }

  // ---- alerts, freshness, link ------------------------------------------------------------------

  function noFiring(c: Extract<AutoCheck, { type: 'no_firing' }>): AutoResult {
    const at = asOf('alerts');
    if (at === null) return result('unknown', 'never_synced', null, null, null);
    const wanted = new Set<Severity>(c.severities);
    // Silenced or inhibited alerts were muted on purpose (release window); acked ones are still a problem.
    const firing = (s.firing.all() as { alertname: string; severity: Severity; silenced_by: string; inhibited_by: string }[]).filter(
      (a) => wanted.has(a.severity) && a.silenced_by === '[]' && a.inhibited_by === '[]',
    );
    const value = firing.length ? `${firing.length}: ${[...new Set(firing.map((a) => `${a.alertname} (${a.severity})`))].join(', ')}` : '0';
    if (deps.now() - at > c.maxAgeMinutes * MIN) return result('unknown', 'stale', value, null, at);
    return result(firing.length ? 'fail' : 'pass', firing.length ? 'firing' : 'no_firing', value, null, at);
  }

  function fresh(c: Extract<AutoCheck, { type: 'fresh' }>): AutoResult {
    const now = deps.now();
    const ages = c.collections.map((col) => ({ col, at: asOf(col) }));
    const never = ages.filter((a) => a.at === null);
    const value = ages.map((a) => `${a.col}: ${a.at === null ? '—' : `${Math.floor((now - a.at) / MIN)} min`}`).join(', ');
    const known = ages.filter((a): a is { col: Collection; at: number } => a.at !== null);
    const oldest = known.length ? Math.min(...known.map((a) => a.at)) : null;
    if (never.length) return result('fail', 'never_synced', value, `≤ ${c.maxAgeMinutes} min`, oldest);
    const ok = now - (oldest as number) <= c.maxAgeMinutes * MIN;
    return result(ok ? 'pass' : 'fail', ok ? 'fresh' : 'not_fresh', value, `≤ ${c.maxAgeMinutes} min`, oldest);
  }

  function linkOnline(): AutoResult {
    const l = link();
    if (!l) return result('unknown', 'link_unknown', null, null, null);
    const ok = l.status === 'online';
    return result(ok ? 'pass' : 'fail', ok ? 'link_online' : 'link_down', l.status, null, l.since);
  }

  async function tokenValid(): Promise<AutoResult> {
    const l = link();
    if (!l) return result('unknown', 'link_unknown', null, null, null);
    if (l.status === 'auth_failed') return result('fail', 'token_rejected', l.lastError, null, l.since);
    if (l.status === 'online') return result('pass', l.embedded ? 'token_embedded' : 'token_ok', null, null, l.since);
    if (l.platformUrl && !l.embedded && !(await deps.hasToken())) return result('fail', 'token_missing', null, null, null);
    // Offline: the token can only be proven by a successful sign-in.
    return result('unknown', 'token_unverified', l.status, null, l.since);
  }

  async function notificationTest(tag: string): Promise<AutoResult> {
    const r = await deps.notifier.notify({ tag, title: deps.testNotification.title, body: deps.testNotification.body, urgency: 'normal', sticky: false });
    // When it was shown is the reading: dataAt carries it, shown as its age.
    if (r.shown) return result('pass', 'notification_shown', null, null, deps.now());
    // the reading keeps the code (@shared/notify-failure): it is worded when read, in the reader's language
    return result('fail', 'notification_failed', encodeNotifyFailure(r.failure), null, null);
  }

  async function pagingTest(): Promise<AutoResult> {
    if (!deps.testCall) return result('unknown', 'paging_offline', null, null, null);
    const r = await deps.testCall();
    // when the paths answered is the reading's time
    return result(r.outcome, r.reason, r.value, null, r.reason === 'paging_offline' ? null : deps.now());
  }

  return {
    /** `tag` identifies the step for checks with side effects (the test notification) */
    async evaluate(check: AutoCheck, tag: string): Promise<AutoResult> {
      switch (check.type) {
        case 'metric':
          return metric(check);
        case 'no_firing':
          return noFiring(check);
        case 'fresh':
          return fresh(check);
        case 'link_online':
          return linkOnline();
        case 'token_valid':
          return tokenValid();
        case 'notification_test':
          return notificationTest(tag);
        case 'paging_test':
          return pagingTest();
      }
    },
  };
}
export type AutoChecks = ReturnType<typeof createAutoChecks>;
