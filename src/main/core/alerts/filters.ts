/** Saved filters and the small notification state that survives a restart (mute). */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AlertQuerySchema, type SavedFilter } from '@shared/contract/alerts';
import { parseMatchers, MatcherSyntaxError } from '@shared/matchers';
import { ApiError } from '@shared/rpc';
import type { DB } from '@node/sqlite';

export function createFilterRepo(db: DB) {
  const s = {
    list: db.prepare('SELECT id, name, query, created_at FROM alert_saved_filters ORDER BY name COLLATE NOCASE'),
    byName: db.prepare('SELECT id, created_at FROM alert_saved_filters WHERE name = ?'),
    upsert: db.prepare(`INSERT INTO alert_saved_filters (id, name, query, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET query = excluded.query`),
    remove: db.prepare('DELETE FROM alert_saved_filters WHERE id = ?'),
  };
  return {
    list(): SavedFilter[] {
      const out: SavedFilter[] = [];
      for (const r of s.list.all() as { id: string; name: string; query: string; created_at: number }[]) {
        // A row that no longer validates (hand edit, older shape) is skipped rather than breaking the list.
        const q = AlertQuerySchema.safeParse(JSON.parse(r.query));
        if (q.success) out.push({ ...q.data, id: r.id, name: r.name, createdAt: r.created_at });
      }
      return out;
    },
    /** Saves under `name`, replacing a filter of the same name. The matcher expression must parse. */
    save(input: z.infer<typeof AlertQuerySchema> & { name: string }, now: number): SavedFilter {
      try {
        parseMatchers(input.matchers);
      } catch (err) {
        if (err instanceof MatcherSyntaxError) throw new ApiError('bad_arguments', `label matchers: ${err.message}`);
        throw err;
      }
      const { name, ...query } = input;
      const prev = s.byName.get(name) as { id: string; created_at: number } | undefined;
      const id = prev?.id ?? randomUUID();
      const createdAt = prev?.created_at ?? now;
      s.upsert.run(id, name, JSON.stringify(AlertQuerySchema.parse(query)), createdAt);
      return { ...query, id, name, createdAt };
    },
    remove: (id: string) => s.remove.run(id).changes > 0,
  };
}

export function createNotifyStateRepo(db: DB) {
  const get = db.prepare('SELECT value FROM alert_notify_state WHERE key = ?');
  const put = db.prepare('INSERT INTO alert_notify_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  return {
    mutedUntil(): number | null {
      const r = get.get('muted_until') as { value: string } | undefined;
      const v = r ? Number(r.value) : NaN;
      return Number.isFinite(v) && v > 0 ? v : null;
    },
    setMutedUntil: (at: number | null) => put.run('muted_until', String(at ?? 0)),
  };
}
