/**
 * The real upstream: a Prometheus Alertmanager (API v2) for alerts and silences, a Prometheus for dashboard
 * series, and files for runbooks and the roster. See docs/sources.md for the conventions (ack = silence).
 *
 * Alertmanager is polled every `pollIntervalMs`; a webhook v4 POST (handed to `webhook()`) polls at once.
 * Polls never overlap: a request for one while another runs is served by a single follow-up poll.
 */
import { z } from 'zod';
import { systemClock, type Clock, type TimerHandle } from '@node/clock';
import { actionPayloads, type ActionPayload, type ActionType } from '@shared/actions';
import { toDashboard, type DashboardSpec } from '@shared/dashboard-spec';
import type { ActionOutcome, Source, SourceAction, SourceContext, SourceHealth } from '../source';
import { matchersForLabels } from '@shared/matchers';
import type { SeverityMap } from '@shared/domain';
import {
  ackComment,
  emptyView,
  reconcile,
  silenceOfAction,
  taggedAuthor,
  viewFromKnown,
  type View,
} from './alert-state';
import { alertmanagerApi } from './alertmanager-api';
import { loadDashboards, loadRoster, loadRunbooks } from './content';
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
  /** this Alertmanager's own severity words → P0–P3, before the built-in ones (docs/sources.md) */
  severityMap?: SeverityMap;
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

const RESOLVE_UNSUPPORTED =
  'resolve is not supported by the alertmanager source; the alert resolves when its source stops firing';

export function createAlertmanagerSource(opts: AlertmanagerSourceOptions): AlertmanagerSource {
  const clock = opts.clock ?? systemClock;
  const pollIntervalMs = opts.pollIntervalMs ?? 2000;
  const ackMinutes = opts.ackDurationMinutes ?? 60;
  const retentionMs = opts.resolvedRetentionMs ?? 60 * 60_000;
  const timeoutMs = opts.requestTimeoutMs ?? 5000;
  const am = alertmanagerApi(opts.alertmanagerUrl, timeoutMs);
  const warn = opts.warn ?? ((m: string) => console.warn(`[alertmanager source] ${m}`));

  let ctx: SourceContext | null = null;
  let view: View = emptyView();
  let timer: TimerHandle | null = null;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  // nothing polls before start() or after stop()
  let stopped = true;
  let feed: DashboardFeed | null = null;
  // Alertmanager decides up/down; Prometheus can only degrade a working link
  let amError: string | null = null;
  let promError: string | null = null;
  let lastHealth = '';

  const reportHealth = () => {
    const h: SourceHealth = amError
      ? { upstream: 'down', detail: amError }
      : promError
        ? { upstream: 'degraded', detail: promError }
        : { upstream: 'ok', detail: null };
    const key = JSON.stringify(h);
    if (key === lastHealth) return;
    lastHealth = key;
    ctx?.health(h);
  };

  const upstreamFailed = (e: unknown): UpstreamError => {
    const err =
      e instanceof UpstreamError ? e : new UpstreamError('Alertmanager', 'invalid', String((e as Error)?.message ?? e));
    opts.hooks?.upstreamError?.(err.metricKind);
    if (err.upstream === 'Alertmanager' && err.kind !== 'http') {
      amError = err.message;
      reportHealth();
    }
    return err;
  };

  const poll = async () => {
    clock.clearTimeout(timer);
    timer = null;
    const t0 = clock.now();
    try {
      const [alerts, silences] = await Promise.all([am.alerts(), am.silences()]);
      opts.hooks?.pollLatency?.(clock.now() - t0);
      if (stopped || !ctx) return;
      const next = reconcile(view, alerts, silences, ctx.now(), retentionMs, opts.severityMap);
      view = next.view;
      if (next.events.length > 0) ctx.emit(next.events);
      amError = null;
      reportHealth();
    } catch (e) {
      const err = upstreamFailed(e);
      // an answer Alertmanager gave but we could not use still means the link is not working
      if (err.kind === 'http') {
        amError = err.message;
        reportHealth();
      }
    } finally {
      if (!stopped) timer = clock.setTimeout(() => void refresh(), pollIntervalMs);
    }
  };

  const refresh = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (!running) {
      running = poll().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = null;
      return refresh();
    });
    return queued;
  };

  const fail = (code: string, message: string): ActionOutcome => ({
    ok: false,
    error: { code, message: message.slice(0, 2000) },
  });

  /** An upstream failure as the action's error: "<what> rejected: <Alertmanager's words>" or why it was not reached. */
  const upstreamOutcome = (what: string, e: unknown): ActionOutcome => {
    const err = upstreamFailed(e);
    if (err.kind === 'http' && err.status !== null && err.status < 500)
      return fail('upstream_rejected', `${what} rejected: ${err.upstreamMessage}`);
    if (err.kind === 'http') return fail('upstream_error', `${what} failed: ${err.message}`);
    return fail('upstream_unavailable', `${what} failed: ${err.message}`);
  };

  /** The alert as last seen; polls once first when it is not known yet (an action racing the first poll). */
  const findAlert = async (fingerprint: string) => {
    if (!view.alerts.has(fingerprint)) await refresh();
    return view.alerts.get(fingerprint) ?? null;
  };

  const done = async (): Promise<ActionOutcome> => {
    await refresh();
    return { ok: true };
  };

  /**
   * A resumed create (ack, silence): the earlier attempt may have reached Alertmanager before the gateway
   * died. Its silence carries the action id; finding it means the action is done and must not be repeated.
   */
  const createdEarlier = async (what: string, actionId: string): Promise<ActionOutcome | null> => {
    try {
      return silenceOfAction(await am.silences(), actionId) ? await done() : null;
    } catch (e) {
      return upstreamOutcome(what, e);
    }
  };

  /** Expiring is idempotent for a resumed action: a silence already expired is what the action asked for. */
  const expire = async (what: string, silenceId: string, resumed: boolean): Promise<ActionOutcome> => {
    try {
      if (resumed && (await am.silences()).some((s) => s.id === silenceId && s.status.state === 'expired'))
        return await done();
      await am.expireSilence(silenceId);
    } catch (e) {
      return upstreamOutcome(what, e);
    }
    return done();
  };

  type Handler<T extends ActionType> = (
    p: ActionPayload<T>,
    a: SourceAction,
    resumed: boolean,
  ) => Promise<ActionOutcome>;
  const handlers: { [T in ActionType]?: Handler<T> } = {
    'alert.ack': async (p, a, resumed) => {
      const earlier = resumed ? await createdEarlier('ack', a.id) : null;
      if (earlier) return earlier;
      const alert = await findAlert(p.fingerprint);
      if (!alert || alert.state !== 'firing')
        return fail('not_found', `alert ${p.fingerprint} is not firing in Alertmanager (it may have resolved)`);
      const now = clock.now();
      try {
        await am.createSilence({
          // re-acking replaces the current ack silence instead of stacking a second one
          ...(alert.ackId ? { id: alert.ackId } : {}),
          matchers: matchersForLabels(alert.labels),
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + (p.durationMinutes ?? ackMinutes) * 60_000).toISOString(),
          createdBy: taggedAuthor(a.operator, a.id),
          comment: ackComment(a.operator, p.note),
        });
      } catch (e) {
        return upstreamOutcome('ack', e);
      }
      return done();
    },
    'alert.unack': async (p, _a, resumed) => {
      // the stored view may predate the earlier attempt's expiry: ask Alertmanager first
      if (resumed) await refresh();
      const alert = await findAlert(p.fingerprint);
      if (!alert) return fail('not_found', `alert ${p.fingerprint} is not known to Alertmanager`);
      if (!alert.ackId) {
        if (resumed) return { ok: true }; // the earlier attempt got through: not acked is what was asked
        return fail('not_acked', `alert ${alert.alertname} (${p.fingerprint}) is not acknowledged`);
      }
      return expire('unack', alert.ackId, resumed);
    },
    'alert.resolve': async () => fail('unsupported', RESOLVE_UNSUPPORTED),
    // Escalation is the gateway's record (its action log and audit), not Alertmanager state: nothing to do upstream.
    'alert.escalate': async () => ({ ok: true }),
    'silence.create': async (p, a, resumed) => {
      const earlier = resumed ? await createdEarlier('silence', a.id) : null;
      if (earlier) return earlier;
      try {
        await am.createSilence({
          matchers: p.matchers,
          startsAt: new Date(p.startsAt ?? clock.now()).toISOString(),
          endsAt: new Date(p.endsAt).toISOString(),
          createdBy: taggedAuthor(a.operator, a.id),
          comment: p.comment,
        });
      } catch (e) {
        return upstreamOutcome('silence', e);
      }
      return done();
    },
    'silence.expire': async (p, _a, resumed) => expire('expire silence', p.silenceId, resumed),
  };

  return {
    name: 'alertmanager',
    async start(c) {
      ctx = c;
      stopped = false;
      view = viewFromKnown(c.known?.());
      const statics: Parameters<SourceContext['emit']>[0] = [];
      if (opts.runbooksDir) {
        const { runbooks, problems } = loadRunbooks(opts.runbooksDir);
        for (const p of problems) warn(`${p.file}: ${p.reason}`);
        statics.push(...runbooks.map((data) => ({ kind: 'runbook.upsert' as const, data })));
      }
      if (opts.rosterFile) statics.push({ kind: 'roster.upsert', data: loadRoster(opts.rosterFile) });
      const specs: DashboardSpec[] = opts.dashboardsFile ? loadDashboards(opts.dashboardsFile) : [];
      const now = c.now();
      statics.push(
        ...specs.map((s) => ({
          kind: 'dashboard.upsert' as const,
          data: (({ fetchedAt: _f, ...d }) => d)(toDashboard(s, now)),
        })),
      );
      if (statics.length > 0) c.emit(statics);
      reportHealth();
      await refresh();
      if (opts.prometheusUrl && specs.length > 0) {
        feed = createDashboardFeed({
          prometheusUrl: opts.prometheusUrl,
          specs,
          clock,
          emit: (events) => !stopped && c.emit(events),
          refreshMs: opts.dashboardRefreshMs,
          timeoutMs,
          onResult: (err) => {
            if (err) opts.hooks?.upstreamError?.(err.metricKind);
            promError = err ? err.message : null;
            reportHealth();
          },
        });
        feed.start();
      }
    },
    async stop() {
      stopped = true;
      clock.clearTimeout(timer);
      timer = null;
      feed?.stop();
      await running;
    },
    refresh,
    webhook(body) {
      const parsed = WebhookSchema.safeParse(body);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return fail(
          'bad_webhook',
          `not an Alertmanager webhook v4 body: ${i.path.join('.') || '(top level)'}: ${i.message}`,
        );
      }
      void refresh();
      return { ok: true };
    },
    async apply(action, opts) {
      const handler = handlers[action.type] as
        ((p: unknown, a: SourceAction, resumed: boolean) => Promise<ActionOutcome>) | undefined;
      if (!handler) return fail('unsupported', `${action.type} is not handled by the alertmanager source`);
      const payload = actionPayloads[action.type].safeParse(action.payload);
      if (!payload.success)
        return fail(
          'bad_payload',
          `${action.type}: ${payload.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      try {
        return await handler(payload.data, action, opts?.resumed ?? false);
      } catch (e) {
        // the contract is "never throws": anything unforeseen becomes a clear failure
        return fail('internal', `${action.type} failed: ${(e as Error)?.message ?? String(e)}`);
      }
    },
  };
}
