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
 * A page is given either as objects (pageOf) or as its JSON text (pageJson) in the wire form of
 * @shared/contract/alert-rows (each alert an array of its columns): the browser host sends that text as it
 * is. SQLite writes each row's JSON itself (json_array, with the stored labels and annotations taken in by
 * json(), which refuses a damaged text): no row array, no string building and no check parse
 * in JS, a fifth of the CPU time of doing it here (bench host-coldstart, docs/performance.md). A stored
 * JSON text SQLite refuses makes pageJson answer null, and the caller takes the object path, which reports
 * the damage. What crosses to the views is cut (alert-view.ts) on both paths: a row that may hold an
 * oversized name or value (MAY_NEED_CUT, a conservative test in SQL) comes back without its JSON and is
 * written in JS from its cut object.
 */
import { cutAlert, NAME_CUT_CHARS, URL_MAX_CHARS, VALUE_CUT_CHARS } from '@shared/alert-view';
import type { Alert } from '@shared/alerts';
import type { AlertPage, AlertPageCursor } from '@shared/contract/alerts';
import { alertToRow } from '@shared/contract/alert-rows';
import type { DB } from '@node/sqlite';

/** the columns an Alert is read from, in this order (the index of each in a raw row) */
const SELECT = `fingerprint, alertname, labels, annotations, state, severity, starts_at, ends_at, updated_at,
  generator_url, silenced_by, inhibited_by, acked_by, acked_at, ack_id, cluster, ack_expires_at, ack_extensions, ack_auto_extend`;
type RawRow = [string, string, string, string, Alert['state'], Alert['severity'], number, number | null, number, string | null, string, string, string | null, number | null, string | null,
  string | null, number | null, number, number];

const EMPTY_LIST = '[]';
/** how long a page read ahead is kept for its request (memory only: an unasked page is a few MB) */
const READ_AHEAD_KEEP_MS = 5000;
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

/** the fields after protocol v1 as a row's columns (alert-rows.ts), or nothing when the alert has none */
const laterRow = (r: RawRow) =>
  r[15] === null && r[16] === null ? '' : r[16] === null ? `,${str(r[15])},null,null,null` : `,${str(r[15])},${num(r[16])},${num(r[17])},${r[18] === 1}`;

/** one alert as a row of the page's wire form (alert-rows.ts), with its stored JSON columns as they are */
function alertRowJson(r: RawRow): string {
  return `[${str(r[0])},${str(r[1])},${r[2]},${r[3]},${str(r[4])},${str(r[5])},${num(r[6])},${num(r[7])},${num(r[8])},${str(r[9])},${r[10]},${r[11]},${str(r[12])},${num(r[13])},${str(r[14])}${laterRow(r)}]`;
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
const viewRowJson = (r: RawRow): string => (mayNeedCut(r) ? JSON.stringify(alertToRow(cutAlert(rawToAlert(r)))) : alertRowJson(r));

/*
 * The row's JSON as SQLite writes it. SQLite counts a text's length in code points, JS in UTF-16 units (at
 * most twice as many), so the test for what may need a cut halves the limits; a flat JSON object whose
 * text is no longer than half the name limit holds no long name.
 */
const H_NAME = NAME_CUT_CHARS >> 1;
const H_VALUE = VALUE_CUT_CHARS >> 1;
const mayBeBig = (c: string) => `(length(${c}) > ${H_NAME} AND EXISTS (SELECT 1 FROM json_each(${c}) WHERE length(key) > ${H_NAME} OR length(value) > ${H_VALUE}))`;
const MAY_NEED_CUT = `length(alertname) > ${H_VALUE} OR ifnull(length(acked_by), 0) > ${H_VALUE} OR ifnull(length(generator_url), 0) > ${URL_MAX_CHARS >> 1} OR ${mayBeBig('labels')} OR ${mayBeBig('annotations')}`;
const BASE_COLUMNS = `fingerprint, alertname, json(labels), json(annotations), state, severity, starts_at, ends_at, updated_at, generator_url,
  json(silenced_by), json(inhibited_by), acked_by, acked_at, ack_id`;
/** the fields after protocol v1 (alert-rows.ts): all null when there is no ack expiry, as rawToAlert reads them */
const LATER_COLUMNS = `cluster, ack_expires_at, CASE WHEN ack_expires_at IS NULL THEN NULL ELSE ack_extensions END,
  CASE WHEN ack_expires_at IS NULL THEN NULL ELSE json(CASE ack_auto_extend WHEN 1 THEN 'true' ELSE 'false' END) END`;
/** [the row's JSON (alert-rows.ts), or null when it may need a cut; then the cursor's columns] */
const JSON_SELECT = `CASE WHEN ${MAY_NEED_CUT} THEN NULL WHEN cluster IS NULL AND ack_expires_at IS NULL THEN json_array(${BASE_COLUMNS})
  ELSE json_array(${BASE_COLUMNS}, ${LATER_COLUMNS}) END,
  fingerprint, severity, starts_at`;
type JsonRow = [string | null, string, Alert['severity'], number];

/** the statements of one page in the console's order for the columns `cols` (read raw) */
function pageStatements(db: DB, cols: string) {
  const order = 'ORDER BY severity, starts_at DESC, fingerprint';
  return {
    first: db.prepare(`SELECT ${cols} FROM alerts ${order} LIMIT ?`).raw(true),
    sameStart: db.prepare(`SELECT ${cols} FROM alerts WHERE severity = @severity AND starts_at = @startsAt AND fingerprint > @fingerprint ${order} LIMIT @limit`).raw(true),
    olderStart: db.prepare(`SELECT ${cols} FROM alerts WHERE severity = @severity AND starts_at < @startsAt ${order} LIMIT @limit`).raw(true),
    lessSevere: db.prepare(`SELECT ${cols} FROM alerts WHERE severity > @severity ${order} LIMIT @limit`).raw(true),
  };
}

export function createAlertPages(db: DB) {
  const objects = pageStatements(db, SELECT);
  const texts = pageStatements(db, JSON_SELECT);
  const total = db.prepare('SELECT COUNT(*) AS n FROM alerts').pluck();
  const one = db.prepare(`SELECT ${SELECT} FROM alerts WHERE fingerprint = ?`).raw(true);

  /** the rows of one page in the console's order after `cursor` */
  function rowsOf<R>(s: ReturnType<typeof pageStatements>, cursor: AlertPageCursor | null, limit: number): R[] {
    if (!cursor) return s.first.all(limit) as R[];
    const rows = s.sameStart.all({ ...cursor, limit }) as R[];
    for (const next of [s.olderStart, s.lessSevere]) {
      if (rows.length >= limit) break;
      for (const r of next.all({ ...cursor, limit: limit - rows.length }) as R[]) rows.push(r);
    }
    return rows;
  }
  // each page and its total in one transaction (one consistent snapshot)
  const readObjects = db.transaction((cursor: AlertPageCursor | null, limit: number) => ({ rows: rowsOf<RawRow>(objects, cursor, limit), total: total.get() as number }));
  const readTexts = db.transaction((cursor: AlertPageCursor | null, limit: number) => {
    const rows = rowsOf<JsonRow>(texts, cursor, limit);
    // the rows that may need a cut are read whole and written here, inside the same snapshot
    for (const r of rows) if (r[0] === null) r[0] = viewRowJson(one.get(r[1]) as RawRow);
    return { rows, total: total.get() as number };
  });

  const nextOf = (last: { severity: Alert['severity']; startsAt: number; fingerprint: string } | undefined, n: number, limit: number): AlertPageCursor | null =>
    n === limit && last ? last : null;

  function textOf(cursor: AlertPageCursor | null, limit: number): { text: string; next: AlertPageCursor | null } | null {
    try {
      const { rows, total: n } = readTexts(cursor, limit);
      const last = rows.at(-1);
      const next = nextOf(last && { severity: last[2], startsAt: last[3], fingerprint: last[1] }, rows.length, limit);
      return { text: `{"rows":[${rows.map((r) => r[0]).join(',')}],"next":${JSON.stringify(next)},"total":${n}}`, next };
    } catch {
      return null;
    }
  }

  /**
   * Read-ahead of a load: once a page after a cursor is answered, the next one (same size, after its last
   * alert) is read in the next turn of the event loop, while the answer travels and the renderer takes it
   * in, and kept until asked for. It is served only to exactly that request and only if nothing was
   * written since it was read (SQLite's count of this connection's changes: the core writes through this
   * one connection), so it is the page a read at that moment would give. Asked for or not, it goes with
   * the next call, or after READ_AHEAD_KEEP_MS.
   */
  const changes = db.prepare('SELECT total_changes()').pluck();
  let ahead: { key: string; changes: number; text: string; next: AlertPageCursor | null } | null = null;
  let dropAhead: ReturnType<typeof setTimeout> | null = null;
  function readAhead(cursor: AlertPageCursor | null, limit: number): void {
    if (!cursor) return;
    setImmediate(() => {
      try {
        const before = changes.get() as number;
        const page = textOf(cursor, limit);
        if (!page) return;
        ahead = { key: JSON.stringify([cursor, limit]), changes: before, ...page };
        if (dropAhead) clearTimeout(dropAhead);
        dropAhead = setTimeout(() => (ahead = null), READ_AHEAD_KEEP_MS);
        dropAhead.unref?.();
      } catch {
        ahead = null; // the store closed meanwhile: nothing to read ahead
      }
    });
  }

  return {
    /** one page in the console's order after `cursor`, as objects */
    pageOf(cursor: AlertPageCursor | null, limit: number): AlertPage {
      const { rows, total: n } = readObjects(cursor, limit);
      const last = rows.at(-1);
      return { alerts: rows.map(rawToAlert), next: nextOf(last && { severity: last[5], startsAt: last[6], fingerprint: last[0] }, rows.length, limit), total: n };
    },
    /**
     * The same page as JSON text in its wire form (AlertPageWire, alert-rows.ts: each alert a row), cut as
     * the views get it (cutAlert); null when a stored row does not make valid JSON (see the file's note).
     */
    pageJson(cursor: AlertPageCursor | null, limit: number): string | null {
      const key = JSON.stringify([cursor, limit]);
      const read = ahead;
      ahead = null;
      if (read && read.key === key && read.changes === changes.get()) {
        readAhead(read.next, limit);
        return read.text;
      }
      const page = textOf(cursor, limit);
      // a page after a cursor is a load under way: the next one is read while this one travels
      if (page && cursor) readAhead(page.next, limit);
      return page?.text ?? null;
    },
  };
}
export type AlertPages = ReturnType<typeof createAlertPages>;

/** whether a page's JSON text (pageJson) is the last one: it says `"next":null` just before its total */
export const isLastPageJson = (text: string): boolean => /"next":null,"total":\d+\}$/.test(text.slice(-40));
