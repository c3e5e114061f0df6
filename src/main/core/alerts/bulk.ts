/**
 * Writing a snapshot's alerts. reset() has just emptied the table, so a snapshot's alert has no row to
 * read back or compare with: its row and history entry (if any, see add()) go in with BULK_ROWS others in
 * one statement, a fraction of the cost of one SELECT and one or two writes per alert. A snapshot that fills
 * one statement also drops the table's secondary indexes and builds them again at the end: SQLite
 * builds an index from all rows at once (by sorting) for less than it costs to update it 100k times.
 * Reads during the snapshot are by fingerprint, which the primary key still serves.
 *
 * Writing follows the link's snapshot transaction: begin() in reset(), add() per alert, flush() before
 * any single-row statement on alerts (so rows land in order), finish() in endSnapshot().
 */
import type { Statement } from 'better-sqlite3';
import type { Alert } from '@shared/alerts';
import type { DB } from '@node/sqlite';
import { changeSince, COLUMNS, encode, eventsSql, historyOf, upsertSql, type AlertBrief, type AlertChange } from './repo';

/** alerts per multi-row statement: 200 × 20 values, far below SQLite's limit of 32,766 */
export const BULK_ROWS = 200;
const EVENT_VALUES = 4;

interface IndexDef {
  name: string;
  sql: string;
}

export function createSnapshotWriter(db: DB) {
  // prepared on the first snapshot: most of a session has none
  let s: { rows: Statement; events: Statement; row: Statement; event: Statement; indexes: Statement; hasIndex: Statement } | null = null;
  const prepare = () =>
    (s ??= {
      rows: db.prepare(upsertSql(BULK_ROWS)),
      events: db.prepare(eventsSql(BULK_ROWS)),
      row: db.prepare(upsertSql(1)),
      event: db.prepare(eventsSql(1)),
      // the primary key's own index has no sql and cannot be dropped
      indexes: db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alerts' AND sql IS NOT NULL"),
      hasIndex: db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?"),
    });

  /** creates those of `dropped` that are missing; returns how many */
  const rebuild = (dropped: readonly IndexDef[]) => {
    const missing = dropped.filter((i) => !s!.hasIndex.get(i.name));
    for (const i of missing) db.exec(i.sql);
    return missing.length;
  };

  return {
    begin(storedAt: number) {
      const st = prepare();
      // flat value lists, one bound per statement (an array per alert costs more to bind)
      let rows: unknown[] = [];
      let events: unknown[] = [];
      let dropped: IndexDef[] | null = null;
      let count = 0;
      let finished = false;

      const flush = () => {
        for (let i = 0; i < rows.length; i += COLUMNS.length) st.row.run(rows.slice(i, i + COLUMNS.length));
        for (let i = 0; i < events.length; i += EVENT_VALUES) st.event.run(events.slice(i, i + EVENT_VALUES));
        rows = [];
        events = [];
      };

      return {
        /** alerts added so far */
        count: () => count,
        /** Buffers one alert that has no row; `known` is its brief from before the snapshot. */
        add(a: Alert, known: AlertBrief | null | undefined): AlertChange {
          count++;
          if (encode(a, storedAt, rows).length === BULK_ROWS * COLUMNS.length) {
            if (!dropped) {
              dropped = st.indexes.all() as IndexDef[];
              for (const i of dropped) db.exec(`DROP INDEX "${i.name.replace(/"/g, '""')}"`);
            }
            st.rows.run(rows);
            rows = [];
          }
          const change = changeSince(a, known);
          // An alert first seen in a snapshot gets no "firing" entry: the snapshot says what is, not when it
          // changed, and on a first sync that would be 100k entries saying nothing. Its start is startsAt: the
          // history and incident-timeline reads show it from there (NO_FIRING_ENTRY in repo.ts).
          // A change against what the cache held before the snapshot is recorded, as outside snapshots.
          const entry = change === 'new' ? null : historyOf(a, change);
          if (entry && events.push(...entry) === BULK_ROWS * EVENT_VALUES) {
            st.events.run(events);
            events = [];
          }
          return change;
        },
        flush,
        /** Writes the rest and rebuilds the indexes; call inside the snapshot's transaction. */
        finish(): void {
          flush();
          if (dropped) rebuild(dropped);
          finished = true;
        },
        /**
         * For after the transaction when finish() was not called: after a rollback the indexes are back
         * already (returns 0); should a snapshot ever commit without finish(), this rebuilds what it
         * dropped and returns how many.
         */
        abandon(): number {
          return finished || !dropped ? 0 : rebuild(dropped);
        },
      };
    },
  };
}
export type SnapshotWriter = ReturnType<ReturnType<typeof createSnapshotWriter>['begin']>;
