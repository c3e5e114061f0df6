/**
 * Dashboards through the Alertmanager source against a real Prometheus (test/services/prometheus.ts) scraping a
 * real exporter (test/services/exporter.ts), and a real Alertmanager for the alert side. The Grafana JSON is the
 * demo's resources/demo/dashboards/paimon-fund.grafana.json, imported as an operator would import it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard, Series } from '@shared/dashboards';
import { createAlertmanagerSource } from '@gateway/sources/alertmanager';
import type { SourceEvent, SourceHealth } from '@gateway/source';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { startExporter, type ExporterHarness } from '@test/services/exporter';
import { startPrometheus, type PrometheusHarness } from '@test/services/prometheus';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';

const DASHBOARDS = path.resolve(__dirname, '../../../resources/demo/dashboards');

let am: AlertmanagerHarness;
let prom: PrometheusHarness;
let exporter: ExporterHarness;

beforeAll(async () => {
  exporter = await startExporter();
  [am, prom] = await Promise.all([startAlertmanager(), startPrometheus({ targets: [exporter.target] })]);
  // a target is scraped only after discovery (~5 s), and rate() needs two samples
  await prom.waitForSeries('rate(paimon_http_request_duration_seconds_count[1m]) > 0', 60_000);
});

afterAll(async () => {
  await Promise.all([am?.stop(), prom?.stop(), exporter?.stop()]);
});

describe('dashboards from a real Prometheus', () => {
  it('imports the Grafana JSON and pushes real series for every PromQL target', async () => {
    const events: SourceEvent[] = [];
    const health: SourceHealth[] = [];
    const source = createAlertmanagerSource({
      alertmanagerUrl: am.url,
      prometheusUrl: prom.url,
      dashboardsFile: path.join(DASHBOARDS, 'paimon-fund.grafana.json'),
      dashboardRefreshMs: 1000,
      warn: () => {},
    });
    const started = Date.now();
    await source.start({ emit: (e) => events.push(...e), health: (h) => health.push(h), now: () => Date.now() });
    try {
      const dash = events.find((e) => e.kind === 'dashboard.upsert')!.data as Omit<Dashboard, 'fetchedAt'>;
      expect(dash.title).toBe('Paimon · Fund operations');
      expect(dash.panels.map((p) => p.title)).toEqual([
        'Risk level',
        'Liquidity ratios',
        'Redemption requests (24h)',
        'API latency (P99)',
        'Event queue size',
      ]);
      expect(dash.unsupported).toEqual([{ title: 'Escalation notes', type: 'text' }]);

      const latest = () => {
        const m = new Map<string, Series>();
        for (const e of events) if (e.kind === 'series.update') m.set(e.data.panelId, e.data as Series);
        return m;
      };
      const all = await until(
        () => {
          const m = latest();
          return dash.panels.every((p) => (m.get(p.id)?.series.length ?? 0) > 0) && m;
        },
        'series for every panel',
        45_000,
        100,
      );
      const ratios = all.get('p2')!;
      expect(ratios.series.map((s) => s.labels.__legend__).sort()).toEqual(['L1', 'L2', 'L3']);
      expect(ratios.series[0].points.length).toBeGreaterThan(0);
      const l1 = ratios.series.find((s) => s.labels.__legend__ === 'L1')!;
      expect(l1.points.every(([, v]) => v > 0.05 && v < 0.15)).toBe(true);
      const risk = all.get('p1')!.series[0].points.at(-1)![1];
      expect([1, 2, 3, 4]).toContain(risk);
      const p99 = all.get('p4')!.series[0];
      expect(p99.labels.__legend__).toBe('P99');
      expect(p99.points.at(-1)![1]).toBeGreaterThan(0);
      for (const s of all.values()) {
        expect(s.fetchedAt).toBeGreaterThanOrEqual(started);
        expect(s.rangeEnd - s.rangeStart).toBe(3_600_000);
      }
      expect(health.at(-1)).toEqual({ upstream: 'ok', detail: null });
    } finally {
      await source.stop();
    }
  });

  it('gives the YAML dashboards real series too, and reports a broken Prometheus as degraded', async () => {
    const events: SourceEvent[] = [];
    const health: SourceHealth[] = [];
    const source = createAlertmanagerSource({
      alertmanagerUrl: am.url,
      prometheusUrl: prom.url,
      dashboardsFile: path.join(DASHBOARDS, 'euraflow-ozon.yaml'),
      dashboardRefreshMs: 1000,
      warn: () => {},
    });
    await source.start({ emit: (e) => events.push(...e), health: (h) => health.push(h), now: () => Date.now() });
    try {
      const backlog = await until(
        () =>
          events.find((e) => e.kind === 'series.update' && e.data.panelId === 'backlog' && e.data.series.length > 0),
        'backlog series',
        45_000,
        100,
      );
      expect((backlog.data as Series).series[0].labels).toMatchObject({
        plugin: 'ef.channels.ozon',
        __legend__: 'backlog',
      });
      await until(
        () =>
          events.find(
            (e) => e.kind === 'series.update' && e.data.panelId === 'pull-latency-p95' && e.data.series.length > 0,
          ),
        'pull latency series',
        45_000,
        100,
      );
      await prom.stop();
      const h = await until(() => health.find((x) => x.upstream === 'degraded'), 'degraded health', 45_000, 100);
      expect(h.detail).toMatch(/Prometheus at .* is unreachable/);
    } finally {
      await source.stop();
    }
  });

  it('refuses an invalid Grafana JSON with a clear error and imports nothing', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'broken.json');
      fs.writeFileSync(file, '{ "title": "half a dashboard", "panels": [ ');
      const events: SourceEvent[] = [];
      const source = createAlertmanagerSource({
        alertmanagerUrl: am.url,
        prometheusUrl: 'http://127.0.0.1:1',
        dashboardsFile: file,
        warn: () => {},
      });
      await expect(
        source.start({ emit: (e) => events.push(...e), health: () => {}, now: () => Date.now() }),
      ).rejects.toThrow(/broken\.json: The Grafana dashboard is not valid JSON/);
      await source.stop();
      expect(events).toEqual([]);
    } finally {
      tmp.cleanup();
    }
  });
});
