/** What the benchmarks share: the percentile their figures report, and the 100k-alert population of the alert table benches. */
import type { Alert } from '@shared/alerts';
import { firingAlert } from '@test/helpers/alerts';

/** The nearest-rank percentile `p` (0–100] of `xs` (unsorted; not changed); NaN for no samples. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** 2025-12-29, when the population's alerts start firing, one a second */
export const POPULATION_T0 = 1_767_000_000_000;
const services = ['ozon-orders', 'ozon-shipments', 'inventory', 'prices', 'fx', 'api-gateway', 'db', 'queue'];
const names = [
  'OrderPullFailures',
  'ShipmentPushFailures',
  'TaskBacklogHigh',
  'DbQueryP95High',
  'ApiP99Slow',
  'FxRefreshLagging',
];
const severities = ['P0', 'P1', 'P2', 'P3'] as const;

/** Alert `i` of the alert-table population (6 names, 8 services, 300 shops, all four severities); `over` changes fields. */
export function populationAlert(i: number, over: Partial<Alert> = {}): Alert {
  const alertname = names[i % names.length];
  return firingAlert({
    fingerprint: `fp${i.toString(16).padStart(8, '0')}`,
    alertname,
    labels: {
      alertname,
      service: services[(i * 7) % services.length],
      instance: `node-${i}:9100`,
      shop_id: `shop-${i % 300}`,
      severity: 'critical',
    },
    annotations: { summary: `${alertname} on node-${i}` },
    severity: severities[i % 4],
    startsAt: POPULATION_T0 + i * 1000,
    updatedAt: POPULATION_T0 + i * 1000,
    ...over,
  });
}
