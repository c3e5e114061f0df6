/**
 * What the escalation engine escalates: unacked firing alerts and open, unanswered incidents. Read
 * straight from the tables of migration 001 (owned by the alert and process modules) through a few
 * prepared statements; this module never writes them.
 */
import { normalizeSeverity, SEVERITIES, type Severity } from '@shared/domain';
import type { EscalationSubjectKind } from '@shared/roster';
import { parseJson } from '@shared/json';
import type { DB } from '@node/sqlite';

export interface Subject {
  kind: EscalationSubjectKind;
  id: string;
  title: string;
  severity: Severity;
  labels: Record<string, string>;
  /** when it began (alert startsAt, incident declaredAt) */
  since: number;
  /** null while it still needs someone; otherwise why the ladder stops */
  settled: 'acked' | 'resolved' | 'silenced' | 'gone' | null;
}

interface AlertRow {
  fingerprint: string;
  alertname: string;
  labels: string;
  state: string;
  severity: string;
  starts_at: number;
  acked_by: string | null;
  silenced_by: string;
  inhibited_by: string;
  /** 1 when an ack for this alert is still on its way to the platform (outbox pending or sent) */
  ack_in_flight: number;
}

interface IncidentRow {
  id: string;
  title: string;
  severity: string;
  declared_at: number;
  responded_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  alert_fingerprints: string;
}

function alertSubject(r: AlertRow): Subject {
  const silenced =
    (parseJson<string[]>(r.silenced_by).value ?? []).length > 0 ||
    (parseJson<string[]>(r.inhibited_by).value ?? []).length > 0;
  return {
    kind: 'alert',
    id: r.fingerprint,
    title: r.alertname,
    severity: normalizeSeverity(r.severity),
    labels: parseJson<Record<string, string>>(r.labels).value ?? {},
    since: r.starts_at,
    // an ack the engineer gave is an ack, even before the platform echoes it back
    settled: r.state === 'resolved' ? 'resolved' : r.acked_by || r.ack_in_flight ? 'acked' : silenced ? 'silenced' : null,
  };
}

export function createSubjectReader(db: DB) {
  const inFlight = `EXISTS (SELECT 1 FROM outbox o WHERE o.state IN ('pending', 'sent') AND o.type = 'alert.ack'
      AND json_extract(o.payload, '$.fingerprint') = alerts.fingerprint) AS ack_in_flight`;
  const s = {
    alert: db.prepare(`SELECT fingerprint, alertname, labels, state, severity, starts_at, acked_by, silenced_by, inhibited_by, ${inFlight}
      FROM alerts WHERE fingerprint = ?`),
    // alerts_open(state, severity, acked_by, …) serves this; the severity list bounds it to what some policy covers
    firingAt: db.prepare(`SELECT fingerprint, alertname, labels, state, severity, starts_at, acked_by, silenced_by, inhibited_by, ${inFlight}
      FROM alerts WHERE state = 'firing' AND acked_by IS NULL AND severity IN (SELECT value FROM json_each(?))`),
    incident: db.prepare('SELECT id, title, severity, declared_at, responded_at, resolved_at, closed_at, alert_fingerprints FROM incidents WHERE id = ?'),
    openIncidents: db.prepare(`SELECT id, title, severity, declared_at, responded_at, resolved_at, closed_at, alert_fingerprints
      FROM incidents WHERE resolved_at IS NULL AND closed_at IS NULL AND responded_at IS NULL`),
    labels: db.prepare('SELECT labels FROM alerts WHERE fingerprint = ?'),
  };

  function incidentSubject(r: IncidentRow): Subject {
    // An incident has no labels of its own: it takes the team/service of the first alert it groups.
    let labels: Record<string, string> = {};
    for (const fp of parseJson<string[]>(r.alert_fingerprints).value ?? []) {
      const row = s.labels.get(fp) as { labels: string } | undefined;
      if (row) {
        labels = parseJson<Record<string, string>>(row.labels).value ?? {};
        break;
      }
    }
    return {
      kind: 'incident',
      id: r.id,
      title: r.title,
      severity: normalizeSeverity(r.severity),
      labels,
      since: r.declared_at,
      settled: r.resolved_at !== null || r.closed_at !== null ? 'resolved' : r.responded_at !== null ? 'acked' : null,
    };
  }

  return {
    /** subjects that need someone now, at or above `minSeverity` */
    open(minSeverity: Severity): Subject[] {
      const sevs = SEVERITIES.slice(0, SEVERITIES.indexOf(minSeverity) + 1);
      const alerts = (s.firingAt.all(JSON.stringify(sevs)) as AlertRow[]).map(alertSubject).filter((a) => a.settled === null);
      const incidents = (s.openIncidents.all() as IncidentRow[]).map(incidentSubject).filter((i) => sevs.includes(i.severity));
      return [...alerts, ...incidents];
    },
    get(kind: EscalationSubjectKind, id: string): Subject | null {
      if (kind === 'alert') {
        const r = s.alert.get(id) as AlertRow | undefined;
        return r ? alertSubject(r) : null;
      }
      const r = s.incident.get(id) as IncidentRow | undefined;
      return r ? incidentSubject(r) : null;
    },
  };
}
export type SubjectReader = ReturnType<typeof createSubjectReader>;
