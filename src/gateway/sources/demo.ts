/**
 * The built-in demo source: a simulated Alertmanager + Prometheus over the world in resources/demo.
 *
 * The model (demo-model.ts) moves signals tick by tick; alert rules on those signals fire and resolve; the
 * firing set and the silences go through the same `reconcile` the real Alertmanager source uses, so acks,
 * silences, resolution and removal look exactly alike on the wire. Dashboard series come from the same signals,
 * so a firing backlog alert sits on a high backlog curve. Runbooks, roster and dashboards are served from files.
 * The pieces: demo-model.ts (signals and scenarios), demo-alertmanager.ts (rules and silences, listed as
 * Alertmanager lists them), demo-series.ts (dashboard series), demo-actions.ts (what each action does).
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
import type { DashboardSpec } from '@shared/dashboard-spec';
import type { Source, SourceContext } from '../source';
import { AlertTracker } from './alert-state';
import { applyWith } from './apply';
import { contentEvents, loadDashboards } from './content';
import { demoActionHandlers } from './demo-actions';
import { createDemoAlertmanager } from './demo-alertmanager';
import { DemoModel, parseModel, seededRandom } from './demo-model';
import { createDemoSeries } from './demo-series';

export interface DemoSourceOptions {
  /** the folder with alerts/, dashboards/, runbooks/ and roster.yaml (resources/demo) */
  resourcesDir: string;
  /** runbooks served instead of the demo's own (`--runbooks DIR`) */
  runbooksDir?: string;
  /** the roster served instead of the demo's own (`--roster FILE`) */
  rosterFile?: string;
  /** dashboards served instead of the demo's own (`--dashboards FILE|DIR`); panels without a demo signal stay empty */
  dashboards?: string;
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

/** a path under the demo folder, or undefined when it is not there (the demo serves what it has) */
function present(dir: string, name: string): string | undefined {
  const p = path.join(dir, name);
  return fs.existsSync(p) ? p : undefined;
}

export function createDemoSource(opts: DemoSourceOptions): DemoSource {
  const clock = opts.clock ?? systemClock;
  const tickMs = opts.tickMs ?? 15_000;
  const seriesIntervalMs = opts.seriesIntervalMs ?? 30_000;
  const retentionMs = opts.resolvedRetentionMs ?? 30 * 60_000;
  const warn = opts.warn ?? ((m: string) => console.warn(`[demo source] ${m}`));
  const random = seededRandom(opts.seed ?? 1);
  const def = parseModel(readModelFiles(path.join(opts.resourcesDir, 'alerts')));

  // what the operator names replaces the bundled part of the demo's world (the simulated alerts stay)
  const dashboardsDir = opts.dashboards ?? present(opts.resourcesDir, 'dashboards');
  const specs: DashboardSpec[] = dashboardsDir ? loadDashboards(dashboardsDir) : [];
  const historyMs = Math.max(3_600_000, ...specs.map((s) => s.query.rangeSeconds * 1000));
  const model = new DemoModel(def, {
    random,
    tickMs,
    meanGapMs: (opts.meanGapMinutes ?? 12) * 60_000,
    maxConcurrent: opts.maxConcurrentScenarios ?? 2,
    historyMs,
  });
  const am = createDemoAlertmanager(def, model);
  const series = createDemoSeries(def, model, specs, tickMs);
  const tracker = new AlertTracker(retentionMs);
  const handlers = demoActionHandlers({ am, tracker, clock, ackMinutes: opts.ackDurationMinutes ?? 60 });
  let ctx: SourceContext | null = null;
  let tickTimer: TimerHandle | null = null;
  let seriesTimer: TimerHandle | null = null;

  const publish = () => {
    const t = clock.now();
    const up = am.listing(t);
    const events = tracker.update(up.alerts, up.silences, t);
    if (events.length > 0) ctx?.emit(events);
  };

  const tick = () => {
    const t = clock.now();
    model.step(t);
    am.evaluate(t);
    am.forgetExpired(t, retentionMs);
    publish();
    tickTimer = clock.setTimeout(tick, tickMs);
  };

  const pushSeries = () => {
    const events = series.events(clock.now());
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
      am.evaluate(t);
    }
  };

  return {
    name: 'demo',
    model,
    async start(c) {
      ctx = c;
      tracker.seed(c.known?.());
      am.startRun(clock.now().toString(36));
      const now = clock.now();
      const runbooksDir = opts.runbooksDir ?? present(opts.resourcesDir, 'runbooks');
      const rosterFile = opts.rosterFile ?? present(opts.resourcesDir, 'roster.yaml');
      // the bundled roster is tolerated when broken (a demo must start); one the operator named must be right
      c.emit(contentEvents({ runbooksDir, rosterFile, specs, now, warn, tolerateBadRoster: !opts.rosterFile }));
      for (const problem of series.problems()) warn(problem);
      if (opts.warmStart ?? true) warmUp(now);
      model.step(now);
      am.evaluate(now);
      publish();
      const first = series.events(now);
      if (first.length > 0) c.emit(first);
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
    apply: (action, o) => applyWith('demo', handlers, action, o, publish),
  };
}
