/**
 * The event log and the entity table it keeps current, on PostgreSQL. Same contract as sqlite/event-log.ts,
 * but several replicas write the same log, so:
 * - seqs come from log_head, locked by the writer (SELECT … FOR UPDATE) until its transaction commits: the
 *   next writer waits, so seqs commit in order and a reader of `seq > cursor` can never skip one committed
 *   late (gap-safe, whatever the number of writers);
 * - the locked head also serialises the read-compare-write of entities, so two replicas never both log an
 *   identical upsert;
 * - a commit that logged anything notifies the `vigil_events` channel with the new head, so the other
 *   replicas pump their consoles (LISTEN in replicas.ts).
 * An append is a handful of round trips whatever its size: the stored entities of the batch are read at once,
 * the dedup runs here, and the events and entity changes are written with one statement each.
 */
import type { PgSync } from '@node/pg-sync';
import { checkEvent, SEP, type Family, type OfferedEvent } from '../entities';
import type { AppendOutcome, EventLog, StoredEvent } from '../store';

export const EVENTS_CHANNEL = 'vigil_events';

export type PgEventLog = Omit<EventLog, 'serverId'> & {
  current(family: Family): { id: string; data: unknown }[];
};

type Change = { op: 'upsert'; family: Family; id: string; kind: string; json: string; seq: number } | { op: 'remove'; family: Family; id: string };

interface Batch {
  out: AppendOutcome;
  /** entity key → its state after the events so far (null: removed) */
  local: Map<string, Change>;
  /** dashboards whose series were removed by an event of the batch */
  droppedSeriesOf: Set<string>;
}

const keyOf = (family: string, id: string) => `${family}\u0000${id}`;
const dashboardOfSeries = (id: string) => id.slice(0, id.indexOf(SEP));

/** what the stored state says before the batch, for the entities the batch touches */
function storedData(db: PgSync, events: readonly OfferedEvent[]): Map<string, string> {
  const fam: string[] = [];
  const ids: string[] = [];
  for (const ev of events) {
    const c = checkEvent(ev);
    if (c.ok) {
      fam.push(c.entity.family);
      ids.push(c.entity.id);
    }
  }
  const rows = fam.length
    ? db.query<{ family: string; id: string; data: string }>(
        `SELECT e.family, e.id, e.data FROM entities e
         JOIN unnest($1::text[], $2::text[]) AS k(family, id) ON e.family = k.family AND e.id = k.id`,
        [fam, ids],
      ).rows
    : [];
  return new Map(rows.map((r) => [keyOf(r.family, r.id), r.data]));
}

function writeChanges(db: PgSync, b: Batch, appended: StoredEvent[]): void {
  if (appended.length)
    db.query(
      'INSERT INTO events (seq, kind, data, at) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])',
      [appended.map((e) => e.seq), appended.map((e) => e.kind), appended.map((e) => e.data), appended.map((e) => e.at)],
    );
  for (const d of b.droppedSeriesOf)
    db.query("DELETE FROM entities WHERE family = 'series' AND id >= $1 AND id < $2", [`${d}${SEP}`, `${d}${SEP}\uffff`]);
  const removed = [...b.local.values()].filter((c) => c.op === 'remove');
  if (removed.length)
    db.query(
      'DELETE FROM entities e USING unnest($1::text[], $2::text[]) AS k(family, id) WHERE e.family = k.family AND e.id = k.id',
      [removed.map((c) => c.family), removed.map((c) => c.id)],
    );
  const upserts = [...b.local.values()].filter((c): c is Extract<Change, { op: 'upsert' }> => c.op === 'upsert');
  if (upserts.length)
    db.query(
      `INSERT INTO entities (family, id, kind, data, seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (family, id) DO UPDATE SET kind = excluded.kind, data = excluded.data, seq = excluded.seq`,
      [upserts.map((c) => c.family), upserts.map((c) => c.id), upserts.map((c) => c.kind), upserts.map((c) => c.json), upserts.map((c) => c.seq)],
    );
}

export function createPgEventLog(db: PgSync, retain: number): PgEventLog {
  const head = (): number => db.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1').rows[0]?.seq ?? 0;

  const append = db.transaction((events: readonly OfferedEvent[], at: number): AppendOutcome => {
    const b: Batch = { out: { appended: [], invalid: [], unchanged: 0 }, local: new Map(), droppedSeriesOf: new Set() };
    if (!events.length) return b.out;
    let seq = db.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1 FOR UPDATE').rows[0].seq;
    const first = seq;
    const stored = storedData(db, events);
    const prevOf = (family: Family, id: string): string | undefined => {
      const local = b.local.get(keyOf(family, id));
      if (local) return local.op === 'upsert' ? local.json : undefined;
      if (family === 'series' && b.droppedSeriesOf.has(dashboardOfSeries(id))) return undefined;
      return stored.get(keyOf(family, id));
    };
    for (const ev of events) {
      const c = checkEvent(ev);
      if (!c.ok) {
        b.out.invalid.push({ kind: c.kind, reason: c.reason });
        continue;
      }
      const { family, id, op } = c.entity;
      const prev = prevOf(family, id);
      if (op === 'upsert' ? prev === c.json : prev === undefined) {
        b.out.unchanged++;
        continue;
      }
      seq++;
      b.local.set(keyOf(family, id), op === 'upsert' ? { op, family, id, kind: c.kind, json: c.json, seq } : { op, family, id });
      if (op === 'remove' && family === 'dashboard') {
        b.droppedSeriesOf.add(id);
        for (const [k, ch] of b.local) if (ch.family === 'series' && dashboardOfSeries(ch.id) === id) b.local.set(k, { op: 'remove', family: 'series', id: ch.id });
      }
      b.out.appended.push({ seq, kind: c.kind, data: c.json, at });
    }
    if (seq === first) return b.out;
    writeChanges(db, b, b.out.appended);
    db.query('UPDATE log_head SET seq = $1 WHERE id = 1', [seq]);
    db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, String(seq)]);
    // prune when the head crosses a thousand, keeping the newest `retain`
    if (seq > retain && Math.floor(seq / 1000) > Math.floor(first / 1000)) db.query('DELETE FROM events WHERE seq <= $1', [seq - retain]);
    return b.out;
  });

  return {
    head,
    oldest: (): number => db.query<{ seq: number | null }>('SELECT min(seq) AS seq FROM events').rows[0].seq ?? head() + 1,
    append,
    eventsAfter: (seq: number, limit: number): StoredEvent[] =>
      db.query<StoredEvent>('SELECT seq, kind, data, at FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]).rows,
    current: (family: Family): { id: string; data: unknown }[] =>
      db
        .query<{ id: string; data: string }>('SELECT id, data FROM entities WHERE family = $1 ORDER BY seq', [family])
        .rows.map((r) => ({ id: r.id, data: JSON.parse(r.data) })),
  };
}
