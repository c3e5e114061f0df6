/** Alert rows in SQLite. Upserts are keyed by fingerprint (dedup); each change is recorded in alert_events. */
import type { AlertEventParams } from '@shared/alert-history';
import { displayState, type Alert, type AlertDisplayState, type AlertEvent, type Silence } from '@shared/alerts';
import type { AlertCounts, AlertPage, AlertPageCursor } from '@shared/contract/alerts';
import { SEVERITIES, severityRank, type Severity } from '@shared/domain';
import { labelsOf } from '@shared/matchers';
import type { DB } from '@node/sqlite';
import { createAlertPages } from './pages';
import { summaryOf } from './summary';

/** a firing urgent alert the notification policy is seeded with at start-up (openUrgentIn) */
export interface SeedAlert {
  fingerprint: string;
  alertname: string;
  service: string | null;
  cluster: string | null;
  severity: Severity;
  startsAt: number;
}

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
  display: displayState({
    state: r.state,
    ackedBy: r.acked_by,
    silencedBy: r.silenced_by === '[]' ? [] : JSON.parse(r.silenced_by),
    inhibitedBy: r.inhibited_by === '[]' ? [] : JSON.parse(r.inhibited_by),
  }),
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

/** the columns no index holds: an update that changes only these leaves the indexes alone */
const CONTENT_COLUMNS = ['alertname', 'labels', 'annotations', 'ends_at', 'updated_at', 'generator_url', 'acked_at', 'ack_id', 'stored_at',
  'cluster', 'ack_expires_at', 'ack_extensions', 'ack_auto_extend'] as const;
const col = (c: (typeof COLUMNS)[number]) => COLUMNS.indexOf(c);
const [LABELS, ANNOTATIONS, SILENCED, INHIBITED] = [col('labels'), col('annotations'), col('silenced_by'), col('inhibited_by')];
const CONTENT_AT = CONTENT_COLUMNS.map(col);
/** encode()'s values for updateContent: the content columns, then the fingerprint */
const contentValues = (v: unknown[]) => [...CONTENT_AT.map((i) => v[i]), v[0]];
/** encode()'s values for updateAll: every column but the fingerprint, then the fingerprint */
const allValues = (v: unknown[]) => [...v.slice(1), v[0]];

/** a row to write: encode()'s values; inserted (no row yet), its content columns only, or every column */
interface Held {
  values: unknown[];
  insert: boolean;
  content: boolean;
}
const [STATE, SEVERITY, ACKED, UPDATED, STARTS] = [col('state'), col('severity'), col('acked_by'), col('updated_at'), col('starts_at')];
/** the columns after protocol v1 (cluster, ack expiry): a change in any of them is an 'update' */
const LATER = (['cluster', 'ack_expires_at', 'ack_extensions', 'ack_auto_extend'] as const).map(col);
/** the PrevRow of a row not written yet (from its encode()'d values) */
const prevOf = (v: unknown[]) =>
  [v[STATE], v[SEVERITY], v[ACKED], v[SILENCED], v[INHIBITED], v[UPDATED], v[ANNOTATIONS], v[LABELS], v[STARTS], ...LATER.map((i) => v[i])] as PrevRow;

/** state, severity, acked_by, silenced_by, inhibited_by, updated_at, annotations, labels, starts_at, then LATER's columns */
type PrevRow = [Alert['state'], Severity, string | null, string, string, number, string, string, number, ...unknown[]];
/** a LATER column of the row before differs from the values to write */
const laterChanged = (p: PrevRow, v: unknown[]) => LATER.some((i, k) => p[9 + k] !== v[i]);
const briefOfPrev = (p: PrevRow): AlertBrief =>
  toBrief({ state: p[0], severity: p[1], acked_by: p[2], silenced_by: p[3], inhibited_by: p[4], updated_at: p[5] });

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

/** history rows per prune slice: a few ms each */
export const HISTORY_SLICE_IDS = 5000;

/**
 * How the repo writes one alert: it reads the row it compares with once (as an array), writes only what
 * changed (the content columns alone when no indexed column changed) and, asked to, holds the row back
 * until writeHeld() so an alert updated five times in one batch is written once (its history still gets
 * every change).
 */
function createAlertWriter(db: DB) {
  const stmts = {
    upsert: db.prepare(upsertSql(1)),
    // what an upsert compares (PrevRow), as an array
    prev: db
      .prepare(`SELECT state, severity, acked_by, silenced_by, inhibited_by, updated_at, annotations, labels, starts_at,
        cluster, ack_expires_at, ack_extensions, ack_auto_extend FROM alerts WHERE fingerprint = ?`)
      .raw(true),
    updateAll: db.prepare(`UPDATE alerts SET ${COLUMNS.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE fingerprint = ?`),
    updateContent: db.prepare(`UPDATE alerts SET ${CONTENT_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE fingerprint = ?`),
    event: db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES (?, ?, ?, ?)'),
  };
  /** the rows held back until writeHeld(): the last values per fingerprint in the batch */
  const held = new Map<string, Held>();
  const writeRow = (w: Held) => {
    if (w.insert) stmts.upsert.run(w.values);
    else if (w.content) stmts.updateContent.run(contentValues(w.values));
    else stmts.updateAll.run(allValues(w.values));
  };
  return {
    /**
     * Writes one alert; returns what changed ('new', 'state', 'update' or null when identical). Call inside
     * a transaction. `known` is the state the alert had before a snapshot emptied the table, so a snapshot
     * does not record every alert as new again in its history. `before` is told the brief the alert had
     * (the first time in a batch); with `hold` the row is written by writeHeld() (same transaction).
     */
    upsert(a: Alert, storedAt: number, known?: AlertBrief | null, before?: (brief: AlertBrief | null) => void, hold = false): AlertChange | null {
      const fp = a.fingerprint;
      const h = held.get(fp);
      // what the alert is now: the row held back in this batch, else the stored one
      const prev = h ? prevOf(h.values) : (stmts.prev.get(fp) as PrevRow | undefined);
      if (!h) before?.(prev ? briefOfPrev(prev) : null);
      const values = encode(a, storedAt);
      let change: AlertChange | null;
      let content = false;
      if (!prev) change = changeSince(a, known);
      else {
        const [state, severity, ackedBy, silencedBy, inhibitedBy, updatedAt, annotations, labels, startsAt] = prev;
        if (state !== a.state || ackedBy !== a.ackedBy || silencedBy !== values[SILENCED] || inhibitedBy !== values[INHIBITED]) change = 'state';
        else if (updatedAt !== a.updatedAt || annotations !== values[ANNOTATIONS] || labels !== values[LABELS] || laterChanged(prev, values))
          change = 'update';
        else change = null;
        // an update that leaves every indexed column as it was rewrites the row only, not the indexes
        content = change === 'update' && severity === a.severity && startsAt === a.startsAt;
      }
      if (change === null) return null;
      const write: Held = { values, insert: h ? h.insert : !prev, content: (h ? h.content : true) && content };
      if (hold) held.set(fp, write);
      else writeRow(write);
      // a state field moved but what the console shows did not (e.g. the ack's own silence joins silencedBy a
      // poll after the ack): no second "acked" line in the history
      const entry = change === 'state' && prev && briefOfPrev(prev).display === displayState(a) ? null : historyOf(a, change);
      if (entry) stmts.event.run(entry);
      return change;
    },
    /** writes the rows upsert(…, hold) held back (call inside the same transaction) */
    writeHeld(): void {
      for (const h of held.values()) writeRow(h);
      held.clear();
    },
    /** forgets the rows held back (their transaction rolled back) */
    dropHeld(): void {
      held.clear();
    },
    /** writes the row held back for `fp`, if any (before a statement that reads or removes it) */
    writeHeldOf(fp: string): void {
      const h = held.get(fp);
      if (!h) return;
      writeRow(h);
      held.delete(fp);
    },
  };
}

export function createAlertRepo(db: DB) {
  const stmts = {
    list: db.prepare('SELECT * FROM alerts ORDER BY severity, starts_at DESC'),
    get: db.prepare('SELECT * FROM alerts WHERE fingerprint = ?'),
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
    // a range of rowids: a bounded piece of a table scan, no sort, no index lookups
    openUrgent: db.prepare(`SELECT fingerprint, alertname, json_extract(labels, '$.service') AS service, cluster, severity, starts_at FROM alerts
      WHERE rowid > ? AND rowid <= ? AND state = 'firing' AND severity IN ('P0', 'P1') AND acked_by IS NULL AND silenced_by = '[]' AND inhibited_by = '[]'`),
    maxRowid: db.prepare('SELECT max(rowid) AS n FROM alerts'),
    summary: db.prepare('SELECT fingerprint, labels, annotations FROM alerts WHERE fingerprint = ?'),
    event: db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail) VALUES (?, ?, ?, ?)'),
    eventWithParams: db.prepare('INSERT INTO alert_events (fingerprint, at, kind, detail, params) VALUES (?, ?, ?, ?, ?)'),
    // An alert first seen in a snapshot has no "firing" entry (see bulk.ts); its start is known all the same,
    // so history shows one at startsAt unless a firing entry of this episode was recorded.
    history: db.prepare(`SELECT fingerprint, at, kind, detail, params FROM (
        SELECT fingerprint, at, kind, detail, params, id FROM alert_events WHERE fingerprint = @fp
        UNION ALL
        SELECT a.fingerprint, a.starts_at, 'firing', '', NULL, 0 FROM alerts a WHERE a.fingerprint = @fp AND ${NO_FIRING_ENTRY}
      ) ORDER BY at DESC, id DESC LIMIT 200`),
    // by ranges of ids, so a prune can run in slices (a scan of 100k history rows takes ~100 ms)
    pruneOld: db.prepare('DELETE FROM alert_events WHERE id > ? AND id <= ? AND at < ?'),
    pruneGone: db.prepare(
      'DELETE FROM alert_events WHERE id > ? AND id <= ? AND at < ? AND fingerprint NOT IN (SELECT fingerprint FROM alerts)',
    ),
    maxEventId: db.prepare('SELECT max(id) AS n FROM alert_events'),
    silences: db.prepare('SELECT * FROM silences ORDER BY ends_at DESC'),
    upsertSilence: db.prepare(`INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, state, updated_at, cluster)
      VALUES (@id, @matchers, @startsAt, @endsAt, @createdBy, @comment, @state, @updatedAt, @cluster)
      ON CONFLICT(id) DO UPDATE SET matchers = excluded.matchers, starts_at = excluded.starts_at,
        ends_at = excluded.ends_at, created_by = excluded.created_by, comment = excluded.comment,
        state = excluded.state, updated_at = excluded.updated_at, cluster = excluded.cluster`),
  };

  const pages = createAlertPages(db);
  const writer = createAlertWriter(db);
  return {
    list: (): Alert[] => (stmts.list.all() as AlertRow[]).map(rowToAlert),
    /** one page in the console's order (severity, newest first, fingerprint), after `cursor` (pages.ts) */
    page: (cursor: AlertPageCursor | null, limit: number): AlertPage => pages.pageOf(cursor, limit),
    /** the same page as JSON text, for a transport that sends JSON; null: use page() (pages.ts) */
    pageJson: (cursor: AlertPageCursor | null, limit: number): string | null => pages.pageJson(cursor, limit),
    get: (fp: string): Alert | null => {
      const r = stmts.get.get(fp) as AlertRow | undefined;
      return r ? rowToAlert(r) : null;
    },
    /** writes one alert, at once or held back until writeHeld() (createAlertWriter) */
    upsert: writer.upsert,
    writeHeld: writer.writeHeld,
    dropHeld: writer.dropHeld,
    writeHeldOf: writer.writeHeldOf,
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
    /** the highest rowid of the alerts table (0 when empty): where a scan in slices ends */
    maxRowid: (): number => (stmts.maxRowid.get() as { n: number | null }).n ?? 0,
    /**
     * The open urgent alerts (firing, P0/P1, neither acked, silenced nor inhibited) with a rowid in
     * (`after`, `upTo`]: one bounded slice of what the notification policy tracks at start-up.
     */
    openUrgentIn(after: number, upTo: number): SeedAlert[] {
      const rows = stmts.openUrgent.all(after, upTo) as { fingerprint: string; alertname: string; service: unknown; cluster: string | null; severity: Severity; starts_at: number }[];
      return rows.map((r) => ({
        fingerprint: r.fingerprint,
        alertname: r.alertname,
        // labels are strings; json_extract gives SQL NULL for a missing one
        service: typeof r.service === 'string' ? r.service : null,
        cluster: r.cluster,
        severity: r.severity,
        startsAt: r.starts_at,
      }));
    },
    /** an alert's notification summary line, or null when it is not cached */
    summary(fp: string): string | null {
      const r = stmts.summary.get(fp) as { fingerprint: string; labels: string; annotations: string } | undefined;
      return r ? summaryOf({ fingerprint: r.fingerprint, labels: JSON.parse(r.labels), annotations: JSON.parse(r.annotations) }) : null;
    },
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
      let removed = 0;
      for (const n of this.pruneHistorySlices(now, keepMs, goneMs)) removed += n;
      return removed;
    },
    /** pruneHistory in slices of HISTORY_SLICE_IDS history rows: yields how many rows each slice deleted */
    *pruneHistorySlices(now: number, keepMs: number, goneMs: number): Generator<number> {
      const end = (stmts.maxEventId.get() as { n: number | null }).n ?? 0;
      for (let from = 0; from < end; from += HISTORY_SLICE_IDS) {
        const to = from + HISTORY_SLICE_IDS;
        yield db.transaction(() => stmts.pruneOld.run(from, to, now - keepMs).changes + stmts.pruneGone.run(from, to, now - goneMs).changes)();
      }
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
