/**
 * The real upstream: Prometheus Alertmanager clusters (API v2) for alerts and silences, a Prometheus per
 * cluster for dashboard series, and files for runbooks and the roster. See docs/sources.md for the
 * conventions (ack = silence) and the config file.
 *
 * Each cluster is a feed (cluster-feed.ts) with its own poll loop over its HA members (cluster.ts); a
 * webhook v4 POST polls every cluster at once (or one, at /webhook/<cluster>). Health: every cluster ok →
 * ok; some member or some cluster down → degraded, saying which; every cluster down → down.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '@node/clock';
import { describeZodError } from '@shared/rpc';
import type { SeverityMap } from '@shared/domain';
import type { DashboardSpec } from '@shared/dashboard-spec';
import type { ClusterStatus } from '@shared/protocol';
import { DEFAULT_ACK_EXTENSION, type ClusterConfig } from '../config';
import type { Source, SourceContext, SourceEvent, SourceHealth } from '../source';
import type { AckLedger } from '../store';
import { memoryAckLedger } from './ack-extender';
import { alertmanagerActionHandlers } from './alertmanager-actions';
import type { AlertmanagerApi } from './alertmanager-api';
import { applyWith, fail } from './apply';
import { createCluster } from './cluster';
import { clusterOfKnown, createClusterFeed, type ClusterFeed } from './cluster-feed';
import { contentEvents, loadDashboards, loadRunbooks } from './content';
import { createDashboardFeed, type DashboardFeed } from './prometheus';
import { createTransport } from './transport';
import { UpstreamError } from './upstream';

export interface SourceHooks {
  /** milliseconds one Alertmanager poll (every live member of a cluster) took */
  pollLatency?(ms: number): void;
  /** an upstream error, e.g. alertmanager_unreachable, alertmanager_http, prometheus_timeout */
  upstreamError?(kind: string): void;
}

export interface AlertmanagerSourceOptions {
  /** the one-cluster shorthand: one Alertmanager (or its HA members), plain ids, alerts without a cluster */
  alertmanagerUrl?: string | string[];
  prometheusUrl?: string;
  /** a Vigil dashboard YAML, a Grafana JSON export, or a folder of them (with prometheusUrl) */
  dashboardsFile?: string;
  /** clusters from the config file (instead of alertmanagerUrl): ids prefixed `<cluster>/` */
  clusters?: ClusterConfig[];
  runbooksDir?: string;
  rosterFile?: string;
  pollIntervalMs?: number;
  /** how long an ack silence lasts when the action does not say */
  ackDurationMinutes?: number;
  /** the shorthand's severity words → P0–P3 (clusters bring their own) */
  severityMap?: SeverityMap;
  /** the shorthand's ack extension (clusters bring their own) */
  ackExtension?: ClusterConfig['ackExtension'];
  /** how long a resolved alert is kept before alert.remove */
  resolvedRetentionMs?: number;
  /** overrides each dashboard's own refresh interval */
  dashboardRefreshMs?: number;
  requestTimeoutMs?: number;
  /** how long gossip gets to carry a write a failed member may have taken (default 1 s) */
  gossipSettleMs?: number;
  clock?: Clock;
  /** in-memory Alertmanagers by member URL instead of HTTP (tests) */
  apis?: Record<string, AlertmanagerApi>;
  hooks?: SourceHooks;
  /** where non-fatal content problems (a broken runbook file) are reported */
  warn?(message: string): void;
}

export interface AlertmanagerSource extends Source {
  /** polls every cluster (or the one named) now; resolves when those polls (or the ones they joined) have reported their events */
  refresh(cluster?: string): Promise<void>;
}

/** Webhook v4 bodies: only what proves it is one is checked; the poll that follows reads the real state. */
const WebhookSchema = z.object({
  version: z.literal('4', { message: 'only Alertmanager webhook version "4" is accepted' }),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(
    z.object({ status: z.string(), labels: z.record(z.string(), z.string()), fingerprint: z.string().optional() }),
  ),
});

/** The clusters this source reads: the config's, or one made of the shorthand's URL(s). */
function clustersOf(opts: AlertmanagerSourceOptions): { clusters: ClusterConfig[]; shorthand: boolean } {
  if (opts.clusters?.length) return { clusters: opts.clusters, shorthand: false };
  const urls = [opts.alertmanagerUrl ?? []].flat();
  if (urls.length === 0) throw new Error('the alertmanager source needs alertmanagerUrl or clusters');
  return {
    shorthand: true,
    clusters: [
      {
        name: 'default',
        members: urls,
        prometheus: opts.prometheusUrl ? { url: opts.prometheusUrl } : undefined,
        dashboards: opts.dashboardsFile,
        ackExtension: opts.ackExtension ?? DEFAULT_ACK_EXTENSION,
        severityMap: opts.severityMap,
      },
    ],
  };
}

/** Health from the clusters' statuses and Prometheus: one cluster's words as they are, several summed up. */
export function sourceHealth(statuses: ClusterStatus[], promError: string | null, shorthand: boolean): SourceHealth {
  const bad = statuses.filter((s) => s.upstream !== 'ok');
  const single = statuses.length === 1 && statuses[0].members.length === 1;
  const clusters = shorthand && single ? undefined : statuses;
  if (bad.length === statuses.length && bad.every((s) => s.upstream === 'down')) {
    const detail = single ? statuses[0].members[0].error : bad.map((s) => s.detail).join('; ');
    return { upstream: 'down', detail: detail && detail.slice(0, 2000), clusters };
  }
  if (bad.length > 0) return { upstream: 'degraded', detail: bad.map((s) => s.detail).join('; ').slice(0, 2000), clusters };
  if (promError) return { upstream: 'degraded', detail: promError, clusters };
  return { upstream: 'ok', detail: null, clusters };
}

/** Runbooks from several folders (the config's and each cluster's); the first folder to use an id keeps it. */
function runbookEvents(dirs: string[], warn: (m: string) => void): SourceEvent[] {
  const seen = new Set<string>();
  const out: SourceEvent[] = [];
  for (const dir of [...new Set(dirs)]) {
    const { runbooks, problems } = loadRunbooks(dir);
    for (const p of problems) warn(`${p.file}: ${p.reason}`);
    for (const r of runbooks) {
      if (seen.has(r.id)) {
        warn(`${dir}: runbook id "${r.id}" is already served from another folder; skipped`);
        continue;
      }
      seen.add(r.id);
      out.push({ kind: 'runbook.upsert', data: r });
    }
  }
  return out;
}

export function createAlertmanagerSource(opts: AlertmanagerSourceOptions): AlertmanagerSource {
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  const warn = opts.warn ?? ((m: string) => console.warn(`[alertmanager source] ${m}`));
  const { clusters: configs, shorthand } = clustersOf(opts);
  let ctx: SourceContext | null = null;
  let stopped = false;
  const dashboards: DashboardFeed[] = [];
  const promErrors = new Map<string, string | null>();
  let lastHealth = '';

  // the ack ledger comes with the context (the gateway's store); a source run bare keeps one in memory
  let ledger: AckLedger = memoryAckLedger();
  const ledgerProxy: AckLedger = {
    ackExtensions: (cluster) => ledger.ackExtensions(cluster),
    recordAckExtension: (e) => ledger.recordAckExtension(e),
    forgetAckExtensions: (cluster, ids) => ledger.forgetAckExtensions(cluster, ids),
  };

  const feeds: ClusterFeed[] = [];
  const sendHealth = () => {
    if (!ctx) return;
    const promError = [...promErrors.values()].find((e) => e) ?? null;
    const h = sourceHealth(
      feeds.map((f) => f.status()),
      promError,
      shorthand,
    );
    const key = JSON.stringify(h);
    if (key === lastHealth) return;
    lastHealth = key;
    ctx.health(h);
  };

  const countError = (e: unknown): UpstreamError => {
    const err = e instanceof UpstreamError ? e : new UpstreamError('Alertmanager', 'invalid', String((e as Error)?.message ?? e));
    opts.hooks?.upstreamError?.(err.metricKind);
    return err;
  };

  for (const c of configs) {
    let feed: ClusterFeed | null = null;
    const cluster = createCluster({
      name: c.name,
      members: c.members,
      access: c.access,
      plainIds: shorthand,
      timeoutMs,
      clock,
      gossipSettleMs: opts.gossipSettleMs,
      apis: opts.apis,
      onError: (e) => opts.hooks?.upstreamError?.(e.metricKind),
      onMemberBack: () => void feed?.refresh(),
    });
    feed = createClusterFeed({
      cluster,
      clock,
      pollIntervalMs: opts.pollIntervalMs ?? 2000,
      resolvedRetentionMs: opts.resolvedRetentionMs ?? 60 * 60_000,
      ackExtension: c.ackExtension,
      severityMap: c.severityMap,
      ledger: ledgerProxy,
      labelAlerts: !shorthand,
      emit: (events) => !stopped && ctx?.emit(events),
      statusChanged: sendHealth,
      pollLatency: opts.hooks?.pollLatency,
      warn,
    });
    feeds.push(feed);
  }

  const refresh = (cluster?: string) =>
    Promise.all(feeds.filter((f) => cluster === undefined || f.cluster.name === cluster).map((f) => f.refresh())).then(() => undefined);

  const handlers = alertmanagerActionHandlers({ feeds, clock, ackMinutes: opts.ackDurationMinutes ?? 60, failed: countError });

  const startDashboards = (c: SourceContext) => {
    const ids = new Map<string, string>();
    for (const cfg of configs) {
      if (!cfg.prometheus || !cfg.dashboards) continue;
      const specs: DashboardSpec[] = loadDashboards(cfg.dashboards);
      for (const s of specs) {
        const other = ids.get(s.dashboard.id);
        if (other) throw new Error(`dashboard id "${s.dashboard.id}" is defined for clusters ${other} and ${cfg.name}; give one of them another id`);
        ids.set(s.dashboard.id, cfg.name);
      }
      const statics = contentEvents({ specs, now: c.now(), warn });
      if (statics.length > 0) c.emit(statics);
      const feed = createDashboardFeed({
        prometheusUrl: cfg.prometheus.url,
        transport: createTransport(cfg.prometheus.access),
        specs,
        clock,
        emit: (events) => !stopped && c.emit(events),
        refreshMs: opts.dashboardRefreshMs,
        timeoutMs,
        onResult: (err) => {
          if (err) opts.hooks?.upstreamError?.(err.metricKind);
          promErrors.set(cfg.name, err ? err.message : null);
          sendHealth();
        },
      });
      dashboards.push(feed);
    }
  };

  /** the stored alerts and silences, each to its cluster; those of a cluster no longer configured are removed */
  const seed = (c: SourceContext) => {
    const known = c.known?.() ?? { alerts: [], silences: [] };
    if (shorthand) return feeds[0].seed(known);
    const names = new Set(configs.map((x) => x.name));
    for (const f of feeds) {
      const mine = (raw: unknown) => clusterOfKnown(raw) === f.cluster.name;
      f.seed({ alerts: known.alerts.filter(mine), silences: known.silences.filter(mine) });
    }
    const orphan = (raw: unknown) => !names.has(clusterOfKnown(raw) ?? '');
    const removals: SourceEvent[] = [
      ...known.silences.filter(orphan).flatMap((s) => (typeof (s as { id?: unknown }).id === 'string' ? [{ kind: 'silence.remove' as const, data: { id: (s as { id: string }).id } }] : [])),
      ...known.alerts.filter(orphan).flatMap((a) => (typeof (a as { fingerprint?: unknown }).fingerprint === 'string' ? [{ kind: 'alert.remove' as const, data: { fingerprint: (a as { fingerprint: string }).fingerprint } }] : [])),
    ];
    if (removals.length > 0) {
      warn(`removing ${removals.length} stored alerts and silences of clusters no longer configured`);
      c.emit(removals);
    }
  };

  return {
    name: 'alertmanager',
    async start(c) {
      ctx = c;
      if (c.ackLedger) ledger = c.ackLedger;
      for (const f of feeds) f.start();
      seed(c);
      const runbookDirs = [opts.runbooksDir, ...configs.map((x) => x.runbooks)].filter((d): d is string => !!d);
      const statics = [...runbookEvents(runbookDirs, warn), ...contentEvents({ rosterFile: opts.rosterFile, specs: [], now: c.now(), warn })];
      if (statics.length > 0) c.emit(statics);
      sendHealth();
      startDashboards(c);
      await refresh(undefined);
      for (const d of dashboards) d.start();
    },
    async stop() {
      stopped = true;
      for (const d of dashboards) d.stop();
      await Promise.all(feeds.map((f) => f.stop()));
    },
    refresh,
    webhook(body, cluster?: string) {
      const parsed = WebhookSchema.safeParse(body);
      if (!parsed.success) {
        const why = describeZodError(parsed.error, { first: 1 });
        return fail('bad_webhook', `not an Alertmanager webhook v4 body: ${why}`);
      }
      const targets = cluster === undefined ? feeds : feeds.filter((f) => f.cluster.name === cluster);
      if (targets.length === 0) return fail('not_found', `no cluster named "${cluster}"`);
      for (const f of targets) void f.refresh();
      return { ok: true };
    },
    apply: (action, o) => applyWith('alertmanager', handlers, action, o),
  };
}
