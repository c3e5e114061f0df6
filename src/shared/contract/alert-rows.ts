/**
 * The browser host's wire form of an alert page. alertsPage is answered there as JSON text the core's
 * SQLite writes (src/main/core/alerts/pages.ts), and the page's cost of a 100k-alert load is its bytes:
 * receiving a 4 MB WebSocket message costs Chromium's main thread several times its JSON.parse
 * (docs/performance.md, round four). So each alert travels as an array in a fixed column order instead of
 * an object repeating fifteen key names: 35–40 % fewer bytes. The renderer's transport turns the rows back
 * into the AlertPage the contract declares (pageFromWire), so no view ever sees this form; the object
 * path (Electron's IPC, `dispatch`) answers AlertPage itself.
 *
 * A row is [fingerprint, alertname, labels, annotations, state, severity, startsAt, endsAt, updatedAt,
 * generatorUrl, silencedBy, inhibitedBy, ackedBy, ackedAt, ackId] — 15 columns for an alert with no field
 * added after protocol v1 — then, when it has any, [cluster, ackExpiresAt, ackExtensions, ackAutoExtend]
 * (null for an absent one: an absent cluster, or no ack expiry and then none of the three), then, when
 * something was cut, the `cut` object (alert-view.ts).
 *
 * pageFromWire is total: a malformed page or row gives null, never a throw.
 */
import { SEVERITIES } from '../domain';
import type { Alert } from '../alerts';
import { AlertViewSchema, type AlertCuts, type AlertView } from '../alert-view';
import { AlertPageCursorSchema, type AlertPage, type AlertPageCursor } from './alerts';

/** the number of columns of a row without, with the later fields, and with a cut */
export const ROW_V1 = 15;
export const ROW_LATER = 19;
export const ROW_CUT = 20;

export interface AlertPageWire {
  rows: unknown[][];
  next: AlertPageCursor | null;
  total: number;
}

/** One alert as a row (the order above); used for the rows the core writes in JS (a cut alert). */
export function alertToRow(a: AlertView): unknown[] {
  const row: unknown[] = [a.fingerprint, a.alertname, a.labels, a.annotations, a.state, a.severity, a.startsAt, a.endsAt, a.updatedAt, a.generatorUrl, a.silencedBy, a.inhibitedBy, a.ackedBy, a.ackedAt, a.ackId];
  const later = a.cluster !== undefined || (a.ackExpiresAt !== undefined && a.ackExpiresAt !== null);
  if (later || a.cut) {
    const ack = a.ackExpiresAt !== undefined && a.ackExpiresAt !== null;
    row.push(a.cluster ?? null, ack ? a.ackExpiresAt : null, ack ? (a.ackExtensions ?? 0) : null, ack ? (a.ackAutoExtend ?? false) : null);
  }
  if (a.cut) row.push(a.cut);
  return row;
}

const STATES: ReadonlySet<unknown> = new Set(['firing', 'resolved']);
const SEVERITY: ReadonlySet<unknown> = new Set(SEVERITIES);
const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const strOrNull = (x: unknown): x is string | null => x === null || typeof x === 'string';
const numOrNull = (x: unknown): x is number | null => x === null || isNum(x);

function isStringSet(x: unknown): x is Record<string, string> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  for (const k in x) if (Object.hasOwn(x, k) && typeof (x as Record<string, unknown>)[k] !== 'string') return false;
  return true;
}

function isStringList(x: unknown): x is string[] {
  if (!Array.isArray(x)) return false;
  for (const s of x) if (typeof s !== 'string') return false;
  return true;
}

const CutSchema = AlertViewSchema.shape.cut.unwrap();

/** One row back as the alert it was written from; null when it is not a row this form allows. */
export function alertFromRow(r: unknown): AlertView | null {
  if (!Array.isArray(r) || (r.length !== ROW_V1 && r.length !== ROW_LATER && r.length !== ROW_CUT)) return null;
  const [fingerprint, alertname, labels, annotations, state, severity, startsAt, endsAt, updatedAt, generatorUrl, silencedBy, inhibitedBy, ackedBy, ackedAt, ackId] = r as unknown[];
  if (!isStr(fingerprint) || fingerprint.length === 0 || !isStr(alertname) || !isStringSet(labels) || !isStringSet(annotations)) return null;
  if (!STATES.has(state) || !SEVERITY.has(severity) || !isNum(startsAt) || !numOrNull(endsAt) || !isNum(updatedAt) || !strOrNull(generatorUrl)) return null;
  if (!isStringList(silencedBy) || !isStringList(inhibitedBy) || !strOrNull(ackedBy) || !numOrNull(ackedAt) || !strOrNull(ackId)) return null;
  const a: AlertView = {
    fingerprint,
    alertname,
    labels,
    annotations,
    state: state as Alert['state'],
    severity: severity as Alert['severity'],
    startsAt,
    endsAt,
    updatedAt,
    generatorUrl,
    silencedBy,
    inhibitedBy,
    ackedBy,
    ackedAt,
    ackId,
  };
  if (r.length === ROW_V1) return a;
  const [cluster, ackExpiresAt, ackExtensions, ackAutoExtend] = r.slice(ROW_V1, ROW_LATER) as unknown[];
  if (cluster !== null) {
    if (!isStr(cluster)) return null;
    a.cluster = cluster;
  }
  if (ackExpiresAt !== null) {
    if (!isNum(ackExpiresAt) || !isNum(ackExtensions) || !Number.isInteger(ackExtensions) || ackExtensions < 0 || typeof ackAutoExtend !== 'boolean') return null;
    a.ackExpiresAt = ackExpiresAt;
    a.ackExtensions = ackExtensions;
    a.ackAutoExtend = ackAutoExtend;
  } else if (ackExtensions !== null || ackAutoExtend !== null) return null;
  if (r.length === ROW_CUT) {
    const cut = CutSchema.safeParse(r[ROW_LATER]);
    if (!cut.success) return null;
    a.cut = cut.data as AlertCuts;
  }
  return a;
}

/** The page the contract declares, from its wire form; null when anything in it is malformed. */
export function pageFromWire(v: unknown): AlertPage | null {
  if (typeof v !== 'object' || v === null) return null;
  const { rows, next, total } = v as Partial<AlertPageWire>;
  if (!Array.isArray(rows) || !isNum(total)) return null;
  let cursor: AlertPageCursor | null = null;
  if (next !== null) {
    const c = AlertPageCursorSchema.safeParse(next);
    if (!c.success) return null;
    cursor = c.data;
  }
  const alerts: AlertView[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const a = alertFromRow(rows[i]);
    if (!a) return null;
    alerts[i] = a;
  }
  return { alerts, next: cursor, total };
}
