/**
 * A tiny metrics exporter for tests (prom-client on 127.0.0.1, random port): the handbook metrics the demo
 * dashboards query (`ef_ozon_*`, `ef_tasks_backlog`, `paimon_*`), moving a little on every scrape so rate(),
 * increase() and histogram_quantile() have something to compute. Point the Prometheus service at `target`.
 */
import http from 'node:http';
import type net from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ExporterHarness {
  /** host:port for a scrape config */
  readonly target: string;
  scrapes(): number;
  stop(): Promise<void>;
}

export async function startExporter(): Promise<ExporterHarness> {
  const registry = new Registry();
  const g = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const c = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const h = (name: string, help: string, buckets: number[]) =>
    new Histogram({ name, help, buckets, registers: [registry] });

  const risk = g('paimon_risk_level', 'Current risk level (1-4)');
  const ratios = [
    g('paimon_l1_ratio', 'L1 liquidity ratio'),
    g('paimon_l2_ratio', 'L2 liquidity ratio'),
    g('paimon_l3_ratio', 'L3 liquidity ratio'),
  ];
  const redemptions = c('paimon_redemption_requests_total', 'Redemption requests', ['channel', 'status']);
  const apiLatency = h(
    'paimon_http_request_duration_seconds',
    'HTTP request duration',
    [0.01, 0.05, 0.1, 0.5, 1, 2, 5],
  );
  const pullFail = c('ef_ozon_orders_pull_fail_total', 'Order pull failures', ['plugin']);
  const pushFail = c('ef_ozon_shipments_push_fail_total', 'Shipment push failures', ['plugin']);
  const pullLatency = h(
    'ef_ozon_orders_pull_latency_ms',
    'Order pull latency',
    [500, 1000, 5000, 30_000, 60_000, 120_000, 300_000],
  );
  const backlog = g('ef_tasks_backlog', 'Task backlog', ['plugin']);
  const queue = g('paimon_event_queue_size', 'Event queue size', ['priority']);
  const dbLatency = h('ef_db_query_duration_ms', 'DB query duration', [10, 50, 100, 300, 500, 1000, 5000]);

  let n = 0;
  const tick = () => {
    n++;
    risk.set(1 + (Math.floor(n / 10) % 4));
    ratios.forEach((r, i) => r.set(0.1 * (i + 1) + 0.02 * Math.sin(n / 5 + i)));
    redemptions.inc({ channel: 'app', status: 'ok' }, 1 + (n % 3));
    for (let i = 0; i < 20; i++) apiLatency.observe(((n + i) % 10) / 10 + 0.05);
    pullFail.inc({ plugin: 'ef.channels.ozon' }, n % 4);
    pushFail.inc({ plugin: 'ef.channels.ozon' }, n % 2);
    for (let i = 0; i < 5; i++) pullLatency.observe(800 + ((n * 37 + i * 911) % 4000));
    backlog.set({ plugin: 'ef.channels.ozon' }, 1200 + 40 * n);
    queue.set({ priority: 'high' }, 100 + (n % 7) * 10);
    for (let i = 0; i < 10; i++) dbLatency.observe(20 + ((n * 13 + i * 97) % 400));
  };

  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    tick();
    registry
      .metrics()
      .then((body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body))
      .catch((e: Error) => res.writeHead(500).end(e.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    scrapes: () => n,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
