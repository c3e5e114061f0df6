/**
 * An incident's timeline (the minutes): entries people write, entries Vigil writes itself (stored as a
 * code and parameters, read in the reader's language), and entries derived from the linked alerts'
 * history. Every stored entry is also queued for the platform's copy of the minutes.
 */
import { alertEventParams, type AlertEventParams } from '@shared/alert-history';
import { keyLabels } from '@shared/alert-labels';
import type { Severity } from '@shared/domain';
import { entryText, type Incident, type LinkedAlert, type SystemEvent, type TimelineEntry, type TimelineKind } from '@shared/incidents';
import { parseJson } from '@shared/json';
import type { ActionSink, CoreContext } from '../context';
import { NO_FIRING_ENTRY } from '../alerts/repo';
import { newId, sendAction } from './util';

/** How far before the declaration alert activity still belongs to the incident's story. */
export const ALERT_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/** An entry Vigil writes itself. */
export interface SystemLine {
  kind: TimelineKind;
  code: SystemEvent;
  params: Record<string, string>;
}

/** One row of a linked alert's history, with the alert's name when it is still cached. */
export interface AlertHistoryRow {
  id: number | string;
  fingerprint: string;
  at: number;
  kind: string;
  detail: string;
  params: string | null;
  alertname: string | null;
}

/**
 * An alert history row as a (derived, unstored) timeline entry. `resolveAskedBy`: for a `resolved` row, who
 * asked for the resolve before it (null: no one did, the platform resolved it on its own).
 */
export function alertEntry(incidentId: string, r: AlertHistoryRow, resolveAskedBy: string | null = null): TimelineEntry {
  const name = r.alertname ?? r.fingerprint;
  const p = alertEventParams({ kind: r.kind, detail: r.detail, params: parseJson<AlertEventParams>(r.params).value ?? null });
  const resolved = r.kind === 'resolved';
  // An ack's "by" becomes the entry's author, as does the person who asked for a resolve; a queued action
  // names its actor in the line. Any other "by" on a state row is the acker carried along (not an author).
  const by = resolved ? (resolveAskedBy ?? '') : (p.by ?? '');
  const kind = resolved && !resolveAskedBy ? 'resolved_platform' : r.kind;
  const detail = p.by !== undefined || /^by .+$/s.test(r.detail) ? '' : r.detail;
  const params: Record<string, string> = p.action
    ? { alertname: name, kind: r.kind, by: '', detail: '', action: p.action, actor: p.actor ?? '', ...(p.comment !== undefined ? { comment: p.comment } : {}) }
    : { alertname: name, kind, by, detail };
  return {
    id: `alert:${r.id}`,
    incidentId,
    at: r.at,
    kind: 'alert',
    author: by,
    text: `${name} ${r.kind} ${r.detail}`.trim(),
    derived: true,
    system: { code: 'alert', params },
  };
}

/** The rows as entries, in order: a resolve names the person who asked for it, else the platform. */
export function alertEntries(incidentId: string, rows: AlertHistoryRow[]): TimelineEntry[] {
  const asked = new Map<string, string>();
  return rows.map((r) => {
    const p = r.kind === 'action' ? alertEventParams({ kind: r.kind, detail: r.detail, params: parseJson<AlertEventParams>(r.params).value ?? null }) : null;
    if (p?.action === 'alert.resolve') asked.set(r.fingerprint, p.actor ?? '');
    if (r.kind !== 'resolved') return alertEntry(incidentId, r);
    const by = asked.get(r.fingerprint) ?? null;
    asked.delete(r.fingerprint);
    return alertEntry(incidentId, r, by);
  });
}

type LinkedRow = { fingerprint: string; alertname: string; severity: Severity; state: string; labels: string };

/** The linked alerts by name and key labels (the fingerprint only when the alert is gone from the cache). */
function linkedAlertsOf(rows: LinkedRow[], fps: string[]): LinkedAlert[] {
  const byFp = new Map(rows.map((r) => [r.fingerprint, r]));
  return fps.map((fp) => {
    const r = byFp.get(fp);
    if (!r) return { fingerprint: fp, alertname: null, severity: null, state: null, labels: [] };
    const labels = parseJson<Record<string, string>>(r.labels).value ?? {};
    return { fingerprint: fp, alertname: r.alertname, severity: r.severity, state: r.state === 'resolved' ? 'resolved' : 'firing', labels: keyLabels(labels, 4) };
  });
}

export function createIncidentTimeline({ ctx, actions }: { ctx: CoreContext; actions: ActionSink }) {
  const { db } = ctx;
  const s = {
    add: db.prepare(`INSERT OR IGNORE INTO incident_timeline (id, incident_id, at, kind, author, text, system)
      VALUES (@id, @incidentId, @at, @kind, @author, @text, @system)`),
    put: db.prepare(`INSERT INTO incident_timeline (id, incident_id, at, kind, author, text, system)
      VALUES (@id, @incidentId, @at, @kind, @author, @text, @system)
      ON CONFLICT(id) DO UPDATE SET text = excluded.text, system = excluded.system`),
    entries: db.prepare('SELECT * FROM incident_timeline WHERE incident_id = ? ORDER BY at, rowid'),
    // alert starts the history lacks (first seen in a snapshot) come from alerts.starts_at, as in alertHistory
    alertEvents: db.prepare(`SELECT * FROM (
        SELECT e.id, e.fingerprint, e.at, e.kind, e.detail, e.params, a.alertname FROM alert_events e
        LEFT JOIN alerts a ON a.fingerprint = e.fingerprint
        WHERE e.fingerprint IN (SELECT value FROM json_each(@fps)) AND e.at BETWEEN @from AND @until
        UNION ALL
        SELECT 'start:' || a.fingerprint, a.fingerprint, a.starts_at, 'firing', '', NULL, a.alertname FROM alerts a
        WHERE a.fingerprint IN (SELECT value FROM json_each(@fps)) AND a.starts_at BETWEEN @from AND @until AND ${NO_FIRING_ENTRY}
      ) ORDER BY at, id LIMIT 2000`),
    alertNames: db.prepare('SELECT fingerprint, alertname FROM alerts WHERE fingerprint IN (SELECT value FROM json_each(?))'),
    linked: db.prepare('SELECT fingerprint, alertname, severity, state, labels FROM alerts WHERE fingerprint IN (SELECT value FROM json_each(?))'),
  };

  /** Stores an entry as it is (no action): entries from the platform. Re-storing one is a no-op. */
  function store(e: TimelineEntry): void {
    s.add.run({ ...e, system: e.system ? JSON.stringify(e.system) : null });
  }

  /** Stores an entry and queues it for the platform. Call inside the change's transaction. */
  function add(incidentId: string, kind: TimelineKind, author: string, at: number, text: string, system: TimelineEntry['system'] = null): TimelineEntry {
    const e: TimelineEntry = { id: newId(ctx), incidentId, at, kind, author, text, system };
    store(e);
    sendAction(ctx, actions, 'incident.timeline', { incidentId, entryId: e.id, kind, text, at }, author);
    return e;
  }

  function stored(id: string): TimelineEntry[] {
    return (s.entries.all(id) as { id: string; incident_id: string; at: number; kind: TimelineKind; author: string; text: string; system: string | null }[]).map(
      (r) => ({ id: r.id, incidentId: r.incident_id, at: r.at, kind: r.kind, author: r.author, text: r.text, system: parseJson<TimelineEntry['system']>(r.system).value ?? null }),
    );
  }

  /** Alert activity on the linked alerts (fired, acked, silenced, escalated, resolved), read from the alert history. */
  function derived(inc: Incident): TimelineEntry[] {
    if (!inc.fingerprints.length) return [];
    const until = inc.closedAt ?? ctx.clock.now();
    const rows = s.alertEvents.all({ fps: JSON.stringify(inc.fingerprints), from: inc.declaredAt - ALERT_LOOKBACK_MS, until }) as AlertHistoryRow[];
    return alertEntries(inc.id, rows);
  }

  return {
    store,
    /** stores a local entry (not sent), or changes its text: where a status update went, as deliveries finish */
    put(e: TimelineEntry): void {
      s.put.run({ ...e, system: e.system ? JSON.stringify(e.system) : null });
    },
    /** an entry a person writes */
    note: (incidentId: string, kind: TimelineKind, author: string, at: number, text: string) => add(incidentId, kind, author, at, text),
    /**
     * An entry Vigil writes: stored with its code, so it reads in any language; the platform's copy gets
     * the English line (it keeps text only, and other readers may know no codes).
     */
    system(incidentId: string, author: string, at: number, line: SystemLine): TimelineEntry {
      const system = { code: line.code, params: line.params };
      return add(incidentId, line.kind, author, at, entryText({ text: '', system, author }, 'en'), system);
    },
    /** the stored entries and the derived ones, in time order */
    of: (inc: Incident): TimelineEntry[] => [...stored(inc.id), ...derived(inc)].sort((a, b) => a.at - b.at),
    /** the linked alerts, in the incident's order, by name and key labels */
    linkedAlerts: (fps: string[]): LinkedAlert[] => (fps.length ? linkedAlertsOf(s.linked.all(JSON.stringify(fps)) as LinkedRow[], fps) : []),
    /** the alerts' names where known, else their fingerprints, comma-separated */
    alertNames(fps: string[]): string {
      const known = new Map((s.alertNames.all(JSON.stringify(fps)) as { fingerprint: string; alertname: string }[]).map((r) => [r.fingerprint, r.alertname]));
      return fps.map((fp) => known.get(fp) ?? fp).join(', ');
    },
  };
}
export type IncidentTimeline = ReturnType<typeof createIncidentTimeline>;
