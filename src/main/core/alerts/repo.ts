/** Alert rows in SQLite. Upserts are keyed by fingerprint (dedup); each change is recorded in alert_events. */
import { displayState, type Alert, type AlertDisplayState, type AlertEvent, type Silence } from '../../../shared/alerts';
import type { AlertCounts, AlertPage, AlertPageCursor } from '../../../shared/contract/alerts';
import { SEVERITIES, severityRank, type Severity } from '../../../shared/domain';
import type { DB } from '../store/db';

/** The little the notification policy needs to know about an alert's state before a change. */
export interface AlertBrief {
  state: Alert['state'];
  severity: Severity;
  display: AlertDisplayState;
  updatedAt: number;
}

interface AlertRow {
  fingerprint: string;
  alertname: string;
  labels: string;
  annotations: string;
  state: 'firing' | 'resolved';
  severity: Alert['severity'];
  starts_at: number;
  ends_at: number | null;
  updated_at: number;
  generator_url: string | null;
  silenced_by: string;
  inhibited_by: string;
  acked_by: string | null;
  acked_at: number | null;
  ack_id: string | null;
}

type BriefRow = Pick<AlertRow, 'state' | 'severity' | 'acked_by' | 'silenced_by' | 'inhibited_by' | 'updated_at'>;
const toBrief = (r: BriefRow): AlertBrief => ({
  state: r.state,
  severity: r.severity,
  display: displayState({ state: r.state, ackedBy: r.acked_by, silencedBy: JSON.parse(r.silenced_by), inhibitedBy: JSON.parse(r.inhibited_by) }),
  updatedAt: r.updated_at,
});

export function rowToAlert(r: AlertRow): Alert {
  return {
    fingerprint: r.fingerprint,
    alertname: r.alertname,
    labels: JSON.parse(r.labels),
    annotations: JSON.parse(r.annotations),
    state: r.state,
    severity: r.severity,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    updatedAt: r.updated_at,
    generatorUrl: r.generator_url,
    silencedBy: JSON.parse(r.silenced_by),
    inhibitedBy: JSON.parse(r.inhibited_by),
    ackedBy: r.acked_by,
    ackedAt: r.acked_at,
    ackId: r.ack_id,
  };
}

export function createAlertRepo(db: DB) {
  const stmts = {
    list: db.prepare('SELECT * FROM alerts ORDER BY severity, starts_at DESC'),
    firstPage: db.prepare('SELECT * FROM alerts ORDER BY severity, starts_at DESC, fingerprint LIMIT ?'),
    nextPage: db.prepare(`SELECT * FROM alerts
      WHERE severity > @severity OR (severity = @severity AND (starts_at < @startsAt OR (starts_at = @startsAt AND fingerprint > @fingerprint)))
      ORDER BY severity, starts_at DESC, fingerprint LIMIT @limit`),
    total: db.prepare('SELECT COUNT(*) AS n FROM alerts'),
    get: db.prepare('SELECT * FROM alerts WHERE fingerprint = ?'),
    upsert: db.prepare(`INSERT INTO alerts (fingerprint, alertname, labels, annotations, state, severity, starts_at,
        ends_at, updated_at, generator_url, silenced_by, inhibited_by, acked_by, acked_at, ack_id, stored_at)
      VALUES (@fingerprint, @alertname, @labels, @annotations, @state, @severity, @startsAt, @endsAt, @updatedAt,
        @generatorUrl, @silencedBy, @inhibitedBy, @ackedBy, @ackedAt, @ackId, @storedAt)
      ON CONFLICT(fingerprint) DO UPDATE SET alertname = excluded.alertname, labels = excluded.labels,
        annotations = excluded.annotations, state = excluded.state, severity = excluded.severity,
        starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = excluded.updated_at,
        generator_url = excluded.generator_url, silenced_by = excluded.silenced_by,
        inhibited_by = excluded.inhibited_by, acked_by = excluded.acked_by, acked_at = excluded.acked_at,
        ack_id = excluded.ack_id, stored_at = excluded.stored_at`),
    remove: db.prepare('DELETE FROM alerts WHERE fingerprint = ?'),
    brief: db.prepare('SELECT state, severity, acked_by, silenced_by, inhibited_by, updated_at FROM alerts WHERE fingerprint = ?'),
    briefs: db.prepare('SELECT fingerprint, state, severity, acked_by, silenced_by, inhibited_by, updated_at FROM alerts'),
    clear: db.prepare('DELETE FROM alerts'),
    clearSilences: db.prepare('DELETE FROM silences'),
    counts: db.prepare(`SELECT severity, COUNT(*) AS total,
        SUM(CASE WHEN acked_by IS NULL AND silenced_by = '[]' AND inhibited_by = '[]' THEN 1 ELSE 0 END) AS unacked
      FROM alerts WHERE state = 'firing' GROUP BY severity`),
    removeSilence: db.prepare('DELETE FROM silences WHERE id = ?'),
    firingLabels: db.prepare("SELECT fingerprint, labels FROM alerts WHERE state = 'firing'"),
    event: db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES (?, ?, ?, ?)'),
    history: db.prepare('SELECT fingerprint, at, kind, detail FROM alert_events WHERE fingerprint = ? ORDER BY at DESC, id DESC LIMIT 200'),
    silences: db.prepare('SELECT * FROM silences ORDER BY ends_at DESC'),
    upsertSilence: db.prepare(`INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, state, updated_at)
      VALUES (@id, @matchers, @startsAt, @endsAt, @createdBy, @comment, @state, @updatedAt)
      ON CONFLICT(id) DO UPDATE SET matchers = excluded.matchers, starts_at = excluded.starts_at,
        ends_at = excluded.ends_at, created_by = excluded.created_by, comment = excluded.comment,
        state = excluded.state, updated_at = excluded.updated_at`),
  };

  return {
    list: (): Alert[] => (stmts.list.all() as AlertRow[]).map(rowToAlert),
    /** one page in the console's order (severity, newest first, fingerprint), after `cursor` */
    page(cursor: AlertPageCursor | null, limit: number): AlertPage {
      return db.transaction(() => {
        const rows = (cursor ? stmts.nextPage.all({ ...cursor, limit }) : stmts.firstPage.all(limit)) as AlertRow[];
        const alerts = rows.map(rowToAlert);
        const last = alerts.at(-1);
        const next = alerts.length === limit && last ? { severity: last.severity, startsAt: last.startsAt, fingerprint: last.fingerprint } : null;
        return { alerts, next, total: (stmts.total.get() as { n: number }).n };
      })();
    },
    get: (fp: string): Alert | null => {
      const r = stmts.get.get(fp) as AlertRow | undefined;
      return r ? rowToAlert(r) : null;
    },
    /**
     * Writes one alert; returns what changed ('new', 'state', 'update' or null when identical). Call inside
     * a transaction. `known` is the state the alert had before a snapshot emptied the table, so a snapshot
     * does not record every alert as new again in its history.
     */
    upsert(a: Alert, storedAt: number, known?: AlertBrief | null): 'new' | 'state' | 'update' | null {
      const prev = stmts.get.get(a.fingerprint) as AlertRow | undefined;
      const row = {
        ...a,
        labels: JSON.stringify(a.labels),
        annotations: JSON.stringify(a.annotations),
        silencedBy: JSON.stringify(a.silencedBy),
        inhibitedBy: JSON.stringify(a.inhibitedBy),
        storedAt,
      };
      let change: 'new' | 'state' | 'update' | null;
      if (!prev) change = !known ? 'new' : known.display !== displayState(a) ? 'state' : 'update';
      else if (
        prev.state !== a.state ||
        prev.acked_by !== a.ackedBy ||
        prev.silenced_by !== row.silencedBy ||
        prev.inhibited_by !== row.inhibitedBy
      )
        change = 'state';
      else if (prev.updated_at !== a.updatedAt || prev.annotations !== row.annotations || prev.labels !== row.labels) change = 'update';
      else change = null;
      if (change === null) return null;
      stmts.upsert.run(row);
      if (change !== 'update') {
        const kind = change === 'new' ? a.state : displayState(a);
        const detail = a.ackedBy ? `by ${a.ackedBy}` : '';
        stmts.event.run(a.fingerprint, a.updatedAt, kind, detail);
      }
      return change;
    },
    remove: (fp: string) => stmts.remove.run(fp).changes > 0,
    brief: (fp: string): AlertBrief | null => {
      const r = stmts.brief.get(fp) as BriefRow | undefined;
      return r ? toBrief(r) : null;
    },
    /** every alert's brief, then an empty table: what a snapshot starts from */
    takeAll(): Map<string, AlertBrief> {
      const out = new Map<string, AlertBrief>();
      for (const r of stmts.briefs.all() as (BriefRow & { fingerprint: string })[]) out.set(r.fingerprint, toBrief(r));
      stmts.clear.run();
      return out;
    },
    clearSilences: () => stmts.clearSilences.run(),
    /** fingerprint and labels of every firing alert (what a new silence would cover) */
    firingLabels: (): { fingerprint: string; labels: Record<string, string> }[] =>
      (stmts.firingLabels.all() as { fingerprint: string; labels: string }[]).map((r) => ({ fingerprint: r.fingerprint, labels: JSON.parse(r.labels) })),
    /** firing alerts per severity; "unacked" = firing and neither acked, silenced nor inhibited */
    counts(): AlertCounts {
      const out: AlertCounts = {
        bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, { total: 0, unacked: 0 }])) as AlertCounts['bySeverity'],
        unacked: 0,
        worstUnacked: null,
      };
      for (const r of stmts.counts.all() as { severity: Severity; total: number; unacked: number }[]) {
        out.bySeverity[r.severity] = { total: r.total, unacked: r.unacked };
        out.unacked += r.unacked;
        if (r.unacked > 0 && (out.worstUnacked === null || severityRank(r.severity) < severityRank(out.worstUnacked))) out.worstUnacked = r.severity;
      }
      return out;
    },
    recordEvent: (fp: string, at: number, kind: string, detail = '') => stmts.event.run(fp, at, kind, detail),
    history: (fp: string): AlertEvent[] => stmts.history.all(fp) as AlertEvent[],
    silences: (): Silence[] =>
      (stmts.silences.all() as Record<string, unknown>[]).map((r) => ({
        id: r.id as string,
        matchers: JSON.parse(r.matchers as string),
        startsAt: r.starts_at as number,
        endsAt: r.ends_at as number,
        createdBy: r.created_by as string,
        comment: r.comment as string,
        state: r.state as Silence['state'],
        updatedAt: r.updated_at as number,
      })),
    upsertSilence: (s: Silence) => stmts.upsertSilence.run({ ...s, matchers: JSON.stringify(s.matchers) }),
    removeSilence: (id: string) => stmts.removeSilence.run(id).changes > 0,
  };
}
export type AlertRepo = ReturnType<typeof createAlertRepo>;
