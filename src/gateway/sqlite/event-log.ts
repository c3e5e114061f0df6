/**
 * The event log and the entity table it keeps current, on SQLite: `append` checks, dedups and logs events
 * in one transaction; the log is pruned to the newest `retain` events, a thousand at a time.
 */
import type { DB } from '@node/sqlite';
import { checkEvent, SEP, type Family, type OfferedEvent } from '../entities';
import type { AppendOutcome, EventLog, StoredEvent } from '../store';

export type SqliteEventLog = Omit<EventLog, 'serverId'> & {
  current(family: Family): { id: string; data: unknown }[];
};

export function createEventLog(db: DB, retain: number): SqliteEventLog {
  const s = {
    head: db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
    oldest: db.prepare('SELECT min(seq) AS seq FROM events'),
    insertEvent: db.prepare('INSERT INTO events (kind, data, at) VALUES (?, ?, ?)'),
    entity: db.prepare('SELECT data FROM entities WHERE family = ? AND id = ?'),
    upsertEntity: db.prepare(`INSERT INTO entities (family, id, kind, data, seq) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(family, id) DO UPDATE SET kind = excluded.kind, data = excluded.data, seq = excluded.seq`),
    deleteEntity: db.prepare('DELETE FROM entities WHERE family = ? AND id = ?'),
    deleteSeriesOf: db.prepare("DELETE FROM entities WHERE family = 'series' AND id >= ? AND id < ?"),
    family: db.prepare('SELECT id, data FROM entities WHERE family = ? ORDER BY seq'),
    after: db.prepare('SELECT seq, kind, data, at FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    prune: db.prepare('DELETE FROM events WHERE seq <= ?'),
  };

  const head = (): number => (s.head.get() as { seq: number } | undefined)?.seq ?? 0;

  const append = db.transaction((events: readonly OfferedEvent[], at: number): AppendOutcome => {
    const out: AppendOutcome = { appended: [], invalid: [], unchanged: 0 };
    for (const ev of events) {
      const c = checkEvent(ev);
      if (!c.ok) {
        out.invalid.push({ kind: c.kind, reason: c.reason });
        continue;
      }
      const { family, id, op } = c.entity;
      const prev = s.entity.get(family, id) as { data: string } | undefined;
      // an identical upsert, or removing what nobody has, is not news
      if (op === 'upsert' ? prev?.data === c.json : !prev) {
        out.unchanged++;
        continue;
      }
      const seq = Number(s.insertEvent.run(c.kind, c.json, at).lastInsertRowid);
      if (op === 'upsert') s.upsertEntity.run(family, id, c.kind, c.json, seq);
      else {
        s.deleteEntity.run(family, id);
        if (family === 'dashboard') s.deleteSeriesOf.run(`${id}${SEP}`, `${id}${SEP}\uffff`);
      }
      out.appended.push({ seq, kind: c.kind, data: c.json, at });
    }
    const h = head();
    if (h > retain && h % 1000 === 0) s.prune.run(h - retain);
    return out;
  });

  return {
    head,
    oldest: (): number => (s.oldest.get() as { seq: number | null }).seq ?? head() + 1,
    append,
    eventsAfter: (seq: number, limit: number): StoredEvent[] => s.after.all(seq, limit) as StoredEvent[],
    current: (family: Family): { id: string; data: unknown }[] =>
      (s.family.all(family) as { id: string; data: string }[]).map((r) => ({ id: r.id, data: JSON.parse(r.data) })),
  };
}
