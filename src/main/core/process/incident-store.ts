/**
 * Incident rows in SQLite: reading and writing the record, with the two alarm marks (when the response
 * and resolution reminders rang) kept beside it, and the reads the war-room needs (open, frozen, unsent).
 */
import type { Severity } from '@shared/domain';
import type { Incident, Review } from '@shared/incidents';
import { parseJson } from '@shared/json';
import type { DB } from '@node/sqlite';
import { newId } from './util';

export type IncidentRow = {
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

/** When each reminder rang (null: not yet, or reset by a change of severity). */
export interface Alarms {
  respond: number | null;
  resolve: number | null;
}

export const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  title: r.title,
  severity: r.severity,
  proposedSeverity: r.proposed_severity,
  triage: parseJson<Incident['triage']>(r.triage).value ?? null,
  status: r.status,
  changeFreeze: r.change_freeze === 1,
  roles: parseJson<Incident['roles']>(r.roles).value ?? { commander: null, techLead: null, comms: null, onCall: null },
  fingerprints: parseJson<string[]>(r.alert_fingerprints).value ?? [],
  impact: r.impact,
  declaredBy: r.declared_by,
  declaredAt: r.declared_at,
  respondedAt: r.responded_at,
  resolvedAt: r.resolved_at,
  closedAt: r.closed_at,
  review: parseJson<Review>(r.review).value ?? null,
  postmortem: r.postmortem,
  updatedAt: r.updated_at,
});

export const alarmsOf = (r: Pick<IncidentRow, 'respond_alarm_at' | 'resolve_alarm_at'>): Alarms => ({ respond: r.respond_alarm_at, resolve: r.resolve_alarm_at });

export interface FrozenIncident {
  id: string;
  title: string;
  severity: Severity;
  declaredAt: number;
}

export function createIncidentStore(db: DB) {
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
    setAlarm: db.prepare('UPDATE incidents SET respond_alarm_at = COALESCE(?, respond_alarm_at), resolve_alarm_at = COALESCE(?, resolve_alarm_at) WHERE id = ?'),
    unsent: db.prepare(`SELECT 1 FROM outbox WHERE state IN ('pending', 'sent') AND type LIKE 'incident.%'
      AND json_valid(payload) AND json_extract(payload, '$.incidentId') = ? LIMIT 1`),
  };

  return {
    load(id: string): { inc: Incident; row: IncidentRow } | null {
      const row = s.get.get(id) as IncidentRow | undefined;
      return row ? { inc: toIncident(row), row } : null;
    },
    write(inc: Incident, alarms: Alarms): void {
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
    },
    /** marks the reminder that rang at `now` (the other one is left as it is) */
    markAlarm(id: string, which: keyof Alarms, now: number): void {
      s.setAlarm.run(which === 'respond' ? now : null, which === 'resolve' ? now : null, id);
    },
    list: (open: boolean): Incident[] => (s.list.all({ open: open ? 1 : 0 }) as IncidentRow[]).map(toIncident),
    openRows: (): IncidentRow[] => s.open.all() as IncidentRow[],
    frozen: (): FrozenIncident[] =>
      (s.frozen.all() as { id: string; title: string; severity: Severity; declared_at: number }[]).map((r) => ({
        id: r.id,
        title: r.title,
        severity: r.severity,
        declaredAt: r.declared_at,
      })),
    /** whether changes to the incident made here still wait in the outbox */
    hasUnsent: (id: string): boolean => !!s.unsent.get(id),
    /** "INC-20260105-7F3A": the day of `now` and four characters of a fresh id, unused so far */
    newIncidentId(ctx: Parameters<typeof newId>[0], now: number): string {
      const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
      for (;;) {
        const id = `INC-${day}-${newId(ctx).replace(/-/g, '').slice(-4).toUpperCase()}`;
        if (!s.get.get(id)) return id;
      }
    },
  };
}
export type IncidentStore = ReturnType<typeof createIncidentStore>;
