/** The roster module. See src/shared/contract/roster.ts for its slice of the contract. */
import { rosterMethods } from '../../../shared/contract/roster';
import { eventData } from '../../../shared/protocol';
import { PersonSchema } from '../../../shared/roster';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';

export function createRosterModule(ctx: CoreContext, _actions: ActionSink): CoreModule<typeof rosterMethods> {
  const db = ctx.db;
  const s = {
    upsert: db.prepare(`INSERT INTO rosters (id, name, document, updated_at, fetched_at) VALUES (@id, @name, @document, @updatedAt, @fetchedAt)
      ON CONFLICT(id) DO UPDATE SET name = excluded.name, document = excluded.document, updated_at = excluded.updated_at, fetched_at = excluded.fetched_at`),
    clearPeople: db.prepare('DELETE FROM people WHERE roster_id = ?'),
    person: db.prepare('INSERT INTO people (roster_id, id, name, role, phone, email, im) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    remove: db.prepare('DELETE FROM rosters WHERE id = ?'),
  };
  const appliers: EventApplier[] = [
    {
      kind: 'roster.upsert',
      apply(data) {
        const r = eventData['roster.upsert'].parse(data);
        s.upsert.run({ ...r, document: JSON.stringify(r.document ?? {}), fetchedAt: ctx.clock.now() });
        s.clearPeople.run(r.id);
        const people = (r.document as { people?: unknown[] } | null)?.people ?? [];
        for (const raw of people) {
          const p = PersonSchema.safeParse(raw);
          if (p.success) s.person.run(r.id, p.data.id, p.data.name, p.data.role, p.data.phone, p.data.email, JSON.stringify(p.data.im));
        }
        ctx.touch('rosters');
        return 'rosters';
      },
    },
    {
      kind: 'roster.remove',
      apply(data) {
        s.remove.run(eventData['roster.remove'].parse(data).id);
        return 'rosters';
      },
    },
  ];
  return { handlers: {}, appliers };
}
