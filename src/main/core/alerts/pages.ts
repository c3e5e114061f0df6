/**
 * The console's alert list, page by page (alertsPage): the first screen of a 100k-alert cache and then the
 * rest, as fast as SQLite reads them.
 *
 * Rows are read as arrays (better-sqlite3's raw mode: a fraction of the cost of an object per row) in the
 * console's order (severity, newest first, fingerprint), served by the alerts_console_order index. A
 * page after a cursor is three index ranges read in order (the same start time after the cursor's
 * fingerprint, older starts of the same severity, the less severe ones), since the order mixes ascending
 * and descending columns that a single range cannot express.
 *
 * A page is given either as objects (pageOf) or as its JSON text (pageJson), built from the stored JSON
 * of labels and annotations without parsing them: the browser host sends that text as it is. The text is
 * checked by parsing it once as a whole before it is used (one parse of a page costs less than the small
 * parses of its rows); a row whose stored JSON is damaged makes pageJson answer null, and the caller
 * takes the object path, which reports the damage. What crosses to the views is cut (alert-view.ts) on both
 * paths: a row that may hold an oversized name or value is written from its cut object instead.
 */
import { cutAlert, NAME_CUT_CHARS, URL_MAX_CHARS, VALUE_CUT_CHARS } from '@shared/alert-view';
import type { Alert } from '@shared/alerts';
import type { AlertPage, AlertPageCursor } from '@shared/contract/alerts';
import type { DB } from '@node/sqlite';

/** the columns an Alert is read from, in this order (the index of each in a raw row) */
const SELECT = `fingerprint, alertname, labels, annotations, state, severity, starts_at, ends_at, updated_at,
  generator_url, silenced_by, inhibited_by, acked_by, acked_at, ack_id, cluster, ack_expires_at, ack_extensions, ack_auto_extend`;
type RawRow = [string, string, string, string, Alert['state'], Alert['severity'], number, number | null, number, string | null, string, string, string | null, number | null, string | null,
  string | null, number | null, number, number];

const EMPTY_LIST = '[]';
const list = (text: string): string[] => (text === EMPTY_LIST ? [] : JSON.parse(text));

export function rawToAlert(r: RawRow): Alert {
  return {
    fingerprint: r[0],
    alertname: r[1],
    labels: JSON.parse(r[2]),
    annotations: JSON.parse(r[3]),
    state: r[4],
    severity: r[5],
    startsAt: r[6],
    endsAt: r[7],
    updatedAt: r[8],
    generatorUrl: r[9],
    silencedBy: list(r[10]),
    inhibitedBy: list(r[11]),
    ackedBy: r[12],
    ackedAt: r[13],
    ackId: r[14],
    // the fields added after protocol v1 are present only when the platform sent them (as rowToAlert)
    ...(r[15] !== null ? { cluster: r[15] } : {}),
    ...(r[16] !== null ? { ackExpiresAt: r[16], ackExtensions: r[17], ackAutoExtend: r[18] === 1 } : {}),
  };
}

const str = (s: string | null) => (s === null ? 'null' : JSON.stringify(s));
const num = (n: number | null) => (n === null ? 'null' : String(n));

/** the fields after protocol v1, as rawToAlert gives them (absent when the platform did not send them) */
const laterJson = (r: RawRow) =>
  (r[15] !== null ? `,"cluster":${str(r[15])}` : '') +
  (r[16] !== null ? `,"ackExpiresAt":${num(r[16])},"ackExtensions":${num(r[17])},"ackAutoExtend":${r[18] === 1}` : '');

/** one alert's JSON text, in the Alert key order, with its stored JSON columns as they are */
function alertJson(r: RawRow): string {
  return `{"fingerprint":${str(r[0])},"alertname":${str(r[1])},"labels":${r[2]},"annotations":${r[3]},"state":${str(r[4])},"severity":${str(r[5])},"startsAt":${num(r[6])},"endsAt":${num(r[7])},"updatedAt":${num(r[8])},"generatorUrl":${str(r[9])},"silencedBy":${r[10]},"inhibitedBy":${r[11]},"ackedBy":${str(r[12])},"ackedAt":${num(r[13])},"ackId":${str(r[14])}${laterJson(r)}}`;
}

/**
 * Whether a stored labels/annotations JSON text may hold a name over NAME_CUT_CHARS or a value over
 * VALUE_CUT_CHARS, without parsing it: a flat object of strings, its string tokens alternate name, value,
 * and a token's text is never shorter than the string it encodes.
 */
function mayHoldBig(json: string): boolean {
  if (json.length <= NAME_CUT_CHARS) return false;
  let pos = 0;
  for (let k = 0; ; k++) {
    const start = json.indexOf('"', pos);
    if (start < 0) return false;
    let end = start + 1;
    for (;;) {
      end = json.indexOf('"', end);
      if (end < 0) return true; // not the JSON it should be: let the object path decide
      let slashes = 0;
      while (json.charCodeAt(end - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) break;
      end++;
    }
    if (end - start - 1 > (k % 2 === 0 ? NAME_CUT_CHARS : VALUE_CUT_CHARS)) return true;
    pos = end + 1;
  }
}

/** whether the row's alert may be cut by cutAlert (then it is written from the cut object) */
const mayNeedCut = (r: RawRow): boolean =>
  r[1].length > VALUE_CUT_CHARS ||
  (r[12]?.length ?? 0) > VALUE_CUT_CHARS ||
  (r[9]?.length ?? 0) > URL_MAX_CHARS ||
  mayHoldBig(r[2]) ||
  mayHoldBig(r[3]);

/** one row as the views get it: the stored JSON as it is, or the cut alert when something may be cut */
const viewJson = (r: RawRow): string => (mayNeedCut(r) ? JSON.stringify(cutAlert(rawToAlert(r))) : alertJson(r));

export function createAlertPages(db: DB) {
  const order = 'ORDER BY severity, starts_at DESC, fingerprint';
  const s = {
    first: db.prepare(`SELECT ${SELECT} FROM alerts ${order} LIMIT ?`).raw(true),
    sameStart: db
      .prepare(`SELECT ${SELECT} FROM alerts WHERE severity = @severity AND starts_at = @startsAt AND fingerprint > @fingerprint ${order} LIMIT @limit`)
      .raw(true),
    olderStart: db.prepare(`SELECT ${SELECT} FROM alerts WHERE severity = @severity AND starts_at < @startsAt ${order} LIMIT @limit`).raw(true),
    lessSevere: db.prepare(`SELECT ${SELECT} FROM alerts WHERE severity > @severity ${order} LIMIT @limit`).raw(true),
    total: db.prepare('SELECT COUNT(*) AS n FROM alerts').pluck(),
  };

  /** the rows of one page and the total, read in one transaction (one consistent snapshot) */
  const read = db.transaction((cursor: AlertPageCursor | null, limit: number): { rows: RawRow[]; total: number } => {
    let rows: RawRow[];
    if (!cursor) rows = s.first.all(limit) as RawRow[];
    else {
      rows = s.sameStart.all({ ...cursor, limit }) as RawRow[];
      for (const next of [s.olderStart, s.lessSevere]) {
        if (rows.length >= limit) break;
        for (const r of next.all({ ...cursor, limit: limit - rows.length }) as RawRow[]) rows.push(r);
      }
    }
    return { rows, total: s.total.get() as number };
  });

  const nextOf = (rows: RawRow[], limit: number): AlertPageCursor | null => {
    const last = rows.at(-1);
    return rows.length === limit && last ? { severity: last[5], startsAt: last[6], fingerprint: last[0] } : null;
  };

  return {
    /** one page in the console's order after `cursor`, as objects */
    pageOf(cursor: AlertPageCursor | null, limit: number): AlertPage {
      const { rows, total } = read(cursor, limit);
      return { alerts: rows.map(rawToAlert), next: nextOf(rows, limit), total };
    },
    /**
     * The same page as JSON text, cut as the views get it (cutAlert); null when a stored row does not make
     * valid JSON (see the file's note).
     */
    pageJson(cursor: AlertPageCursor | null, limit: number): string | null {
      const { rows, total } = read(cursor, limit);
      let text: string;
      try {
        text = `{"alerts":[${rows.map(viewJson).join(',')}],"next":${JSON.stringify(nextOf(rows, limit))},"total":${total}}`;
        JSON.parse(text);
      } catch {
        return null;
      }
      return text;
    },
  };
}
export type AlertPages = ReturnType<typeof createAlertPages>;
