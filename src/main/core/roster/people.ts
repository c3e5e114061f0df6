/**
 * The people an incident role can be given to: everyone the platform knows (`person.upsert`, from its
 * `users` and SSO sign-ins; revoked people excluded) and everyone in a cached roster, by name. The platform
 * people live in `platform_people` (migration 009); roster people in the roster tables.
 */
import type { KnownPerson } from '@shared/contract/roster';
import { PersonSchema } from '@shared/identity';
import { eventData } from '@shared/protocol';
import type { DB } from '@node/sqlite';
import type { EventApplier } from '../context';

export interface PeopleDirectory {
  applier: EventApplier;
  /** active platform people and roster people, one entry per name, sorted by name */
  known(): KnownPerson[];
  isKnown(name: string): boolean;
}

export function createPeopleDirectory(db: DB, now: () => number): PeopleDirectory {
  const s = {
    upsert: db.prepare(`INSERT INTO platform_people (login, name, role, active, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(login) DO UPDATE SET name = excluded.name, role = excluded.role, active = excluded.active, updated_at = excluded.updated_at`),
    clear: db.prepare('DELETE FROM platform_people'),
    platform: db.prepare('SELECT login, name, role FROM platform_people WHERE active = 1 ORDER BY name'),
    roster: db.prepare('SELECT DISTINCT name FROM people ORDER BY name'),
    isKnown: db.prepare(
      'SELECT 1 FROM platform_people WHERE active = 1 AND name = ? UNION ALL SELECT 1 FROM people WHERE name = ? LIMIT 1',
    ),
  };
  return {
    applier: {
      kind: 'person.upsert',
      apply(data) {
        const p = PersonSchema.parse(eventData['person.upsert'].parse(data));
        s.upsert.run(p.login, p.name, p.role, p.active ? 1 : 0, now());
        return 'rosters';
      },
      reset: () => void s.clear.run(),
    },
    known() {
      const byName = new Map<string, KnownPerson>();
      for (const p of s.platform.all() as { login: string; name: string; role: KnownPerson['role'] }[])
        byName.set(p.name, { name: p.name, login: p.login, role: p.role, inRoster: false });
      for (const { name } of s.roster.all() as { name: string }[]) {
        const had = byName.get(name);
        byName.set(name, had ? { ...had, inRoster: true } : { name, login: null, role: null, inRoster: true });
      }
      return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    },
    isKnown: (name) => !!s.isKnown.get(name, name),
  };
}
