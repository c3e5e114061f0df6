/**
 * The gateway's escalation ladders in the console (`page.update`, table gateway_pages of migration 012).
 *
 * When a level is paged and the person signed in here is among the people it reaches, this console raises a
 * critical, sticky native notification "you are paged for …" (clicking it opens the alert, where ack is one
 * key). Each (ladder, level) notifies once, also across a snapshot reset. Every change is announced as
 * `pageChanged`, with what was just paged, so the view that pressed `e` can say who was paged and where.
 */
import { PageLadderSchema, undeliveredPages, type PageLadder, type UndeliveredPage } from '@shared/paging';
import { parseJson } from '@shared/json';
import type { EscalationState } from '@shared/roster';
import type { CoreContext, EventApplier } from '../context';
import { pageText } from './messages';

/** a page older than this when it arrives (a resync after a long time offline) is listed, not notified */
const NOTIFY_WITHIN_MS = 30 * 60_000;
/** how many of the most recently changed ladders the undelivered list looks through */
const RECENT_LADDERS = 500;

/**
 * The console's ladder for an alert as the gateway runs it: while the gateway's ladder is open, the level
 * reached, who it reaches and the next level are the gateway's (the console's own is the idle fallback).
 */
export function withGatewayPage(e: EscalationState, ladder: PageLadder | null): EscalationState {
  if (e.subjectKind !== 'alert' || !ladder || ladder.stoppedAt !== null || e.stoppedAt !== null) return e;
  const last = ladder.steps.at(-1);
  return {
    ...e,
    policyName: ladder.policyName,
    level: ladder.level,
    levels: ladder.levels,
    levelAt: last?.at ?? e.levelAt,
    current: (last?.people ?? []).map((p) => ({ id: p.id, name: p.name })),
    next: ladder.next,
    gateway: true,
  };
}

export function createGatewayPages(ctx: CoreContext, onChanged: () => void = () => undefined) {
  const s = {
    get: ctx.db.prepare('SELECT ladder FROM gateway_pages WHERE fingerprint = ?'),
    recent: ctx.db.prepare('SELECT ladder FROM gateway_pages ORDER BY updated_at DESC LIMIT ?'),
    put: ctx.db.prepare(
      `INSERT INTO gateway_pages (fingerprint, ladder, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(fingerprint) DO UPDATE SET ladder = excluded.ladder, updated_at = excluded.updated_at`,
    ),
    clear: ctx.db.prepare('DELETE FROM gateway_pages'),
    notified: ctx.db.prepare('INSERT OR IGNORE INTO gateway_pages_notified (ladder_id, level, at) VALUES (?, ?, ?)'),
  };

  /** a stored ladder, or null when it no longer reads as one (never throws) */
  const parse = (text: string): PageLadder | null => {
    const json = parseJson(text);
    const p = json.ok ? PageLadderSchema.safeParse(json.value) : null;
    return p?.success ? p.data : null;
  };

  function get(fingerprint: string): PageLadder | null {
    const row = s.get.get(fingerprint) as { ladder: string } | undefined;
    return row ? parse(row.ladder) : null;
  }

  /** the messages of the most recently changed ladders that have not arrived (at most `limit` entries) */
  function undelivered(limit = 200): UndeliveredPage[] {
    const rows = s.recent.all(RECENT_LADDERS) as { ladder: string }[];
    return undeliveredPages(rows.map((r) => parse(r.ladder)).filter((l): l is PageLadder => l !== null)).slice(0, limit);
  }

  /** raises the notification for a level that pages the person signed in here (once per ladder and level) */
  function notifyMe(l: PageLadder, step: PageLadder['steps'][number]): void {
    const me = ctx.me();
    if (!me?.login || l.stoppedAt !== null || !step.people.some((p) => p.login === me.login)) return;
    if (ctx.clock.now() - step.at > NOTIFY_WITHIN_MS) return;
    if (s.notified.run(l.ladderId, step.level, ctx.clock.now()).changes !== 1) return;
    const t = pageText.in(ctx.language());
    void ctx.notifier.notify({
      tag: `page:${l.fingerprint}`,
      title: t.pagedTitle({ severity: l.severity, alert: l.alertname }),
      body: t.pagedBody({ level: step.level, levels: l.levels, name: step.name ?? '', by: step.by ? t.byHand({ who: step.by }) : '' }),
      urgency: 'critical',
      sticky: true,
      fingerprint: l.fingerprint,
    });
    ctx.log.log('info', 'page.notified', { fingerprint: l.fingerprint, level: step.level });
  }

  const applier: EventApplier = {
    kind: 'page.update',
    apply(data) {
      const l = PageLadderSchema.parse(data);
      const before = get(l.fingerprint);
      const seen = new Set(before?.ladderId === l.ladderId ? before.steps.map((x) => x.level) : []);
      s.put.run(l.fingerprint, JSON.stringify(l), ctx.clock.now());
      const fresh = l.steps.filter((x) => !seen.has(x.level));
      for (const step of fresh) notifyMe(l, step);
      const last = fresh.at(-1);
      ctx.emit('pageChanged', {
        fingerprint: l.fingerprint,
        alertname: l.alertname,
        stopped: l.stoppedAt !== null,
        paged: last
          ? {
              level: last.level,
              name: last.name,
              by: last.by,
              people: last.people.map((p) => ({ name: p.name, console: p.console })),
              channels: [...new Set(last.deliveries.map((d) => d.channel))],
            }
          : null,
      });
      onChanged();
      return 'alerts';
    },
    reset: () => void s.clear.run(),
  };

  return {
    applier,
    get,
    undelivered,
    /** the gateway runs an open ladder for this alert (the console's own is then only the offline fallback) */
    runs(fingerprint: string): boolean {
      const l = get(fingerprint);
      return !!l && l.stoppedAt === null;
    },
  };
}
