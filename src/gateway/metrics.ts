/**
 * The gateway's /metrics, Prometheus text format, named the way the handbooks name theirs
 * (<system>_<subsystem>_<what>[_total|_ms]). One registry per gateway, so tests and the embedded gateway
 * never share counters with another instance in the same process.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createGatewayMetrics(source: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ source });
  collectDefaultMetrics({ register: registry, prefix: 'vigil_gateway_process_' });
  return {
    registry,
    connections: new Gauge({
      name: 'vigil_gateway_connections',
      help: 'Open client connections (authenticated).',
      registers: [registry],
    }),
    eventsLogged: new Counter({
      name: 'vigil_gateway_events_logged_total',
      help: 'Events appended to the event log, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    eventsSent: new Counter({
      name: 'vigil_gateway_events_sent_total',
      help: 'Event frames sent to clients.',
      registers: [registry],
    }),
    eventsInvalid: new Counter({
      name: 'vigil_gateway_source_events_invalid_total',
      help: 'Source events dropped because their data failed validation.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    head: new Gauge({
      name: 'vigil_gateway_event_log_head',
      help: 'The newest seq in the event log.',
      registers: [registry],
    }),
    snapshots: new Counter({
      name: 'vigil_gateway_snapshots_total',
      help: 'Full snapshots sent to clients.',
      registers: [registry],
    }),
    snapshotItems: new Counter({
      name: 'vigil_gateway_snapshot_items_total',
      help: 'Entities sent in snapshots.',
      registers: [registry],
    }),
    actions: new Counter({
      name: 'vigil_gateway_actions_total',
      help: 'Actions received, by type and result (applied, rejected, replayed).',
      labelNames: ['type', 'result'],
      registers: [registry],
    }),
    badFrames: new Counter({
      name: 'vigil_gateway_bad_frames_total',
      help: 'Inbound frames refused, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'vigil_gateway_auth_failures_total',
      help: 'Connection attempts refused for a missing or wrong token.',
      registers: [registry],
    }),
    upstreamErrors: new Counter({
      name: 'vigil_gateway_upstream_errors_total',
      help: 'Failed upstream calls, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    upstreamUp: new Gauge({
      name: 'vigil_gateway_upstream_up',
      help: '1 when the upstream is healthy, 0.5 degraded, 0 down.',
      registers: [registry],
    }),
    pollLatency: new Histogram({
      name: 'vigil_gateway_poll_latency_ms',
      help: 'Upstream poll duration in milliseconds.',
      buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'vigil_gateway_webhooks_total',
      help: 'Webhook POSTs received, by result.',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
