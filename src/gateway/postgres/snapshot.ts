/**
 * Snapshot chunks from the entity table on PostgreSQL, packed like the SQLite reader (the same ChunkPacker):
 * the server joins as many items as the open chunk has room for into one bytea, and only a group over the
 * byte budget is fetched again item by item. The whole read is one REPEATABLE READ transaction, so the
 * entities and the head seq are one consistent state while other replicas keep writing.
 */
import type { PgSync } from '@node/pg-sync';
import { FAMILY_ORDER } from '../entities';
import { ChunkPacker } from '../sqlite/snapshot';
import type { SnapshotChunks } from '../store';

const ITEM_SQL = `'{"kind":' || to_json(kind)::text || ',"data":' || data || '}'`;

export function createPgSnapshotReader(db: PgSync): (maxItems: number, maxBytes: number) => SnapshotChunks {
  const group = (family: string, after: string | null, limit: number) =>
    db.query<{ body: Buffer | null; items: number; last: string | null }>(
      `SELECT convert_to(string_agg(item, ',' ORDER BY id), 'UTF8') AS body, count(*) AS items, max(id) AS last
       FROM (SELECT id, ${ITEM_SQL} AS item FROM entities WHERE family = $1 AND id ${after === null ? '>=' : '>'} $2 ORDER BY id LIMIT $3) t`,
      [family, after ?? '', limit],
    ).rows[0];
  const items = (family: string, after: string | null, limit: number) =>
    db
      .query<{ item: Buffer }>(
        `SELECT convert_to(${ITEM_SQL}, 'UTF8') AS item FROM entities WHERE family = $1 AND id ${after === null ? '>=' : '>'} $2 ORDER BY id LIMIT $3`,
        [family, after ?? '', limit],
      )
      .rows.map((r) => r.item);

  const packFamily = (p: ChunkPacker, family: string) => {
    let after: string | null = null;
    for (;;) {
      if (p.items >= p.maxItems) p.close();
      const room = p.room;
      const g = group(family, after, room);
      if (!g.items) break;
      if (p.fits(g.body!.length, g.items)) p.add(g.body!, g.items);
      else for (const item of items(family, after, room)) p.addItem(item);
      after = g.last;
      if (g.items < room) break;
    }
  };

  return (maxItems, maxBytes) =>
    db.transaction((): SnapshotChunks => {
      const p = new ChunkPacker(maxItems, maxBytes);
      for (const family of FAMILY_ORDER) packFamily(p, family);
      const chunks = p.finish();
      const seq = db.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1').rows[0].seq;
      return { seq, total: p.total, chunks };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')();
}
