/**
 * The built-in demo source: a simulated Alertmanager + Prometheus over the world in resources/demo.
 *
 * The model (demo-model.ts) moves signals tick by tick; alert rules on those signals fire and resolve; the
 * firing set and the silences go through the same `reconcile` the real Alertmanager source uses, so acks,
 * silences, resolution and removal look exactly alike on the wire. Dashboard series come from the same signals,
 * so a firing backlog alert sits on a high backlog curve. Runbooks, roster and dashboards are served from files.
 *
 * Deterministic: one seed and one clock give the same events (tests use FakeClock).
 *
 * Its world lives in memory: a restarted demo source simulates afresh. Seeded with what the gateway stored
 * (SourceContext.known), the first publish resolves the previous run's alerts and removes its silences. An
 * action resumed after a gateway crash therefore finds nothing of its earlier attempt here (it died with the
 * process) and is applied to the new world; within one run, a created silence carries its action id like an
 * Alertmanager one, so a resumed create that did get through is not applied twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '@node/clock';
import { actionPayloads, type ActionPayload, type ActionType } from '@shared/actions';
import type { Matcher } from '@shared/alerts';
import { toDashboard, type DashboardSpec } from '@shared/dashboard-spec';
import { compileMatchers, matchersForLabels } from '@shared/matchers';
import { describeZodError } from '@shared/rpc';
import type { ActionOutcome, Source, SourceAction, SourceContext, SourceEvent } from '../source';
import {
  ackComment,
  emptyView,
  reconcile,
  silenceOfAction,
  taggedAuthor,
  viewFromKnown,
  type View,
} from './alert-state';
import type { AmAlert, AmSilence } from './alertmanager-api';
import { loadDashboards, loadRoster, loadRunbooks } from './content';
import {
  compare,
  DemoModel,
  fingerprint,
  normalizeExpr,
  parseModel,
  renderTemplate,
  seededRandom,
  type AlertDef,
} from './demo-model';
import { defaultLegend, renderLegend } from './prometheus';

export interface DemoSourceOptions {
  /** the folder with alerts/, dashboards/, runbooks/ and roster.yaml (resources/demo) */
  resourcesDir: string;
  seed?: number;
  clock?: Clock;
  /** model resolution: signals are sampled and rules evaluated once per tick */
  tickMs?: number;
  /** how often dashboards get fresh series */
  seriesIntervalMs?: number;
  /** mean time between incident scenarios starting */
  meanGapMinutes?: number;
  maxConcurrentScenarios?: number;
  resolvedRetentionMs?: number;
  /** simulate the last hour before start and begin with one incident under way (default true) */
  warmStart?: boolean;
  ackDurationMinutes?: number;
  warn?(message: string): void;
}

export interface DemoSource extends Source {
  /** the simulation, for tests */
  readonly model: DemoModel;
}

interface RuleInstance {
  def: AlertDef;
  signalId: string;
  index: number;
  labels: Record<string, string>;
  pendingSince: number | null;
  firing: { fingerprint: string; startsAt: number; annotations: Record<string, string> } | null;
  /** resolved by an operator: stays quiet until the condition clears once */
  heldResolved: boolean;
}

interface DemoSilence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
}

function readModelFiles(dir: string) {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => /\.ya?ml$/i.test(n))
        .sort()
    : [];
  if (files.length === 0) throw new Error(`the demo has no alert definitions in ${dir}`);
  return files.map((n) => ({ name: n, text: fs.readFileSync(path.join(dir, n), 'utf8') }));
}

export function createDemoSource(opts: DemoSourceOptions): DemoSource {
  const clock = opts.clock ?? systemClock;
  const tickMs = opts.tickMs ?? 15_000;
  const seriesIntervalMs = opts.seriesIntervalMs ?? 30_000;
  const retentionMs = opts.resolvedRetentionMs ?? 30 * 60_000;
  const ackMinutes = opts.ackDurationMinutes ?? 60;
  const warn = opts.warn ?? ((m: string) => console.warn(`[demo source] ${m}`));
  const random = seededRandom(opts.seed ?? 1);
  const def = parseModel(readModelFiles(path.join(opts.resourcesDir, 'alerts')));

  const dashboardsDir = path.join(opts.resourcesDir, 'dashboards');
  const specs: DashboardSpec[] = fs.existsSync(dashboardsDir) ? loadDashboards(dashboardsDir) : [];
  const historyMs = Math.max(3_600_000, ...specs.map((s) => s.query.rangeSeconds * 1000));
  const model = new DemoModel(def, {
    random,
    tickMs,
    meanGapMs: (opts.meanGapMinutes ?? 12) * 60_000,
    maxConcurrent: opts.maxConcurrentScenarios ?? 2,
    historyMs,
  });

  const signalByExpr = new Map(def.signals.map((s) => [normalizeExpr(s.expr), s.id]));
  const rules: RuleInstance[] = def.alerts.flatMap((a) =>
    model.signals.get(a.signal)!.instances.map((inst, index) => ({
      def: a,
      signalId: a.signal,
      index,
      labels: { alertname: a.alert, ...a.labels, ...inst.labels },
      pendingSince: null,
      firing: null,
      heldResolved: false,
    })),
  );
  const silences = new Map<string, DemoSilence>();
  let silenceSeq = 0;
  // silence ids of one run never collide with those of an earlier run the gateway still holds
  let runTag = '0';
  let view: View = emptyView();
  let ctx: SourceContext | null = null;
  let tickTimer: TimerHandle | null = null;
  let seriesTimer: TimerHandle | null = null;

  /** Runs the rules against the model's latest values. */
  const evaluate = (t: number) => {
    for (const r of rules) {
      const v = model.latest(r.signalId, r.index);
      if (v === null) continue;
      const before = r.def.rising ? model.valueAt(r.signalId, r.index, t - r.def.risingWindow) : null;
      const holds = compare(r.def.op, v, r.def.threshold) && (!r.def.rising || (before !== null && v > before));
      if (!holds) {
        r.pendingSince = null;
        r.firing = null;
        r.heldResolved = false;
        continue;
      }
      r.pendingSince ??= t;
      if (r.firing || r.heldResolved || t - r.pendingSince < r.def.for) continue;
      const annotations = Object.fromEntries(
        Object.entries(r.def.annotations).map(([k, text]) => [k, renderTemplate(text, v, r.labels)]),
      );
      r.firing = { fingerprint: fingerprint(r.labels), startsAt: t, annotations };
    }
  };

  const silenceState = (s: DemoSilence, t: number): AmSilence['status']['state'] =>
    s.endsAt <= t ? 'expired' : s.startsAt > t ? 'pending' : 'active';

  /** The firing set and silences as Alertmanager would list them. */
  const upstreamView = (t: number): { alerts: AmAlert[]; silences: AmSilence[] } => {
    const active = [...silences.values()]
      .filter((s) => silenceState(s, t) === 'active')
      .map((s) => ({ id: s.id, test: compileMatchers(s.matchers) }));
    const iso = (ms: number) => new Date(ms).toISOString();
    const alerts = rules
      .filter((r) => r.firing)
      .map((r): AmAlert => {
        const silencedBy = active.filter((s) => s.test(r.labels)).map((s) => s.id);
        return {
          fingerprint: r.firing!.fingerprint,
          labels: r.labels,
          annotations: r.firing!.annotations,
          startsAt: iso(r.firing!.startsAt),
          endsAt: iso(t + 5 * 60_000),
          generatorURL: undefined,
          status: { state: silencedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
        };
      });
    const sil = [...silences.values()].map((s): AmSilence => ({
      id: s.id,
      matchers: s.matchers,
      startsAt: iso(s.startsAt),
      endsAt: iso(s.endsAt),
      updatedAt: iso(s.updatedAt),
      createdBy: s.createdBy,
      comment: s.comment,
      status: { state: silenceState(s, t) },
    }));
    return { alerts, silences: sil };
  };

  const publish = () => {
    const t = clock.now();
    const up = upstreamView(t);
    const next = reconcile(view, up.alerts, up.silences, t, retentionMs);
    view = next.view;
    if (next.events.length > 0) ctx?.emit(next.events);
  };

  /** One series.update per panel whose targets the model knows; the others stay empty (listed at start). */
  const seriesEvents = (t: number): SourceEvent[] => {
    const events: SourceEvent[] = [];
    for (const spec of specs) {
      const rangeStart = t - spec.query.rangeSeconds * 1000;
      for (const panel of spec.dashboard.panels) {
        const series = panel.targets.flatMap((target) => {
          const id = signalByExpr.get(normalizeExpr(target.expr));
          if (!id) return [];
          return model.signals.get(id)!.instances.map((inst) => ({
            labels: {
              ...inst.labels,
              __legend__: target.legend
                ? renderLegend(target.legend, inst.labels)
                : defaultLegend(inst.labels, target.expr),
            },
            points: inst.history.filter(([at]) => at >= rangeStart),
          }));
        });
        if (series.length === 0) continue;
        events.push({
          kind: 'series.update',
          data: {
            dashboardId: spec.dashboard.id,
            panelId: panel.id,
            series,
            rangeStart,
            rangeEnd: t,
            stepSeconds: tickMs / 1000,
            fetchedAt: t,
          },
        });
      }
    }
    return events;
  };

  const tick = () => {
    const t = clock.now();
    model.step(t);
    evaluate(t);
    // Alertmanager forgets expired silences after its retention; so does the demo
    for (const [id, s] of silences) if (s.endsAt < t - retentionMs) silences.delete(id);
    publish();
    tickTimer = clock.setTimeout(tick, tickMs);
  };

  const pushSeries = () => {
    const events = seriesEvents(clock.now());
    if (events.length > 0) ctx?.emit(events);
    seriesTimer = clock.setTimeout(pushSeries, seriesIntervalMs);
  };

  /** Simulates the hour before `now` silently, with one (non-storm) incident under way, so a first launch is live. */
  const warmUp = (now: number) => {
    const calm = def.scenarios.filter((s) => s.spread === 'one');
    if (calm.length > 0) {
      const sc = model.startScenario(calm[Math.floor(random() * calm.length)], now - 12 * 60_000);
      sc.endsAt = Math.max(sc.endsAt, now + 5 * 60_000);
    }
    for (let t = now - historyMs; t < now; t += tickMs) {
      model.step(t);
      evaluate(t);
    }
  };

  const fail = (code: string, message: string): ActionOutcome => ({ ok: false, error: { code, message } });

  const firingRule = (fp: string) => rules.find((r) => r.firing?.fingerprint === fp);

  const addSilence = (s: Omit<DemoSilence, 'id' | 'updatedAt'>): DemoSilence => {
    const full = { ...s, id: `demo-silence-${runTag}-${++silenceSeq}`, updatedAt: clock.now() };
    silences.set(full.id, full);
    return full;
  };

  const createdEarlier = (actionId: string) => silenceOfAction([...silences.values()], actionId) !== null;

  type Handler<T extends ActionType> = (p: ActionPayload<T>, a: SourceAction, resumed: boolean) => ActionOutcome;
  const handlers: { [T in ActionType]?: Handler<T> } = {
    'alert.ack': (p, a, resumed) => {
      if (resumed && createdEarlier(a.id)) return { ok: true };
      const r = firingRule(p.fingerprint);
      if (!r) return fail('not_found', `alert ${p.fingerprint} is not firing`);
      const now = clock.now();
      const current = view.alerts.get(p.fingerprint)?.ackId;
      // re-acking replaces the ack, as an update of the Alertmanager silence would
      if (current && silences.has(current)) silences.get(current)!.endsAt = now;
      addSilence({
        matchers: matchersForLabels(r.labels),
        startsAt: now,
        endsAt: now + (p.durationMinutes ?? ackMinutes) * 60_000,
        createdBy: taggedAuthor(a.operator, a.id),
        comment: ackComment(a.operator, p.note),
      });
      return { ok: true };
    },
    'alert.unack': (p, _a, resumed) => {
      const ackId = view.alerts.get(p.fingerprint)?.ackId;
      if (!ackId || !silences.has(ackId)) {
        if (resumed) return { ok: true }; // not acked is what the action asked for
        return fail('not_acked', `alert ${p.fingerprint} is not acknowledged`);
      }
      const s = silences.get(ackId)!;
      s.endsAt = clock.now();
      s.updatedAt = clock.now();
      return { ok: true };
    },
    'alert.resolve': (p) => {
      const r = firingRule(p.fingerprint);
      if (!r) return fail('not_found', `alert ${p.fingerprint} is not firing`);
      r.firing = null;
      r.heldResolved = true;
      return { ok: true };
    },
    'alert.escalate': () => ({ ok: true }),
    'silence.create': (p, a, resumed) => {
      if (resumed && createdEarlier(a.id)) return { ok: true };
      const now = clock.now();
      // the same rule Alertmanager applies, with the same kind of answer
      if (p.endsAt <= now) return fail('upstream_rejected', 'silence rejected: end time in the past');
      if ((p.startsAt ?? now) >= p.endsAt)
        return fail('upstream_rejected', 'silence rejected: end time must not be before start time');
      try {
        compileMatchers(p.matchers);
      } catch (e) {
        return fail('upstream_rejected', `silence rejected: ${(e as Error).message}`);
      }
      addSilence({
        matchers: p.matchers,
        startsAt: p.startsAt ?? now,
        endsAt: p.endsAt,
        createdBy: taggedAuthor(a.operator, a.id),
        comment: p.comment,
      });
      return { ok: true };
    },
    'silence.expire': (p, _a, resumed) => {
      const s = silences.get(p.silenceId);
      if (!s) return fail('not_found', `silence ${p.silenceId} does not exist`);
      if (s.endsAt <= clock.now()) {
        if (resumed) return { ok: true };
        return fail('upstream_rejected', `silence ${p.silenceId} is already expired`);
      }
      s.endsAt = clock.now();
      s.updatedAt = clock.now();
      return { ok: true };
    },
  };

  return {
    name: 'demo',
    model,
    async start(c) {
      ctx = c;
      view = viewFromKnown(c.known?.());
      runTag = clock.now().toString(36);
      const statics: SourceEvent[] = [];
      const runbooksDir = path.join(opts.resourcesDir, 'runbooks');
      if (fs.existsSync(runbooksDir)) {
        const { runbooks, problems } = loadRunbooks(runbooksDir);
        for (const p of problems) warn(`${p.file}: ${p.reason}`);
        statics.push(...runbooks.map((data) => ({ kind: 'runbook.upsert' as const, data })));
      }
      const rosterFile = path.join(opts.resourcesDir, 'roster.yaml');
      if (fs.existsSync(rosterFile)) {
        try {
          statics.push({ kind: 'roster.upsert', data: loadRoster(rosterFile) });
        } catch (e) {
          warn((e as Error).message);
        }
      }
      const now = clock.now();
      for (const s of specs) {
        const { fetchedAt: _f, ...dashboard } = toDashboard(s, now);
        statics.push({ kind: 'dashboard.upsert', data: dashboard });
        const unknown = s.dashboard.panels.filter((p) =>
          p.targets.every((t) => !signalByExpr.has(normalizeExpr(t.expr))),
        );
        if (unknown.length > 0)
          warn(`dashboard ${s.dashboard.id}: no demo signal for panel(s) ${unknown.map((p) => p.id).join(', ')}`);
      }
      c.emit(statics);
      if (opts.warmStart ?? true) warmUp(now);
      model.step(now);
      evaluate(now);
      publish();
      const series = seriesEvents(now);
      if (series.length > 0) c.emit(series);
      tickTimer = clock.setTimeout(tick, tickMs);
      seriesTimer = clock.setTimeout(pushSeries, seriesIntervalMs);
      c.health({ upstream: 'ok', detail: null });
    },
    async stop() {
      clock.clearTimeout(tickTimer);
      clock.clearTimeout(seriesTimer);
      tickTimer = seriesTimer = null;
      ctx = null;
    },
    async apply(action, opts) {
      const handler = handlers[action.type] as
        ((p: unknown, a: SourceAction, resumed: boolean) => ActionOutcome) | undefined;
      if (!handler) return fail('unsupported', `${action.type} is not handled by the demo source`);
      const payload = actionPayloads[action.type].safeParse(action.payload);
      if (!payload.success)
        return fail('bad_payload', `${action.type}: ${describeZodError(payload.error, { root: 'payload' })}`);
      try {
        const out = handler(payload.data, action, opts?.resumed ?? false);
        if (out.ok) publish();
        return out;
      } catch (e) {
        return fail('internal', `${action.type} failed: ${(e as Error)?.message ?? String(e)}`);
      }
    },
  };
}
