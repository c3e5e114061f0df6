/**
 * The real upstream: a Prometheus Alertmanager (API v2) for alerts and silences, a Prometheus for dashboard
 * series, and files for runbooks and the roster. See docs/sources.md for the conventions (ack = silence).
 *
 * Alertmanager is polled every `pollIntervalMs`; a webhook v4 POST (handed to `webhook()`) polls at once.
 * Polls never overlap: a request for one while another runs is served by a single follow-up poll.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '@node/clock';
import { describeZodError } from '@shared/rpc';
import type { DashboardSpec } from '@shared/dashboard-spec';
import type { Source, SourceContext, SourceHealth } from '../source';
import { AlertTracker } from './alert-state';
import { alertmanagerActionHandlers } from './alertmanager-actions';
import { alertmanagerApi } from './alertmanager-api';
import { applyWith, fail } from './apply';
import { contentEvents, loadDashboards } from './content';
import { createPollLoop } from './poll-loop';
import { createDashboardFeed, type DashboardFeed } from './prometheus';
import { UpstreamError } from './upstream';

export interface SourceHooks {
  /** milliseconds one Alertmanager poll (alerts + silences) took */
  pollLatency?(ms: number): void;
  /** an upstream error, e.g. alertmanager_unreachable, alertmanager_http, prometheus_timeout */
  upstreamError?(kind: string): void;
}

export interface AlertmanagerSourceOptions {
  alertmanagerUrl: string;
  prometheusUrl?: string;
  /** a Vigil dashboard YAML, a Grafana JSON export, or a folder of them */
  dashboardsFile?: string;
  runbooksDir?: string;
  rosterFile?: string;
  pollIntervalMs?: number;
  /** how long an ack silence lasts when the action does not say */
  ackDurationMinutes?: number;
  /** how long a resolved alert is kept before alert.remove */
  resolvedRetentionMs?: number;
  /** overrides each dashboard's own refresh interval */
  dashboardRefreshMs?: number;
  requestTimeoutMs?: number;
  clock?: Clock;
  hooks?: SourceHooks;
  /** where non-fatal content problems (a broken runbook file) are reported */
  warn?(message: string): void;
}

export interface AlertmanagerSource extends Source {
  /** polls now; resolves when that poll (or the one it joined) has reported its events */
  refresh(): Promise<void>;
}

/** Webhook v4 bodies: only what proves it is one is checked; the poll that follows reads the real state. */
const WebhookSchema = z.object({
  version: z.literal('4', { message: 'only Alertmanager webhook version "4" is accepted' }),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(
    z.object({ status: z.string(), labels: z.record(z.string(), z.string()), fingerprint: z.string().optional() }),
  ),
});

/**
 * The health the source reports: Alertmanager decides up/down; Prometheus can only degrade a working link.
 * A report equal to the previous one is not repeated.
 */
function createHealthReport(report: (h: SourceHealth) => void) {
  let amError: string | null = null;
  let promError: string | null = null;
  let last = '';
  const send = () => {
    const h: SourceHealth = amError
      ? { upstream: 'down', detail: amError }
      : promError
        ? { upstream: 'degraded', detail: promError }
        : { upstream: 'ok', detail: null };
    const key = JSON.stringify(h);
    if (key === last) return;
    last = key;
    report(h);
  };
  return {
    send,
    alertmanager(error: string | null) {
      amError = error;
      send();
    },
    prometheus(error: string | null) {
      promError = error;
      send();
    },
  };
}

export function createAlertmanagerSource(opts: AlertmanagerSourceOptions): AlertmanagerSource {
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  const am = alertmanagerApi(opts.alertmanagerUrl, timeoutMs);
  const warn = opts.warn ?? ((m: string) => console.warn(`[alertmanager source] ${m}`));
  const tracker = new AlertTracker(opts.resolvedRetentionMs ?? 60 * 60_000);
  let ctx: SourceContext | null = null;
  let feed: DashboardFeed | null = null;
  const health = createHealthReport((h) => ctx?.health(h));

  const upstreamFailed = (e: unknown): UpstreamError => {
    const err =
      e instanceof UpstreamError ? e : new UpstreamError('Alertmanager', 'invalid', String((e as Error)?.message ?? e));
    opts.hooks?.upstreamError?.(err.metricKind);
    if (err.upstream === 'Alertmanager' && err.kind !== 'http') health.alertmanager(err.message);
    return err;
  };

  const loop = createPollLoop(clock, opts.pollIntervalMs ?? 2000, async () => {
    const t0 = clock.now();
    try {
      const [alerts, silences] = await Promise.all([am.alerts(), am.silences()]);
      opts.hooks?.pollLatency?.(clock.now() - t0);
      if (loop.stopped() || !ctx) return;
      const events = tracker.update(alerts, silences, ctx.now());
      if (events.length > 0) ctx.emit(events);
      health.alertmanager(null);
    } catch (e) {
      const err = upstreamFailed(e);
      // an answer Alertmanager gave but we could not use still means the link is not working
      if (err.kind === 'http') health.alertmanager(err.message);
    }
  });
  const refresh = loop.refresh;

  const handlers = alertmanagerActionHandlers({
    am,
    tracker,
    clock,
    ackMinutes: opts.ackDurationMinutes ?? 60,
    refresh,
    failed: upstreamFailed,
  });

  const startFeed = (c: SourceContext, specs: DashboardSpec[]) => {
    if (!opts.prometheusUrl || specs.length === 0) return;
    feed = createDashboardFeed({
      prometheusUrl: opts.prometheusUrl,
      specs,
      clock,
      emit: (events) => !loop.stopped() && c.emit(events),
      refreshMs: opts.dashboardRefreshMs,
      timeoutMs,
      onResult: (err) => {
        if (err) opts.hooks?.upstreamError?.(err.metricKind);
        health.prometheus(err ? err.message : null);
      },
    });
    feed.start();
  };

  return {
    name: 'alertmanager',
    async start(c) {
      ctx = c;
      loop.start();
      tracker.seed(c.known?.());
      const specs: DashboardSpec[] = opts.dashboardsFile ? loadDashboards(opts.dashboardsFile) : [];
      const { runbooksDir, rosterFile } = opts;
      const statics = contentEvents({ runbooksDir, rosterFile, specs, now: c.now(), warn });
      if (statics.length > 0) c.emit(statics);
      health.send();
      await refresh();
      startFeed(c, specs);
    },
    async stop() {
      const stopping = loop.stop();
      feed?.stop();
      await stopping;
    },
    refresh,
    webhook(body) {
      const parsed = WebhookSchema.safeParse(body);
      if (!parsed.success) {
        const why = describeZodError(parsed.error, { first: 1 });
        return fail('bad_webhook', `not an Alertmanager webhook v4 body: ${why}`);
      }
      void refresh();
      return { ok: true };
    },
    apply: (action, o) => applyWith('alertmanager', handlers, action, o),
  };
}
