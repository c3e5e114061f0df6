/**
 * Snapshot chunks from the entity table. SQLite joins as many items as the open chunk has room for into
 * one blob: no string per entity crosses into JS. Only a group over the byte budget is fetched again item
 * by item, to be split exactly where packing one item at a time would split it.
 */
import type { DB } from '@node/sqlite';
import { FAMILY_ORDER } from '../entities';
import type { SnapshotChunks } from '../store';

/** An entity as its snapshot item's JSON text, built by SQLite: `data` is stored as JSON already. */
const ITEM_SQL = `'{"kind":' || json_quote(kind) || ',"data":' || data || '}'`;
const COMMA = Buffer.from(',');

/**
 * A statement over one family's entities after an id (keyset paging), prepared twice: from the first id
 * (every text is >= '') and after a given one. Called as (family, after | null, limit).
 */
function afterId(db: DB, sql: (cmp: '>=' | '>') => string, pluck = false) {
  const from = db.prepare(sql('>=')).pluck(pluck);
  const after = db.prepare(sql('>')).pluck(pluck);
  return {
    get: (family: string, id: string | null, limit: number): unknown =>
      id === null ? from.get(family, '', limit) : after.get(family, id, limit),
    all: (family: string, id: string | null, limit: number): unknown[] =>
      id === null ? from.all(family, '', limit) : after.all(family, id, limit),
  };
}

/** Packs item groups into chunks of at most maxItems items and maxBytes bytes (each item with one comma). */
export class ChunkPacker {
  readonly chunks: SnapshotChunks['chunks'] = [];
  total = 0;
  items = 0;
  bytes = 0;
  private parts: Buffer[] = [];
  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
  ) {}
  get room(): number {
    return this.maxItems - this.items;
  }
  /** whether a group of `n` items in `size` bytes goes into the open chunk whole */
  fits(size: number, n: number): boolean {
    return this.bytes + size + 1 <= this.maxBytes || (!this.items && n === 1);
  }
  close(): void {
    this.chunks.push({ body: this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts), items: this.items });
    this.parts = [];
    this.items = this.bytes = 0;
  }
  /** `body` holds n items joined by commas; like every item, it is budgeted with one comma more */
  add(body: Buffer, n: number): void {
    if (this.parts.length) this.parts.push(COMMA);
    this.parts.push(body);
    this.items += n;
    this.bytes += body.length + 1;
    this.total += n;
  }
  /** one item, closing the open chunk first when the item would overflow it */
  addItem(item: Buffer): void {
    if (this.items && this.bytes + item.length + 1 > this.maxBytes) this.close();
    this.add(item, 1);
  }
  finish(): SnapshotChunks['chunks'] {
    if (this.items || !this.chunks.length) this.close();
    return this.chunks;
  }
}

export function createSnapshotReader(
  db: DB,
  head: () => number,
): (maxItems: number, maxBytes: number) => SnapshotChunks {
  // snapshot items of one family, in primary-key order (no sort; order inside a family is free)
  const group = afterId(
    db,
    (cmp) => `SELECT CAST(group_concat(item, ',') AS BLOB) AS body, count(*) AS items, max(id) AS last
        FROM (SELECT id, ${ITEM_SQL} AS item FROM entities WHERE family = ? AND id ${cmp} ? ORDER BY id LIMIT ?)`,
  );
  const items = afterId(
    db,
    (cmp) => `SELECT CAST(${ITEM_SQL} AS BLOB) FROM entities WHERE family = ? AND id ${cmp} ? ORDER BY id LIMIT ?`,
    true,
  );

  const packFamily = (p: ChunkPacker, family: string) => {
    let after: string | null = null;
    for (;;) {
      if (p.items >= p.maxItems) p.close();
      const room = p.room;
      const g = group.get(family, after, room) as { body: Buffer | null; items: number; last: string | null };
      if (!g.items) break;
      if (p.fits(g.body!.length, g.items)) p.add(g.body!, g.items);
      else for (const item of items.all(family, after, room) as Buffer[]) p.addItem(item);
      after = g.last;
      if (g.items < room) break;
    }
  };

  return (maxItems, maxBytes) =>
    db.transaction((): SnapshotChunks => {
      const p = new ChunkPacker(maxItems, maxBytes);
      for (const family of FAMILY_ORDER) packFamily(p, family);
      const chunks = p.finish();
      return { seq: head(), total: p.total, chunks };
    })();
}
