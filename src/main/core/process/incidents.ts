/**
 * Incidents (the war-room): declaration through the decision tree, roles, change freeze, the timeline,
 * status updates, response/resolution timers and closing with a postmortem. Every change is stored
 * locally first and queued for the platform in the same transaction.
 */
import type { Language, Severity } from '@shared/domain';
import {
  IncidentRecordSchema,
  decideSeverity,
  type DeclareInput,
  type Incident,
  type IncidentDetail,
  type LinkedAlert,
  type IncidentPatch,
  type Review,
  type Role,
  type StatusPhase,
  type SystemEvent,
  type TimelineAdd,
  type TimelineEntry,
  type TimelineKind,
} from '@shared/incidents';
import { DeclareSchema } from '@shared/incidents';
import { ApiError } from '@shared/rpc';
import type { ActionSink, CoreContext } from '../context';
import type { ChecklistEngine } from './checklists';
import { IncidentDocSchema } from '@shared/protocol';
import { incidentFromDoc } from './platform';
import { renderPostmortem } from './postmortem';
import { createDeadlineScheduler } from './scheduler';
import { createTargetsRepo, incidentClocks } from './targets';
import { TEMPLATE_IDS } from './templates';
import { coreLanguage, newId, notFound, parseJson, sendAction } from './util';
import { NO_FIRING_ENTRY } from '../alerts/repo';
import { readAlertEvent } from '@shared/alert-history';
import { keyLabels } from '@shared/alert-labels';

type Row = {
  id: string;
  title: string;
  severity: Severity;
  proposed_severity: Severity | null;
  status: Incident['status'];
  change_freeze: number;
  roles: string;
  alert_fingerprints: string;
  impact: string | null;
  declared_by: string;
  declared_at: number;
  responded_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  postmortem: string | null;
  updated_at: number;
  triage: string | null;
  review: string | null;
  respond_alarm_at: number | null;
  resolve_alarm_at: number | null;
};

const toIncident = (r: Row): Incident => ({
  id: r.id,
  title: r.title,
  severity: r.severity,
  proposedSeverity: r.proposed_severity,
  triage: parseJson(r.triage, null),
  status: r.status,
  changeFreeze: r.change_freeze === 1,
  roles: parseJson(r.roles, { commander: null, techLead: null, comms: null, onCall: null }),
  fingerprints: parseJson(r.alert_fingerprints, []),
  impact: r.impact,
  declaredBy: r.declared_by,
  declaredAt: r.declared_at,
  respondedAt: r.responded_at,
  resolvedAt: r.resolved_at,
  closedAt: r.closed_at,
  review: parseJson<Review | null>(r.review, null),
  postmortem: r.postmortem,
  updatedAt: r.updated_at,
});

/** How far before the declaration alert activity still belongs to the incident's story. */
const ALERT_LOOKBACK_MS = 24 * 60 * 60 * 1000;

export interface IncidentServiceDeps {
  ctx: CoreContext;
  actions: ActionSink;
  checklists: ChecklistEngine;
}

type AlertEventRow = { id: number | string; fingerprint: string; at: number; kind: string; detail: string; alertname: string | null };

/**
 * The incident's alert activity as timeline entries, in the reader's words: requests by their author,
 * and a resolve is the platform's report, naming a person only when one asked for it first.
 */
function alertEntries(incidentId: string, rows: AlertEventRow[]): TimelineEntry[] {
  const resolveAsked = new Map<string, string>();
  return rows.map((r) => {
    const item = readAlertEvent(r.kind, r.detail);
    const name = r.alertname ?? r.fingerprint;
    let kind: string = item.code;
    let by = item.by ?? '';
    if (item.code === 'requested') {
      kind = `requested_${item.action}`;
      if (item.action === 'resolve') resolveAsked.set(r.fingerprint, item.by);
    } else if (item.code === 'resolved') {
      by = resolveAsked.get(r.fingerprint) ?? '';
      resolveAsked.delete(r.fingerprint);
      if (!by) kind = 'resolved_platform';
    }
    return {
      id: `alert:${r.id}`,
      incidentId,
      at: r.at,
      kind: 'alert' as const,
      author: item.code === 'requested' || item.code === 'acked' ? by : '',
      text: `${name} ${r.kind} ${r.detail}`.trim(),
      derived: true,
      system: { code: 'alert' as const, params: { alertname: name, kind, by, detail: item.text } },
    };
  });
}

/** The linked alerts by name and key labels (the fingerprint only when the alert is gone from the cache). */
function readLinkedAlerts(stmt: { all(...params: unknown[]): unknown[] }, fps: string[]): LinkedAlert[] {
  if (!fps.length) return [];
  const rows = stmt.all(JSON.stringify(fps)) as { fingerprint: string; alertname: string; severity: Severity; state: string; labels: string }[];
  const byFp = new Map(rows.map((r) => [r.fingerprint, r]));
  return fps.map((fp) => {
    const r = byFp.get(fp);
    if (!r) return { fingerprint: fp, alertname: null, severity: null, state: null, labels: [] };
    return { fingerprint: fp, alertname: r.alertname, severity: r.severity, state: r.state === 'resolved' ? 'resolved' : 'firing', labels: keyLabels(parseJson(r.labels, {}), 4) };
  });
}

export function createIncidentService({ ctx, actions, checklists }: IncidentServiceDeps) {
  const { db } = ctx;
  const targets = createTargetsRepo(db);
  const s = {
    get: db.prepare('SELECT * FROM incidents WHERE id = ?'),
    list: db.prepare("SELECT * FROM incidents WHERE (@open = 0 OR status != 'closed') ORDER BY declared_at DESC LIMIT 500"),
    open: db.prepare("SELECT * FROM incidents WHERE status != 'closed'"),
    frozen: db.prepare("SELECT id, title, severity, declared_at FROM incidents WHERE change_freeze = 1 AND status != 'closed' ORDER BY declared_at"),
    upsert: db.prepare(`INSERT INTO incidents (id, title, severity, proposed_severity, status, change_freeze, roles, alert_fingerprints,
        impact, declared_by, declared_at, responded_at, resolved_at, closed_at, postmortem, updated_at, triage, review,
        respond_alarm_at, resolve_alarm_at)
      VALUES (@id, @title, @severity, @proposedSeverity, @status, @changeFreeze, @roles, @fingerprints, @impact, @declaredBy,
        @declaredAt, @respondedAt, @resolvedAt, @closedAt, @postmortem, @updatedAt, @triage, @review, @respondAlarmAt, @resolveAlarmAt)
      ON CONFLICT(id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
        proposed_severity = excluded.proposed_severity, status = excluded.status, change_freeze = excluded.change_freeze,
        roles = excluded.roles, alert_fingerprints = excluded.alert_fingerprints, impact = excluded.impact,
        declared_by = excluded.declared_by, declared_at = excluded.declared_at, responded_at = excluded.responded_at,
        resolved_at = excluded.resolved_at, closed_at = excluded.closed_at, postmortem = excluded.postmortem,
        updated_at = excluded.updated_at, triage = excluded.triage, review = excluded.review,
        respond_alarm_at = excluded.respond_alarm_at, resolve_alarm_at = excluded.resolve_alarm_at`),
    alarms: db.prepare('SELECT respond_alarm_at, resolve_alarm_at FROM incidents WHERE id = ?'),
    setAlarm: db.prepare('UPDATE incidents SET respond_alarm_at = COALESCE(?, respond_alarm_at), resolve_alarm_at = COALESCE(?, resolve_alarm_at) WHERE id = ?'),
    addEntry: db.prepare(`INSERT OR IGNORE INTO incident_timeline (id, incident_id, at, kind, author, text, system)
      VALUES (@id, @incidentId, @at, @kind, @author, @text, @system)`),
    entries: db.prepare('SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY at, rowid'),
    // alert starts the history lacks (first seen in a snapshot) come from alerts.starts_at, as in alertHistory
    alertEvents: db.prepare(`SELECT * FROM (
        SELECT e.id, e.fingerprint, e.at, e.kind, e.detail, a.alertname FROM alert_events e
        LEFT JOIN alerts a ON a.fingerprint = e.fingerprint
        WHERE e.fingerprint IN (SELECT value FROM json_each(@fps)) AND e.at BETWEEN @from AND @until
        UNION ALL
        SELECT 'start:' || a.fingerprint, a.fingerprint, a.starts_at, 'firing', '', a.alertname FROM alerts a
        WHERE a.fingerprint IN (SELECT value FROM json_each(@fps)) AND a.starts_at BETWEEN @from AND @until AND ${NO_FIRING_ENTRY}
      ) ORDER BY at, id LIMIT 2000`),
    unsent: db.prepare(`SELECT 1 FROM outbox WHERE state IN ('pending', 'sent') AND type LIKE 'incident.%'
      AND json_valid(payload) AND json_extract(payload, '$.incidentId') = ? LIMIT 1`),
    alertNames: db.prepare('SELECT fingerprint, alertname FROM alerts WHERE fingerprint IN (SELECT value FROM json_each(?))'),
    linked: db.prepare('SELECT fingerprint, alertname, severity, state, labels FROM alerts WHERE fingerprint IN (SELECT value FROM json_each(?))'),
  };

  const timeZone = () => ctx.settings().timeZone;
  const changed = (id: string) => ctx.emit('dataChanged', { collection: 'incidents', ids: [id] });

  function load(id: string): { inc: Incident; row: Row } | null {
    const row = s.get.get(id) as Row | undefined;
    return row ? { inc: toIncident(row), row } : null;
  }
  const mustLoad = (id: string) => load(id) ?? notFound('Incident', id);

  function write(inc: Incident, alarms: { respond: number | null; resolve: number | null }): void {
    s.upsert.run({
      ...inc,
      changeFreeze: inc.changeFreeze ? 1 : 0,
      roles: JSON.stringify(inc.roles),
      fingerprints: JSON.stringify(inc.fingerprints),
      triage: inc.triage ? JSON.stringify(inc.triage) : null,
      review: inc.review ? JSON.stringify(inc.review) : null,
      respondAlarmAt: alarms.respond,
      resolveAlarmAt: alarms.resolve,
    });
  }

  function storeEntry(e: TimelineEntry): void {
    s.addEntry.run({ ...e, system: e.system ? JSON.stringify(e.system) : null });
  }

  /**
   * Stores a timeline entry and queues it for the platform's copy of the minutes. System entries keep an
   * English text for readers that cannot render their code. Call inside the change's transaction.
   */
  function entry(incidentId: string, kind: TimelineKind, author: string, at: number, text: string, system?: { code: SystemEvent; params: Record<string, string> }): TimelineEntry {
    const e: TimelineEntry = { id: newId(ctx), incidentId, at, kind, author, text, system: system ?? null };
    storeEntry(e);
    sendAction(ctx, actions, 'incident.timeline', { incidentId, entryId: e.id, kind, text, at }, author);
    return e;
  }

  function storedTimeline(id: string): TimelineEntry[] {
    return (s.entries.all(id) as { id: string; incident_id: string; at: number; kind: TimelineKind; author: string; text: string; system: string | null }[]).map(
      (r) => ({ id: r.id, incidentId: r.incident_id, at: r.at, kind: r.kind, author: r.author, text: r.text, system: parseJson(r.system, null) }),
    );
  }

  /** Alert activity on the linked alerts (fired, acked, silenced, escalated, resolved), read from the alert history. */
  function derivedTimeline(inc: Incident): TimelineEntry[] {
    if (!inc.fingerprints.length) return [];
    const until = inc.closedAt ?? ctx.clock.now();
    const rows = s.alertEvents.all({ fps: JSON.stringify(inc.fingerprints), from: inc.declaredAt - ALERT_LOOKBACK_MS, until }) as AlertEventRow[];
    return alertEntries(inc.id, rows);
  }

  const linkedAlerts = (fps: string[]) => readLinkedAlerts(s.linked, fps);

  function timeline(inc: Incident): TimelineEntry[] {
    return [...storedTimeline(inc.id), ...derivedTimeline(inc)].sort((a, b) => a.at - b.at);
  }

  function detail(inc: Incident): IncidentDetail {
    const clocks = incidentClocks(inc, targets.read(), timeZone(), ctx.clock.now());
    return { incident: inc, alerts: linkedAlerts(inc.fingerprints), timeline: timeline(inc), ...clocks, runIds: checklists.runIdsFor(inc.id) };
  }

  function alertNames(fps: string[]): string {
    const known = new Map((s.alertNames.all(JSON.stringify(fps)) as { fingerprint: string; alertname: string }[]).map((r) => [r.fingerprint, r.alertname]));
    return fps.map((fp) => known.get(fp) ?? fp).join(', ');
  }

  function newIncidentId(now: number): string {
    const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
    for (;;) {
      const id = `INC-${day}-${newId(ctx).replace(/-/g, '').slice(-4).toUpperCase()}`;
      if (!s.get.get(id)) return id;
    }
  }

  // ---- response / resolution timers --------------------------------------------------------------

  function pendingAlarms(now: number) {
    const list: { inc: Incident; which: 'respond' | 'resolve'; dueAt: number }[] = [];
    const t = targets.read();
    for (const row of s.open.all() as Row[]) {
      const inc = toIncident(row);
      const c = incidentClocks(inc, t, timeZone(), now);
      if (inc.respondedAt === null && row.respond_alarm_at === null) list.push({ inc, which: 'respond', dueAt: c.respond.dueAt });
      if (inc.resolvedAt === null && row.resolve_alarm_at === null) list.push({ inc, which: 'resolve', dueAt: c.resolve.dueAt });
    }
    return list;
  }

  const scheduler = createDeadlineScheduler(
    ctx.clock,
    () => {
      const due = pendingAlarms(ctx.clock.now()).map((a) => a.dueAt);
      return due.length ? Math.min(...due) : null;
    },
    (now) => {
      const due = pendingAlarms(now).filter((a) => a.dueAt <= now);
      if (!due.length) return;
      db.transaction(() => {
        for (const a of due) s.setAlarm.run(a.which === 'respond' ? now : null, a.which === 'resolve' ? now : null, a.inc.id);
      })();
      const lng = coreLanguage(ctx);
      for (const a of due) {
        const zh = lng === 'zh-CN';
        const title =
          a.which === 'respond'
            ? zh
              ? `${a.inc.severity} 事故超过响应时限：${a.inc.id}`
              : `${a.inc.severity} incident past its response target: ${a.inc.id}`
            : zh
              ? `${a.inc.severity} 事故超过解决时限：${a.inc.id}`
              : `${a.inc.severity} incident past its resolution target: ${a.inc.id}`;
        const urgent = a.inc.severity === 'P0' || a.inc.severity === 'P1';
        void Promise.resolve(
          ctx.notifier.notify({ tag: `incident:${a.inc.id}:${a.which}`, title, body: a.inc.title, urgency: urgent ? 'critical' : 'normal', sticky: urgent }),
        ).catch((err) => ctx.log.log('warn', 'incident.notify_failed', { err: String(err) }));
        changed(a.inc.id);
      }
    },
    (err) => ctx.log.log('error', 'incident.timer_failed', { err: String(err) }),
  );

  // ---- operations -----------------------------------------------------------------------------------

  async function declare(input: DeclareInput, actor: string): Promise<IncidentDetail> {
    const d = DeclareSchema.parse(input);
    const proposed = decideSeverity(d.triage);
    const now = ctx.clock.now();
    const inc: Incident = {
      id: newIncidentId(now),
      title: d.title,
      severity: d.severity,
      proposedSeverity: proposed,
      triage: d.triage,
      status: 'investigating',
      changeFreeze: false,
      roles: { commander: null, techLead: null, comms: null, onCall: null },
      fingerprints: [...new Set(d.fingerprints)],
      impact: d.impact || null,
      declaredBy: actor,
      declaredAt: now,
      respondedAt: null,
      resolvedAt: null,
      closedAt: null,
      review: null,
      postmortem: null,
      updatedAt: now,
    };
    db.transaction(() => {
      write(inc, { respond: null, resolve: null });
      sendAction(
        ctx,
        actions,
        'incident.declare',
        { incidentId: inc.id, title: inc.title, severity: inc.severity, proposedSeverity: proposed, fingerprints: inc.fingerprints },
        actor,
      );
      // The declaration has no room for these; the platform merges them from the first update.
      sendAction(ctx, actions, 'incident.update', { incidentId: inc.id, patch: { triage: inc.triage, status: inc.status, impact: inc.impact, updatedAt: now } }, actor);
      entry(inc.id, 'decision', actor, now, `Incident declared as ${inc.severity}`, { code: 'declared', params: { severity: inc.severity } });
      if (d.severity !== proposed)
        entry(inc.id, 'decision', actor, now, `Severity ${d.severity} instead of proposed ${proposed}: ${d.overrideReason}`, {
          code: 'override',
          params: { severity: d.severity, proposed, reason: d.overrideReason ?? '' },
        });
      if (inc.fingerprints.length) {
        const names = alertNames(inc.fingerprints);
        entry(inc.id, 'action', actor, now, `Linked alerts: ${names}`, { code: 'alerts_linked', params: { names } });
      }
    })();
    ctx.audit(actor, 'incident.declare', { id: inc.id, severity: inc.severity, proposed });
    // The war-room and the eight-step flow start with the incident, bound to it.
    for (const templateId of [TEMPLATE_IDS.warRoom, TEMPLATE_IDS.responseFlow]) {
      try {
        await checklists.start({ templateId, incidentId: inc.id }, actor);
      } catch (err) {
        ctx.log.log('warn', 'incident.checklist_not_started', { templateId, err: String(err) });
      }
    }
    scheduler.rearm();
    changed(inc.id);
    return detail(inc);
  }

  function update(id: string, patch: IncidentPatch, actor: string): IncidentDetail {
    const now = ctx.clock.now();
    const inc = db.transaction(() => {
      const { inc: cur, row } = mustLoad(id);
      if (cur.status === 'closed') throw new ApiError('conflict', `Incident ${id} is closed; it can no longer change.`);
      const next: Incident = { ...cur, roles: { ...cur.roles }, updatedAt: now };
      const alarms = { respond: row.respond_alarm_at, resolve: row.resolve_alarm_at };
      const sent: Record<string, unknown> = {};
      const add = (kind: TimelineKind, text: string, code: SystemEvent, params: Record<string, string> = {}) =>
        entry(id, kind, actor, now, text, { code, params });

      if (patch.title !== undefined && patch.title !== cur.title) next.title = sent.title = patch.title;
      if (patch.impact !== undefined && patch.impact !== (cur.impact ?? '')) {
        next.impact = patch.impact || null;
        sent.impact = next.impact;
      }
      if (patch.severity && patch.severity !== cur.severity) {
        next.severity = sent.severity = patch.severity;
        // New severity, new targets: a clock not yet met may have to ring again.
        if (next.respondedAt === null) alarms.respond = null;
        if (next.resolvedAt === null) alarms.resolve = null;
        add('decision', `Severity ${cur.severity} → ${patch.severity}`, 'severity', { from: cur.severity, to: patch.severity });
      }
      if (patch.respond && cur.respondedAt === null) {
        next.respondedAt = sent.respondedAt = now;
        add('action', `Response acknowledged by ${actor}`, 'responded');
      }
      if (patch.status && patch.status !== cur.status) {
        next.status = sent.status = patch.status;
        if (patch.status === 'resolved') next.resolvedAt = now;
        else next.resolvedAt = null;
        sent.resolvedAt = next.resolvedAt;
        if (patch.status === 'resolved' && next.respondedAt === null) next.respondedAt = sent.respondedAt = now;
        add('action', `Status: ${patch.status}`, 'status', { status: patch.status });
      }
      if (patch.changeFreeze !== undefined && patch.changeFreeze !== cur.changeFreeze) {
        next.changeFreeze = sent.changeFreeze = patch.changeFreeze;
        add('decision', patch.changeFreeze ? 'Change freeze on' : 'Change freeze lifted', patch.changeFreeze ? 'freeze_on' : 'freeze_off');
      }
      if (patch.roles) {
        for (const [role, name] of Object.entries(patch.roles) as [Role, string | null][]) {
          if ((name ?? null) === cur.roles[role]) continue;
          next.roles[role] = name ?? null;
          add('action', `${role}: ${name ?? '—'}`, 'role', { role, name: name ?? '' });
        }
        if (JSON.stringify(next.roles) !== JSON.stringify(cur.roles)) sent.roles = next.roles;
      }
      if (patch.fingerprints) {
        const fps = [...new Set(patch.fingerprints)];
        const added = fps.filter((fp) => !cur.fingerprints.includes(fp));
        if (added.length || fps.length !== cur.fingerprints.length) {
          next.fingerprints = sent.fingerprints = fps;
          if (added.length) {
            const names = alertNames(added);
            add('action', `Linked alerts: ${names}`, 'alerts_linked', { names });
          }
        }
      }
      if (!Object.keys(sent).length) return cur;
      write(next, alarms);
      sendAction(ctx, actions, 'incident.update', { incidentId: id, patch: { ...sent, updatedAt: now } }, actor);
      return next;
    })();
    ctx.audit(actor, 'incident.update', { id, fields: Object.keys(patch) });
    scheduler.rearm();
    changed(id);
    return detail(inc);
  }

  function addTimeline(id: string, input: TimelineAdd, actor: string): TimelineEntry {
    const now = ctx.clock.now();
    const e = db.transaction(() => {
      const { inc } = mustLoad(id);
      if (inc.status === 'closed') throw new ApiError('conflict', `Incident ${id} is closed; its timeline is final.`);
      if (input.at !== undefined && input.at > now) throw new ApiError('bad_arguments', 'A timeline entry cannot be dated in the future.');
      return entry(id, input.kind, actor, input.at ?? now, input.text);
    })();
    changed(id);
    return e;
  }

  function statusUpdate(id: string, phase: StatusPhase, text: string, actor: string): TimelineEntry {
    const now = ctx.clock.now();
    const e = db.transaction(() => {
      const { inc, row } = mustLoad(id);
      if (inc.status === 'closed') throw new ApiError('conflict', `Incident ${id} is closed.`);
      const created = entry(id, 'status_update', actor, now, text);
      sendAction(ctx, actions, 'incident.status_update', { incidentId: id, phase, text }, actor);
      // Sending the first message is how handbook 003 acknowledges an incident.
      if (phase === 'start' && inc.respondedAt === null) {
        write({ ...inc, respondedAt: now, updatedAt: now }, { respond: row.respond_alarm_at, resolve: row.resolve_alarm_at });
        entry(id, 'action', actor, now, `Response acknowledged by ${actor}`, { code: 'responded', params: {} });
        sendAction(ctx, actions, 'incident.update', { incidentId: id, patch: { respondedAt: now, updatedAt: now } }, actor);
      }
      return created;
    })();
    ctx.audit(actor, 'incident.status_update', { id, phase });
    scheduler.rearm();
    changed(id);
    return e;
  }

  function close(id: string, review: Review, lng: Language, actor: string): IncidentDetail {
    const now = ctx.clock.now();
    const inc = db.transaction(() => {
      const { inc: cur, row } = mustLoad(id);
      if (cur.status === 'closed') throw new ApiError('conflict', `Incident ${id} is already closed.`);
      const next: Incident = {
        ...cur,
        status: 'closed',
        review,
        // Closing lifts the freeze: a closed incident must not keep the banner up.
        changeFreeze: false,
        respondedAt: cur.respondedAt ?? now,
        resolvedAt: cur.resolvedAt ?? now,
        closedAt: now,
        updatedAt: now,
      };
      if (cur.changeFreeze) entry(id, 'decision', actor, now, 'Change freeze lifted', { code: 'freeze_off', params: {} });
      entry(id, 'action', actor, now, 'Incident closed; postmortem written', { code: 'closed', params: {} });
      next.postmortem = renderPostmortem({ incident: next, timeline: timeline(next), alerts: linkedAlerts(next.fingerprints), lng, timeZone: timeZone() });
      write(next, { respond: row.respond_alarm_at, resolve: row.resolve_alarm_at });
      // The platform takes no update after the close: the review and final times go first.
      sendAction(
        ctx,
        actions,
        'incident.update',
        { incidentId: id, patch: { review, changeFreeze: false, respondedAt: next.respondedAt, resolvedAt: next.resolvedAt, updatedAt: now } },
        actor,
      );
      sendAction(ctx, actions, 'incident.close', { incidentId: id, postmortem: next.postmortem }, actor);
      return next;
    })();
    ctx.audit(actor, 'incident.close', { id });
    scheduler.rearm();
    changed(id);
    return detail(inc);
  }

  /** A closed incident opens again (it recurred, or was closed by mistake): investigating, not resolved. */
  function reopen(id: string, reason: string, actor: string): IncidentDetail {
    const now = ctx.clock.now();
    const inc = db.transaction(() => {
      const { inc: cur, row } = mustLoad(id);
      if (cur.status !== 'closed') throw new ApiError('conflict', `Incident ${id} is not closed.`);
      const next: Incident = { ...cur, status: 'investigating', resolvedAt: null, closedAt: null, updatedAt: now };
      // the platform opens it first: it takes no timeline entry for a closed incident
      sendAction(ctx, actions, 'incident.reopen', { incidentId: id, reason }, actor);
      entry(id, 'decision', actor, now, `Incident reopened: ${reason}`, { code: 'reopened', params: { reason } });
      // the resolution clock runs again
      write(next, { respond: row.respond_alarm_at, resolve: null });
      sendAction(ctx, actions, 'incident.update', { incidentId: id, patch: { status: 'investigating', resolvedAt: null, updatedAt: now } }, actor);
      return next;
    })();
    ctx.audit(actor, 'incident.reopen', { id });
    scheduler.rearm();
    changed(id);
    return detail(inc);
  }

  return {
    scheduler,
    declare,
    update,
    addTimeline,
    statusUpdate,
    close,
    reopen,
    list: (open: boolean): Incident[] => (s.list.all({ open: open ? 1 : 0 }) as Row[]).map(toIncident),
    get(id: string): IncidentDetail | null {
      const l = load(id);
      return l ? detail(l.inc) : null;
    },
    postmortem(id: string, lng: Language): string {
      const { inc } = mustLoad(id);
      return renderPostmortem({ incident: inc, timeline: timeline(inc), alerts: linkedAlerts(inc.fingerprints), lng, timeZone: timeZone() });
    },
    freezeState: () =>
      (s.frozen.all() as { id: string; title: string; severity: Severity; declared_at: number }[]).map((r) => ({
        id: r.id,
        title: r.title,
        severity: r.severity,
        declaredAt: r.declared_at,
      })),
    targets: {
      read: targets.read,
      write(t: Parameters<typeof targets.write>[0], actor: string) {
        const out = targets.write(t);
        ctx.audit(actor, 'incident.targets', out);
        scheduler.rearm();
        return out;
      },
    },
    /** An incident from the platform (declared elsewhere, or ours echoed back); the newer copy wins. */
    applyRemote(data: unknown): string {
      // The gateway sends its own document; a full Vigil record (another platform, a test) is taken as is.
      const full = IncidentRecordSchema.safeParse(data);
      const { timeline: entries, ...inc } = full.success
        ? full.data
        : (() => {
            const doc = IncidentDocSchema.parse(data);
            const { incident, timeline } = incidentFromDoc(doc, load(doc.id)?.inc ?? null);
            return { ...incident, timeline };
          })();
      const local = load(inc.id);
      // Events arrive in the platform's order, so the platform's copy is the latest word, except while
      // this desk still has changes to it waiting in the outbox: their echo will bring them back.
      // (Comparing timestamps instead would trust two machines' clocks to agree.)
      if (!local || !s.unsent.get(inc.id))
        write(inc, { respond: local?.row.respond_alarm_at ?? null, resolve: local?.row.resolve_alarm_at ?? null });
      for (const e of entries ?? []) if (!e.derived) storeEntry({ ...e, incidentId: inc.id });
      scheduler.rearm();
      return inc.id;
    },
  };
}
export type IncidentService = ReturnType<typeof createIncidentService>;
