/** rostersList: every cached roster as stored (its document and its people rows), for the roster view. */
import { parseJson } from '@shared/json';
import type { Roster } from '@shared/roster';
import type { DB } from '@node/sqlite';

type Row = Record<string, unknown>;

export function createRosterList(db: DB): () => Roster[] {
  const s = {
    rosters: db.prepare('SELECT * FROM rosters ORDER BY name'),
    people: db.prepare('SELECT * FROM people WHERE roster_id = ? ORDER BY name'),
  };
  return () =>
    (s.rosters.all() as Row[]).map((r) => ({
      id: r.id as string,
      name: r.name as string,
      document: parseJson(r.document).value ?? null,
      updatedAt: r.updated_at as number,
      fetchedAt: r.fetched_at as number,
      origin: r.origin as Roster['origin'],
      people: (s.people.all(r.id) as Row[]).map((p) => ({
        id: p.id as string,
        name: p.name as string,
        role: (p.role as string) ?? null,
        phone: (p.phone as string) ?? null,
        email: (p.email as string) ?? null,
        im: parseJson<Roster['people'][number]['im']>(p.im).value ?? {},
      })),
    }));
}
