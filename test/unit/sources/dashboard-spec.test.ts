import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DashboardSchema } from '@shared/dashboards';
import {
  effectiveStepSeconds,
  expandRangeVariables,
  parseDashboardFile,
  parseDuration,
  parseGrafanaDashboard,
  parseVigilDashboards,
  toDashboard,
} from '@shared/dashboard-spec';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const demo = (name: string) =>
  fs.readFileSync(path.resolve(__dirname, '../../../resources/demo/dashboards', name), 'utf8');

describe('parseDuration', () => {
  it('reads Prometheus durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2d')).toBe(172_800_000);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', '5', 'm5', '1.5h', '5 minutes', '30s5m'])
      expect(() => parseDuration(bad)).toThrow(/is not a duration/);
  });
});

describe('Vigil dashboard YAML', () => {
  it('parses panels, targets, thresholds, query settings and several documents', () => {
    const [a, b] = parseVigilDashboards(fixture('ozon.yaml'));
    expect(a.query).toEqual({ rangeSeconds: 7200, stepSeconds: 60, refreshSeconds: 45 });
    expect(a.dashboard).toMatchObject({ id: 'ozon-test', title: 'Ozon test board', tags: ['ozon'], unsupported: [] });
    expect(a.dashboard.panels).toEqual([
      {
        id: 'latency',
        title: 'Pull latency',
        type: 'timeseries',
        unit: 'ms',
        targets: [
          {
            expr: 'histogram_quantile(0.95, sum by (le) (rate(ef_ozon_orders_pull_latency_ms_bucket[5m])))',
            legend: 'p95',
          },
        ],
        thresholds: [{ value: 120000, color: 'red', label: '2 min' }],
      },
      // a bare string target and a derived id
      {
        id: 'backlog-now',
        title: 'Backlog now',
        type: 'stat',
        unit: null,
        targets: [{ expr: 'ef_tasks_backlog', legend: null }],
        thresholds: [],
      },
    ]);
    // a title with no ASCII still gets a stable id, and defaults apply
    expect(b.dashboard.id).toMatch(/^dashboard-[0-9a-f]{8}$/);
    expect(b.dashboard.panels[0].id).toMatch(/^panel-1-[0-9a-f]{8}$/);
    expect(b.query).toEqual({ rangeSeconds: 3600, stepSeconds: null, refreshSeconds: 30 });
    expect(effectiveStepSeconds(b.query)).toBe(15);
    expect(DashboardSchema.parse(toDashboard(a, 1000))).toMatchObject({ updatedAt: 1000, fetchedAt: 1000 });
  });

  it('parses every demo YAML dashboard', () => {
    for (const f of ['euraflow-ozon.yaml', 'neostock-api.yaml']) {
      const [spec] = parseDashboardFile(f, demo(f));
      expect(spec.dashboard.panels.length).toBeGreaterThan(3);
      expect(() => DashboardSchema.parse(toDashboard(spec, 0))).not.toThrow();
    }
  });

  it.each([
    ['title: [unclosed', /not valid YAML/],
    ['title: x\npanels: []', /panels: a dashboard needs at least one panel/],
    ['title: x\npanels:\n  - title: p\n    targets: []', /panels\.0\.targets: a panel needs at least one target/],
    ['title: x\npanels:\n  - title: p\n    type: heatmap\n    targets: [up]', /panels\.0\.type/],
    ['title: x\nrange: forever\npanels:\n  - { title: p, targets: [up] }', /range: "forever" is not a duration/],
    ['title: x\ncolour: red\npanels:\n  - { title: p, targets: [up] }', /colour/],
    [
      'title: x\npanels:\n  - { id: a, title: p, targets: [up] }\n  - { id: a, title: q, targets: [up] }',
      /two panels have the id "a"/,
    ],
    [
      'id: d\ntitle: x\npanels: [{ title: p, targets: [up] }]\n---\nid: d\ntitle: y\npanels: [{ title: p, targets: [up] }]',
      /two dashboards have the id "d"/,
    ],
    ['', /holds no dashboard/],
  ])('refuses %j with a clear message', (text, message) => {
    expect(() => parseVigilDashboards(text, 'test.yaml')).toThrow(message);
  });

  it('names the document that is wrong', () => {
    expect(() =>
      parseVigilDashboards('title: ok\npanels: [{ title: p, targets: [up] }]\n---\ntitle: broken\n', 'two.yaml'),
    ).toThrow(/two\.yaml \(document 2\) is not a valid dashboard: panels/);
  });
});

describe('Grafana dashboard import', () => {
  it('imports the handbook dashboard (API shape, no ids), flattening rows and listing what it cannot draw', () => {
    const spec = parseGrafanaDashboard(fixture('grafana-handbook.json'));
    const d = spec.dashboard;
    expect(d.title).toBe('Handbook Fund Operations');
    expect(d.id).toBe('handbook-fund-operations');
    expect(d.panels.map((p) => [p.id, p.type])).toEqual([
      ['risk-level', 'gauge'],
      ['liquidity-ratios', 'timeseries'],
      ['redemption-requests-24h', 'stat'],
    ]);
    expect(d.panels[0].thresholds).toEqual([
      { value: 1, color: 'green', label: null },
      { value: 2, color: 'yellow', label: null },
      { value: 3, color: 'orange', label: null },
      { value: 4, color: 'red', label: null },
    ]);
    expect(d.panels[1].targets).toEqual([
      { expr: 'paimon_l1_ratio', legend: 'L1' },
      { expr: 'paimon_l2_ratio', legend: 'L2' },
    ]);
    expect(d.unsupported).toEqual([{ title: '风险说明', type: 'text' }]);
    expect(spec.query).toEqual({ rangeSeconds: 3600, stepSeconds: null, refreshSeconds: 30 });
  });

  it('imports the demo export: uid, units, base threshold step dropped, collapsed row flattened', () => {
    const spec = parseGrafanaDashboard(demo('paimon-fund.grafana.json'));
    const d = spec.dashboard;
    expect(d.id).toBe('grafana-paimon-fund-ops');
    expect(d.panels.map((p) => p.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(d.panels[0]).toMatchObject({ unit: null, thresholds: [{ value: 2 }, { value: 3 }, { value: 4 }] });
    expect(d.panels[1]).toMatchObject({ unit: 'percentunit', thresholds: [{ value: 0.08, color: 'green' }] });
    expect(d.panels[3]).toMatchObject({ title: 'API latency (P99)', unit: 's' });
    expect(d.unsupported).toEqual([{ title: 'Escalation notes', type: 'text' }]);
  });

  it('imports old-style rows, graph/singlestat panels, template variables and legacy thresholds', () => {
    const spec = parseGrafanaDashboard(fixture('grafana-legacy.json'));
    const d = spec.dashboard;
    expect(spec.query).toEqual({ rangeSeconds: 21600, stepSeconds: null, refreshSeconds: 60 });
    expect(d.id).toBe('legacy-ops-schema-14');
    const [requests, budget, saturation] = d.panels;
    expect(requests).toMatchObject({ id: 'p1', type: 'timeseries', unit: 'reqps' });
    // the hidden target is dropped; $job, All and multi-value variables are filled; $__rate_interval is kept for fetch time
    expect(requests.targets).toEqual([
      {
        expr: 'sum(rate(http_requests_total{job="api", instance=~".*", env=~"prod|stage"}[$__rate_interval]))',
        legend: '{{job}}',
      },
    ]);
    expect(requests.thresholds).toEqual([
      { value: 100, color: 'red', label: null },
      { value: 50, color: 'orange', label: null },
    ]);
    expect(budget).toMatchObject({
      id: 'p2',
      type: 'stat',
      unit: 'percent',
      targets: [{ expr: 'slo:error_budget_remaining:ratio', legend: null }],
    });
    expect(budget.thresholds).toEqual([
      { value: 20, color: 'rgba(237, 129, 40, 0.89)', label: null },
      { value: 50, color: '#299c46', label: null },
    ]);
    // a repeated Grafana id still gives a unique panel id
    expect(saturation).toMatchObject({ id: 'p1-5', type: 'gauge' });
    expect(d.unsupported).toEqual([
      { title: 'Top endpoints', type: 'table' },
      { title: 'Logs volume', type: 'graph (no PromQL target)' },
    ]);
    expect(() => DashboardSchema.parse(toDashboard(spec, 0))).not.toThrow();
  });

  it('fills the range variables at fetch time', () => {
    expect(
      expandRangeVariables(
        'rate(x[$__rate_interval]) / $__interval_ms + $__range_s + increase(y[$__range]) + z[$__interval]',
        15,
        3600,
      ),
    ).toBe('rate(x[60s]) / 15000 + 3600 + increase(y[3600s]) + z[15s]');
  });

  it.each([
    ['{ "title": "x", "panels": [ ', /The Grafana dashboard is not valid JSON/],
    ['[1, 2]', /This is not a Grafana dashboard/],
    ['{ "panels": [] }', /This is not a Grafana dashboard: title/],
    ['{ "title": "empty" }', /has no panels/],
    ['{ "title": "x", "panels": "nope" }', /panels/],
  ])('refuses %j with a clear error', (text, message) => {
    expect(() => parseGrafanaDashboard(text)).toThrow(message);
  });

  it('dispatches by file name and says which file failed', () => {
    expect(() => parseDashboardFile('board.json', '{')).toThrow(
      /^board\.json: The Grafana dashboard is not valid JSON/,
    );
    expect(() => parseDashboardFile('board.txt', '')).toThrow(/not a dashboard file/);
    expect(parseDashboardFile('paimon.json', demo('paimon-fund.grafana.json'))).toHaveLength(1);
  });
});
