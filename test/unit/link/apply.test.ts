import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EventApplier } from '@core/context';
import { createSyncStore, type InboundEvent } from '@core/link/apply';
import { silentLogger } from '@node/log';
import { type DB } from '@node/sqlite';
import { openCoreDatabase } from '@core/store/open';
import { tempDir } from '@test/helpers/tmp';

/** A stand-in module: key/value rows with the same contract as the real appliers (validate, throw on bad data). */
function kvAppliers(db: DB): EventApplier[] {
  db.exec('CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const set = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v');
  const del = db.prepare('DELETE FROM kv WHERE k = ?');
  const Set_ = z.object({ k: z.string().min(1), v: z.number().int() });
  return [
    {
      kind: 'kv.set',
      apply(data) {
        const d = Set_.parse(data);
        set.run(d.k, d.v);
        // a write before the failure: the savepoint must roll it back
        if (d.v < 0) {
          set.run(`${d.k}-partial`, d.v);
          throw new Error('negative values are refused');
        }
        return 'alerts';
      },
      reset: () => db.exec('DELETE FROM kv'),
    },
    {
      kind: 'kv.del',
      apply(data) {
        del.run(z.object({ k: z.string() }).parse(data).k);
        return 'alerts';
      },
    },
  ];
}

const dirs: { cleanup(): void }[] = [];
const dbs: DB[] = [];
function setup(inMemory = false) {
  let file = ':memory:';
  if (!inMemory) {
    const t = tempDir('vigil-apply-');
    dirs.push(t);
    file = `${t.dir}/vigil.db`;
  }
  const db = openCoreDatabase(file);
  dbs.push(db);
  let now = 1000;
  const store = createSyncStore(db, kvAppliers(db), silentLogger, () => ++now);
  const kv = () =>
    Object.fromEntries(
      (db.prepare('SELECT k, v FROM kv ORDER BY k').all() as { k: string; v: number }[]).map((r) => [r.k, r.v]),
    );
  const rejects = () =>
    db.prepare('SELECT seq, kind FROM sync_rejects ORDER BY id').all() as { seq: number; kind: string }[];
  return { db, store, kv, rejects };
}
afterEach(() => {
  dbs.splice(0).forEach((d) => d.close());
  dirs.splice(0).forEach((d) => d.cleanup());
});

const ev = (seq: number, kind: string, data: unknown): InboundEvent => ({ seq, kind, data, at: seq });

describe('sync store', () => {
  it('refuses events before a snapshot gave it a base', () => {
    const { store, kv } = setup();
    const r = store.applyBatch([ev(1, 'kv.set', { k: 'a', v: 1 })]);
    expect(r.gapAt).toBe(1);
    expect(kv()).toEqual({});
    expect(store.read()).toBeNull();
  });

  it('replaces the cache with a snapshot (reset first) and stores its seq and server id', () => {
    const { store, kv } = setup();
    store.applySnapshot({
      seq: 5,
      serverId: 's1',
      platform: 'ws://x',
      items: [{ kind: 'kv.set', data: { k: 'old', v: 1 } }],
      at: 0,
    });
    store.applySnapshot({
      seq: 9,
      serverId: 's2',
      platform: 'ws://y',
      items: [{ kind: 'kv.set', data: { k: 'new', v: 2 } }],
      at: 0,
    });
    expect(kv()).toEqual({ new: 2 });
    expect(store.read()).toEqual({ cursor: 9, serverId: 's2' });
  });

  it('applies in seq order, skips duplicates, stops at a gap and stores nothing past it', () => {
    const { store, kv } = setup();
    store.applySnapshot({ seq: 0, serverId: 's', platform: 'p', items: [], at: 0 });
    const r = store.applyBatch([
      ev(1, 'kv.set', { k: 'a', v: 1 }),
      ev(1, 'kv.set', { k: 'a', v: 99 }),
      ev(2, 'kv.set', { k: 'b', v: 2 }),
      ev(4, 'kv.set', { k: 'c', v: 4 }),
      ev(5, 'kv.set', { k: 'd', v: 5 }),
    ]);
    expect(r).toMatchObject({ applied: 2, duplicates: 1, gapAt: 4, cursor: 2 });
    expect(kv()).toEqual({ a: 1, b: 2 });
    expect(store.read()?.cursor).toBe(2);
    // an old event replayed after a reconnect changes nothing
    expect(store.applyBatch([ev(1, 'kv.set', { k: 'a', v: 42 })])).toMatchObject({
      applied: 0,
      duplicates: 1,
      cursor: 2,
    });
    expect(kv()).toEqual({ a: 1, b: 2 });
  });

  it('ignores and counts unknown kinds but moves the cursor past them', () => {
    const { store, kv } = setup();
    store.applySnapshot({ seq: 0, serverId: 's', platform: 'p', items: [{ kind: 'from.the.future', data: 1 }], at: 0 });
    const r = store.applyBatch([ev(1, 'from.the.future', { x: 1 }), ev(2, 'kv.set', { k: 'a', v: 1 })]);
    expect(r).toMatchObject({ applied: 1, unknownKinds: 1, cursor: 2 });
    expect(kv()).toEqual({ a: 1 });
  });

  it('rolls back an event its applier refuses, records it, and keeps the rest of the batch', () => {
    const { store, kv, rejects } = setup();
    store.applySnapshot({ seq: 0, serverId: 's', platform: 'p', items: [], at: 0 });
    const r = store.applyBatch([
      ev(1, 'kv.set', { k: 'a', v: 1 }),
      ev(2, 'kv.set', { k: 'bad', v: -1 }),
      ev(3, 'kv.set', { k: 'wrong', v: 'x' }),
      ev(4, 'kv.set', { k: 'c', v: 3 }),
    ]);
    expect(r).toMatchObject({ applied: 2, rejected: 2, cursor: 4 });
    expect(kv()).toEqual({ a: 1, c: 3 });
    expect(rejects()).toEqual([
      { seq: 2, kind: 'kv.set' },
      { seq: 3, kind: 'kv.set' },
    ]);
  });

  it('writes a batch and its cursor atomically: a failure of the store itself leaves neither', () => {
    const { db, store, kv } = setup();
    store.applySnapshot({ seq: 0, serverId: 's', platform: 'p', items: [], at: 0 });
    // the cursor row cannot be written: the whole batch must roll back with it
    db.exec("CREATE TRIGGER no_cursor BEFORE UPDATE ON sync_cursor BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => store.applyBatch([ev(1, 'kv.set', { k: 'a', v: 1 })])).toThrow(/disk full/);
    expect(kv()).toEqual({});
    expect(store.read()?.cursor).toBe(0);
  });

  it('property: applying a stream twice, in any batching, equals applying it once', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('kv.set'),
        data: fc.record({ k: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.integer({ min: -2, max: 50 }) }),
      }),
      fc.record({ kind: fc.constant('kv.del'), data: fc.record({ k: fc.constantFrom('a', 'b', 'c', 'd') }) }),
      fc.record({ kind: fc.constant('unknown.kind'), data: fc.jsonValue() }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 40 }),
        (ops, cuts, replayFrom) => {
          const stream = ops.map((o, i) => ev(i + 1, o.kind, o.data));
          const once = setup(true);
          once.store.applySnapshot({ seq: 0, serverId: 's', platform: 'p', items: [], at: 0 });
          once.store.applyBatch(stream);
          const twice = setup(true);
          twice.store.applySnapshot({ seq: 0, serverId: 's', platform: 'p', items: [], at: 0 });
          // the same stream in random batches, then again from some earlier point (a reconnect replay)
          const feed = [...stream, ...stream.slice(Math.min(replayFrom, stream.length)), ...stream];
          for (let i = 0, c = 0; i < feed.length; c++) {
            const n = cuts[c % cuts.length];
            twice.store.applyBatch(feed.slice(i, i + n));
            i += n;
          }
          expect(twice.kv()).toEqual(once.kv());
          expect(twice.store.read()?.cursor).toBe(stream.length);
          expect(once.store.read()?.cursor).toBe(stream.length);
          dbs.splice(0).forEach((d) => d.close());
        },
      ),
      { numRuns: 100 },
    );
  });
});
