/**
 * Roster rows in SQLite. A document is written as a whole (rosters row, its people, its escalation
 * levels) in one transaction; readers get parsed documents from a cache that the writers invalidate.
 */
import { RosterDocumentSchema, type RosterDocument, type RosterPerson } from '@shared/roster';
import type { Logger } from '@node/log';
import type { DB } from '@node/sqlite';

export type RosterOrigin = 'platform' | 'local';

export interface LoadedRoster {
  id: string;
  name: string;
  origin: RosterOrigin;
  updatedAt: number;
  fetchedAt: number;
  doc: RosterDocument;
  people: Map<string, RosterPerson>;
}

export interface SaveRoster {
  id: string;
  name: string;
  doc: RosterDocument;
  updatedAt: number;
  fetchedAt: number;
  origin: RosterOrigin;
}

export function createRosterStore(db: DB, log: Logger) {
  const s = {
    upsert: db.prepare(`INSERT INTO rosters (id, name, document, updated_at, fetched_at, origin)
      VALUES (@id, @name, @document, @updatedAt, @fetchedAt, @origin)
      ON CONFLICT(id) DO UPDATE SET name = excluded.name, document = excluded.document, updated_at = excluded.updated_at,
        fetched_at = excluded.fetched_at, origin = excluded.origin`),
    clearPeople: db.prepare('DELETE FROM people WHERE roster_id = ?'),
    person: db.prepare('INSERT INTO people (roster_id, id, name, role, phone, email, im) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    clearLevels: db.prepare('DELETE FROM escalation_levels WHERE roster_id = ?'),
    level: db.prepare('INSERT INTO escalation_levels (roster_id, policy_id, level, after_min, targets) VALUES (?, ?, ?, ?, ?)'),
    remove: db.prepare('DELETE FROM rosters WHERE id = ?'),
    removePlatform: db.prepare("DELETE FROM rosters WHERE origin = 'platform'"),
    all: db.prepare('SELECT id, name, document, updated_at, fetched_at, origin FROM rosters ORDER BY name, id'),
    one: db.prepare('SELECT id, name, document, updated_at, fetched_at, origin FROM rosters WHERE id = ?'),
  };

  let cache: LoadedRoster[] | null = null;

  function toLoaded(r: Record<string, unknown>): LoadedRoster | null {
    // Stored documents were validated on the way in; a row that no longer parses (written by an older
    // build) is skipped rather than allowed to break the on-call view or the escalation engine.
    const parsed = RosterDocumentSchema.safeParse(JSON.parse(r.document as string));
    if (!parsed.success) {
      log.log('warn', 'roster.unreadable', { id: r.id, err: parsed.error.issues[0]?.message });
      return null;
    }
    return {
      id: r.id as string,
      name: r.name as string,
      origin: r.origin as RosterOrigin,
      updatedAt: r.updated_at as number,
      fetchedAt: r.fetched_at as number,
      doc: parsed.data,
      people: new Map(parsed.data.people.map((p) => [p.id, p])),
    };
  }

  const save = db.transaction((r: SaveRoster) => {
    s.upsert.run({ ...r, document: JSON.stringify(r.doc) });
    s.clearPeople.run(r.id);
    for (const p of r.doc.people) s.person.run(r.id, p.id, p.name, p.role, p.phone, p.email, JSON.stringify(p.im));
    s.clearLevels.run(r.id);
    for (const p of r.doc.policies)
      p.levels.forEach((l, i) => s.level.run(r.id, p.id, i + 1, l.afterMinutes, JSON.stringify(l.targets)));
    cache = null;
  });

  return {
    save: (r: SaveRoster) => save(r),
    remove(id: string): boolean {
      cache = null;
      return s.remove.run(id).changes > 0;
    },
    /** drops every roster the platform sent (before a full snapshot replaces them); imports stay */
    removePlatform(): number {
      cache = null;
      return s.removePlatform.run().changes;
    },
    /** every stored roster, parsed (cached until the next write) */
    all(): LoadedRoster[] {
      if (!cache) cache = (s.all.all() as Record<string, unknown>[]).map(toLoaded).filter((r): r is LoadedRoster => r !== null);
      return cache;
    },
    get(id: string): LoadedRoster | null {
      const r = s.one.get(id) as Record<string, unknown> | undefined;
      return r ? toLoaded(r) : null;
    },
    invalidate() {
      cache = null;
    },
  };
}
export type RosterStore = ReturnType<typeof createRosterStore>;
