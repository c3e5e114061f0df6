/**
 * Auto-checks: conditions evaluated on the data Vigil has cached. The rule that matters at 3 a.m.: data
 * that is missing or older than the check allows gives "unknown", never "pass".
 */
import type { AutoCheck, AutoResult, AutoReason, Comparator } from '@shared/checklists';
import { compare } from '@shared/checklists';
import type { LinkState, Severity } from '@shared/domain';
import type { Panel } from '@shared/dashboards';
import type { Notifier } from '../notifier';
import type { DB } from '@node/sqlite';

export interface AutoCheckDeps {
  db: DB;
  now(): number;
  /** the platform link's state; absent until the core provides it (then link checks say unknown) */
  linkState?: () => LinkState | null;
  notifier: Notifier;
  /** whether a platform token is stored */
  hasToken(): Promise<boolean>;
  /** texts for the test notification, in the core's language */
  testNotification: { title: string; body: string };
}

type Collection = 'alerts' | 'runbooks' | 'dashboards' | 'rosters';
type Outcome = AutoResult['outcome'];

const MIN = 60_000;

export function createAutoChecks(deps: AutoCheckDeps) {
  const s = {
    meta: deps.db.prepare('SELECT fetched_at FROM collection_meta WHERE collection = ?'),
    panels: deps.db.prepare('SELECT dashboard_id, id, spec FROM panels'),
    snapshot: deps.db.prepare('SELECT series, fetched_at FROM series_snapshots WHERE dashboard_id = ? AND panel_id = ?'),
    firing: deps.db.prepare(
      "SELECT alertname, severity, silenced_by, inhibited_by FROM alerts WHERE state = 'firing' ORDER BY severity, starts_at",
    ),
  };

  const result = (outcome: Outcome, reason: AutoReason, value: string | null, limit: string | null, dataAt: number | null): AutoResult => ({
    outcome,
    reason,
    value,
    limit,
    dataAt,
    checkedAt: deps.now(),
  });

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

  // ---- metric ------------------------------------------------------------------------------------

  const mentions = (expr: string, metric: string) =>
    new RegExp(`(^|[^A-Za-z0-9_:])${metric.replace(/[:]/g, '\\:')}([^A-Za-z0-9_:]|$)`).test(expr);

  interface Reading {
    value: number;
    at: number;
  }

  /**
   * The last value of every series that answers `metric`, from the freshest cached panel querying it.
   * A panel with several targets mixes their series, so there only series named after the metric count.
   */
  function read(metric: string, labels: Record<string, string> | undefined): { readings: Reading[]; found: boolean } {
    let best: { readings: Reading[]; fetchedAt: number } | null = null;
    let found = false;
    for (const p of s.panels.all() as { dashboard_id: string; id: string; spec: string }[]) {
      let spec: Panel;
      try {
        spec = JSON.parse(p.spec) as Panel;
      } catch {
        continue;
      }
      const targets = spec.targets ?? [];
      if (!targets.some((t) => mentions(t.expr, metric))) continue;
      found = true;
      const snap = s.snapshot.get(p.dashboard_id, p.id) as { series: string; fetched_at: number } | undefined;
      if (!snap) continue;
      let series: { labels: Record<string, string>; points: [number, number][] }[];
      try {
        series = JSON.parse(snap.series);
      } catch {
        continue;
      }
      const readings: Reading[] = [];
      for (const sr of series) {
        if (targets.length > 1 && sr.labels.__name__ !== metric) continue;
        if (labels && Object.entries(labels).some(([k, v]) => sr.labels[k] !== v)) continue;
        for (let i = sr.points.length - 1; i >= 0; i--) {
          const [at, v] = sr.points[i];
          if (Number.isFinite(v)) {
            readings.push({ value: v, at: Math.min(at, snap.fetched_at) });
            break;
          }
        }
      }
      if (readings.length && (!best || snap.fetched_at > best.fetchedAt)) best = { readings, fetchedAt: snap.fetched_at };
    }
    return { readings: best?.readings ?? [], found };
  }

  const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 10 ? 3 : 1).replace(/\.?0+$/, ''));

  function metric(c: Extract<AutoCheck, { type: 'metric' }>): AutoResult {
    const { readings, found } = read(c.metric, c.labels);
    if (!found) return result('unknown', 'no_panel', null, null, null);
    if (!readings.length) return result('unknown', 'no_series', null, null, null);
    // The worst series decides: the highest value when it must stay below the limit, the lowest otherwise.
    const below = c.op === '<' || c.op === '<=';
    const worst = readings.reduce((a, b) => (below ? (b.value > a.value ? b : a) : b.value < a.value ? b : a));
    const dataAt = Math.min(...readings.map((r) => r.at));

    let limitBase: number;
    let limitAt = Infinity;
    if (typeof c.limit === 'number') limitBase = c.limit;
    else {
      const l = read(c.limit.metric, c.labels);
      if (!l.readings.length) return result('unknown', 'no_limit', fmt(worst.value), null, dataAt);
      limitBase = Math.max(...l.readings.map((r) => r.value));
      limitAt = Math.min(...l.readings.map((r) => r.at));
    }
    const limit = limitBase * c.ratio;
    const limitText = `${c.op} ${fmt(limit)}`;
    const oldest = Math.min(dataAt, limitAt);
    if (deps.now() - oldest > c.maxAgeMinutes * MIN) return result('unknown', 'stale', fmt(worst.value), limitText, oldest);
    const ok = compare(worst.value, c.op as Comparator, limit);
    return result(ok ? 'pass' : 'fail', ok ? 'metric_ok' : 'metric_breach', fmt(worst.value), limitText, oldest);
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
    try {
      await deps.notifier.notify({ tag, title: deps.testNotification.title, body: deps.testNotification.body, urgency: 'normal', sticky: false });
      // When it was shown is the reading: dataAt carries it, shown as its age.
      return result('pass', 'notification_shown', null, null, deps.now());
    } catch (err) {
      return result('fail', 'notification_failed', String((err as Error)?.message ?? err).slice(0, 500), null, null);
    }
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
      }
    },
  };
}
export type AutoChecks = ReturnType<typeof createAutoChecks>;
