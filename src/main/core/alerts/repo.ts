/** Alert rows in SQLite. Upserts are keyed by fingerprint (dedup); each change is recorded in alert_events. */
import type { AlertEventParams } from '@shared/alert-history';
import { displayState, type Alert, type AlertDisplayState, type AlertEvent, type Silence } from '@shared/alerts';
import type { AlertCounts, AlertPage, AlertPageCursor } from '@shared/contract/alerts';
import { SEVERITIES, severityRank, type Severity } from '@shared/domain';
import { labelsOf } from '@shared/matchers';
import type { DB } from '@node/sqlite';

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
  cluster: string | null;
  ack_expires_at: number | null;
  ack_extensions: number;
  ack_auto_extend: number;
}

type BriefRow = Pick<AlertRow, 'state' | 'severity' | 'acked_by' | 'silenced_by' | 'inhibited_by' | 'updated_at'>;
const toBrief = (r: BriefRow): AlertBrief => ({
  state: r.state,
  severity: r.severity,
  display: displayState({ state: r.state, ackedBy: r.acked_by, silencedBy: JSON.parse(r.silenced_by), inhibitedBy: JSON.parse(r.inhibited_by) }),
  updatedAt: r.updated_at,
});

/** a history entry's stored parameters (a JSON object of strings), or null */
function parseParams(v: string | null): Record<string, string> | null {
  if (!v) return null;
  try {
    const p: unknown = JSON.parse(v);
    return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, string>) : null;
  } catch {
    return null;
  }
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
    // the fields added after protocol v1 are present only when the platform sent them
    ...(r.cluster !== null ? { cluster: r.cluster } : {}),
    ...(r.ack_expires_at !== null ? { ackExpiresAt: r.ack_expires_at, ackExtensions: r.ack_extensions, ackAutoExtend: r.ack_auto_extend === 1 } : {}),
  };
}

/** the alerts columns, in the order the positional upsert statements bind them */
export const COLUMNS = [
  'fingerprint', 'alertname', 'labels', 'annotations', 'state', 'severity', 'starts_at', 'ends_at', 'updated_at',
  'generator_url', 'silenced_by', 'inhibited_by', 'acked_by', 'acked_at', 'ack_id', 'stored_at',
  'cluster', 'ack_expires_at', 'ack_extensions', 'ack_auto_extend',
] as const;

/** an upsert of `rows` alerts in one statement (a later duplicate in the same statement wins, as it would one by one) */
export const upsertSql = (rows: number) => `INSERT INTO alerts (${COLUMNS.join(', ')})
  VALUES ${Array.from({ length: rows }, () => `(${COLUMNS.map(() => '?').join(', ')})`).join(', ')}
  ON CONFLICT(fingerprint) DO UPDATE SET ${COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;
export const eventsSql = (rows: number) =>
  `INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')}`;

/** nearly every alert is neither silenced nor inhibited: skip stringifying two empty lists per alert */
const jsonList = (xs: readonly string[]) => (xs.length ? JSON.stringify(xs) : '[]');

/** Appends an alert's values, in COLUMNS order, to `out` (a snapshot binds many alerts' values in one array). */
export function encode(a: Alert, storedAt: number, out: unknown[] = []): unknown[] {
  out.push(a.fingerprint, a.alertname, JSON.stringify(a.labels), JSON.stringify(a.annotations), a.state, a.severity, a.startsAt,
    a.endsAt, a.updatedAt, a.generatorUrl, jsonList(a.silencedBy), jsonList(a.inhibitedBy), a.ackedBy, a.ackedAt, a.ackId, storedAt,
    a.cluster ?? null, a.ackExpiresAt ?? null, a.ackExtensions ?? 0, a.ackAutoExtend ? 1 : 0);
  return out;
}

export type AlertChange = 'new' | 'state' | 'update';

/** SQL over an `alerts a` row: no "firing" history entry was recorded for its current episode */
export const NO_FIRING_ENTRY = `NOT EXISTS (SELECT 1 FROM alert_events e WHERE e.fingerprint = a.fingerprint AND e.kind = 'firing' AND e.at >= a.starts_at)`;

/** what an alert with no stored row changes, given its brief from before a snapshot emptied the table (if any) */
export const changeSince = (a: Alert, known: AlertBrief | null | undefined): AlertChange =>
  !known ? 'new' : known.display !== displayState(a) ? 'state' : 'update';

/** the history entry a change writes (a mere update writes none): [fingerprint, at, kind, detail] */
export function historyOf(a: Alert, change: AlertChange): [string, number, string, string] | null {
  if (change === 'update') return null;
  return [a.fingerprint, a.updatedAt, change === 'new' ? a.state : displayState(a), a.ackedBy ? `by ${a.ackedBy}` : ''];
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
    upsert: db.prepare(upsertSql(1)),
    remove: db.prepare('DELETE FROM alerts WHERE fingerprint = ?'),
    brief: db.prepare('SELECT state, severity, acked_by, silenced_by, inhibited_by, updated_at FROM alerts WHERE fingerprint = ?'),
    briefs: db.prepare('SELECT fingerprint, state, severity, acked_by, silenced_by, inhibited_by, updated_at FROM alerts'),
    clear: db.prepare('DELETE FROM alerts'),
    clearSilences: db.prepare('DELETE FROM silences'),
    counts: db.prepare(`SELECT severity, COUNT(*) AS total,
        SUM(CASE WHEN acked_by IS NULL AND silenced_by = '[]' AND inhibited_by = '[]' THEN 1 ELSE 0 END) AS unacked
      FROM alerts WHERE state = 'firing' GROUP BY severity`),
    removeSilence: db.prepare('DELETE FROM silences WHERE id = ?'),
    firingLabels: db.prepare("SELECT fingerprint, labels, cluster FROM alerts WHERE state = 'firing'"),
    event: db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES (?, ?, ?, ?)'),
    eventWithParams: db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail, params) VALUES (?, ?, ?, ?, ?)'),
    // An alert first seen in a snapshot has no "firing" entry (see bulk.ts); its start is known all the same,
    // so history shows one at startsAt unless a firing entry of this episode was recorded.
    history: db.prepare(`SELECT fingerprint, at, kind, detail, params FROM (
        SELECT fingerprint, at, kind, detail, params, id FROM alert_events WHERE fingerprint = @fp
        UNION ALL
        SELECT a.fingerprint, a.starts_at, 'firing', '', NULL, 0 FROM alerts a WHERE a.fingerprint = @fp AND ${NO_FIRING_ENTRY}
      ) ORDER BY at DESC, id DESC LIMIT 200`),
    pruneOld: db.prepare('DELETE FROM alert_events WHERE at < ?'),
    pruneGone: db.prepare(
      'DELETE FROM alert_events WHERE at < ? AND fingerprint NOT IN (SELECT fingerprint FROM alerts)',
    ),
    silences: db.prepare('SELECT * FROM silences ORDER BY ends_at DESC'),
    upsertSilence: db.prepare(`INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, state, updated_at, cluster)
      VALUES (@id, @matchers, @startsAt, @endsAt, @createdBy, @comment, @state, @updatedAt, @cluster)
      ON CONFLICT(id) DO UPDATE SET matchers = excluded.matchers, starts_at = excluded.starts_at,
        ends_at = excluded.ends_at, created_by = excluded.created_by, comment = excluded.comment,
        state = excluded.state, updated_at = excluded.updated_at, cluster = excluded.cluster`),
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
    upsert(a: Alert, storedAt: number, known?: AlertBrief | null): AlertChange | null {
      const prev = stmts.get.get(a.fingerprint) as AlertRow | undefined;
      const values = encode(a, storedAt);
      const v = (c: (typeof COLUMNS)[number]) => values[COLUMNS.indexOf(c)];
      let change: AlertChange | null;
      if (!prev) change = changeSince(a, known);
      else if (
        prev.state !== a.state ||
        prev.acked_by !== a.ackedBy ||
        prev.silenced_by !== v('silenced_by') ||
        prev.inhibited_by !== v('inhibited_by')
      )
        change = 'state';
      else if (
        prev.updated_at !== a.updatedAt ||
        prev.annotations !== v('annotations') ||
        prev.labels !== v('labels') ||
        prev.cluster !== v('cluster') ||
        prev.ack_expires_at !== v('ack_expires_at') ||
        prev.ack_extensions !== v('ack_extensions') ||
        prev.ack_auto_extend !== v('ack_auto_extend')
      )
        change = 'update';
      else change = null;
      if (change === null) return null;
      stmts.upsert.run(values);
      // a state field moved but what the console shows did not (e.g. the ack's own silence joins silencedBy a
      // poll after the ack): no second "acked" line in the history
      const entry = change === 'state' && prev && toBrief(prev).display === displayState(a) ? null : historyOf(a, change);
      if (entry) stmts.event.run(entry);
      return change;
    },
    remove: (fp: string) => stmts.remove.run(fp).changes > 0,
    brief: (fp: string): AlertBrief | null => {
      const r = stmts.brief.get(fp) as BriefRow | undefined;
      return r ? toBrief(r) : null;
    },
    /** every alert's brief, by fingerprint */
    briefs(): Map<string, AlertBrief> {
      const out = new Map<string, AlertBrief>();
      for (const r of stmts.briefs.all() as (BriefRow & { fingerprint: string })[]) out.set(r.fingerprint, toBrief(r));
      return out;
    },
    /** every alert's brief, then an empty table: what a snapshot starts from */
    takeAll(): Map<string, AlertBrief> {
      const out = this.briefs();
      stmts.clear.run();
      return out;
    },
    clearSilences: () => stmts.clearSilences.run(),
    /** fingerprint and labels of every firing alert, with @cluster for an alert of a cluster (what a new silence would cover) */
    firingLabels: (): { fingerprint: string; labels: Record<string, string> }[] =>
      (stmts.firingLabels.all() as { fingerprint: string; labels: string; cluster: string | null }[]).map((r) => ({
        fingerprint: r.fingerprint,
        labels: labelsOf({ labels: JSON.parse(r.labels) as Record<string, string>, cluster: r.cluster }),
      })),
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
    /** one history entry; `params` are what it reads from in other languages (@shared/alert-history) */
    recordEvent: (fp: string, at: number, kind: string, detail = '', params: AlertEventParams | null = null) =>
      params ? stmts.eventWithParams.run(fp, at, kind, detail, JSON.stringify(params)) : stmts.event.run(fp, at, kind, detail),
    history: (fp: string): AlertEvent[] =>
      (stmts.history.all({ fp }) as (Omit<AlertEvent, 'params'> & { params: string | null })[]).map(({ params, ...e }) => {
        const p = parseParams(params);
        return p ? { ...e, params: p } : e;
      }),
    /**
     * Keeps the history bounded: rows older than `keepMs`, and rows of alerts no longer cached that are older
     * than `goneMs`, are deleted. Returns how many rows went.
     */
    pruneHistory(now: number, keepMs: number, goneMs: number): number {
      return db.transaction(() => stmts.pruneOld.run(now - keepMs).changes + stmts.pruneGone.run(now - goneMs).changes)();
    },
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
        ...(typeof r.cluster === 'string' ? { cluster: r.cluster } : {}),
      })),
    upsertSilence: (s: Silence) => stmts.upsertSilence.run({ ...s, matchers: JSON.stringify(s.matchers), cluster: s.cluster ?? null }),
    removeSilence: (id: string) => stmts.removeSilence.run(id).changes > 0,
  };
}
export type AlertRepo = ReturnType<typeof createAlertRepo>;
