/** Alert rows in SQLite. Upserts are keyed by fingerprint (dedup); each change is recorded in alert_events. */
import type { Alert, AlertEvent, Silence } from '../../../shared/alerts';
import type { DB } from '../store/db';

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
    get: (fp: string): Alert | null => {
      const r = stmts.get.get(fp) as AlertRow | undefined;
      return r ? rowToAlert(r) : null;
    },
    /** Writes one alert; returns what changed ('new', 'state', 'update' or null when identical). Call inside a transaction. */
    upsert(a: Alert, storedAt: number): 'new' | 'state' | 'update' | null {
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
      if (!prev) change = 'new';
      else if (prev.state !== a.state || prev.acked_by !== a.ackedBy || prev.silenced_by !== row.silencedBy) change = 'state';
      else if (prev.updated_at !== a.updatedAt || prev.annotations !== row.annotations || prev.labels !== row.labels) change = 'update';
      else change = null;
      if (change === null) return null;
      stmts.upsert.run(row);
      if (change !== 'update') {
        const kind = change === 'new' ? a.state : a.state === 'resolved' ? 'resolved' : a.ackedBy ? 'acked' : a.silencedBy.length ? 'silenced' : 'firing';
        const detail = a.ackedBy ? `by ${a.ackedBy}` : '';
        stmts.event.run(a.fingerprint, a.updatedAt, kind, detail);
      }
      return change;
    },
    remove: (fp: string) => stmts.remove.run(fp).changes > 0,
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
  };
}
export type AlertRepo = ReturnType<typeof createAlertRepo>;
