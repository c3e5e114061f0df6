import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DashboardView } from '@shared/contract/knowledge';
import { createHarness, type Harness } from './harness';

let h: Harness;
const MIN = 60_000;

beforeEach(() => {
  h = createHarness();
  h.apply('dashboard.upsert', {
    id: 'ozon',
    title: 'Ozon',
    tags: [],
    panels: [
      {
        id: 'p1',
        title: 'Backlog',
        type: 'timeseries',
        unit: null,
        targets: [{ expr: 'ef_tasks_backlog', legend: null }],
        thresholds: [{ value: 5000, color: 'red', label: null }],
      },
      {
        id: 'p2',
        title: 'Risk',
        type: 'gauge',
        unit: null,
        targets: [{ expr: 'paimon_risk_level', legend: null }],
        thresholds: [],
      },
    ],
    unsupported: [{ title: 'Logs', type: 'logs' }],
    updatedAt: h.clock.now(),
  });
  const end = h.clock.now();
  const points = (n: number): [number, number][] =>
    Array.from({ length: n }, (_, i) => [end - (n - 1 - i) * 30_000, i]);
  h.apply('series.update', {
    dashboardId: 'ozon',
    panelId: 'p1',
    series: [{ labels: {}, points: points(2880) }],
    rangeStart: end - 24 * 60 * MIN,
    rangeEnd: end,
    stepSeconds: 30,
    fetchedAt: end,
  });
  h.apply('series.update', {
    dashboardId: 'ozon',
    panelId: 'p2',
    series: [{ labels: {}, points: points(10) }],
    rangeStart: end - 5 * MIN,
    rangeEnd: end,
    stepSeconds: 30,
    fetchedAt: end - 5 * MIN,
  });
  // series for a panel the dashboard does not have are dropped
  h.apply('series.update', {
    dashboardId: 'ozon',
    panelId: 'ghost',
    series: [],
    rangeStart: 0,
    rangeEnd: 0,
    stepSeconds: 30,
    fetchedAt: end,
  });
});
afterEach(() => h.close());

describe('cached dashboards', () => {
  it('cuts the cached series to the preset window ending now, and reports coverage and the oldest fetch', () => {
    h.clock.advance(12 * MIN); // offline for 12 minutes
    const v = h.module.handlers.dashboardView('ozon', '1h') as DashboardView;
    expect(v.window).toEqual({ from: h.clock.now() - 60 * MIN, to: h.clock.now() });
    const p1 = v.series.find((s) => s.panelId === 'p1')!;
    // 48 minutes of the hour are cached (12 are after the cache ends): 96 points at 30 s, plus the boundary one
    expect(p1.series[0].points).toHaveLength(97);
    expect(v.coverage).toEqual({ from: h.clock.now() - 12 * MIN - 2879 * 30_000, to: h.clock.now() - 12 * MIN });
    expect(v.oldestFetchedAt).toBe(h.clock.now() - 17 * MIN);
    expect(v.dashboard.unsupported).toEqual([{ title: 'Logs', type: 'logs' }]);
    expect(v.series.map((s) => s.panelId).sort()).toEqual(['p1', 'p2']);
  });

  it('"cached" shows everything; an unknown dashboard is null', () => {
    const all = h.module.handlers.dashboardView('ozon', 'cached') as DashboardView;
    expect(all.window.from).toBeNull();
    expect(all.series.find((s) => s.panelId === 'p1')!.series[0].points).toHaveLength(2880);
    expect(h.module.handlers.dashboardView('nope', '1h')).toBeNull();
  });

  it('refresh now asks the link when there is one, and says why not when there is none', () => {
    expect(h.module.handlers.knowledgeRefresh()).toMatchObject({ requested: false });
    let asked = 0;
    const linked = createHarness({ deps: { requestResync: () => (asked++, { requested: true, reason: null }) } });
    try {
      expect(linked.module.handlers.knowledgeRefresh()).toEqual({ requested: true, reason: null });
      expect(asked).toBe(1);
    } finally {
      linked.close();
    }
  });
});

describe('platform snapshot', () => {
  it('reset drops dashboards with their panels and cached series', () => {
    const applier = h.module.appliers!.find((a) => a.kind === 'dashboard.upsert')!;
    h.db.transaction(() => applier.reset!())();
    for (const table of ['dashboards', 'panels', 'series_snapshots'])
      expect(h.db.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
  });
});
