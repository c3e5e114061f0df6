/**
 * A snapshot through the real link store (src/main/core/link/apply.ts) into the alerts module on real
 * SQLite: the bulk path must store exactly what one-by-one upserts stored, history included, and leave
 * the schema as the migrations made it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BULK_ROWS } from '@core/alerts/bulk';
import { createAlertsModule, type AlertsModule } from '@core/alerts/module';
import { FLUSH_DELAY_MS } from '@core/alerts/changes';
import { createAlertRepo } from '@core/alerts/repo';
import { createSyncStore, type SyncStore } from '@core/link/apply';
import { silentLogger } from '@node/log';
import type { Alert } from '@shared/alerts';
import { firingAlert } from '@test/helpers/alerts';
import { makeCtx, type TestCtx } from './helpers';

let t: TestCtx;
let mod: AlertsModule;
let store: SyncStore;
let seq = 0;
const touched: string[] = [];

beforeEach(() => {
  t = makeCtx();
  t.ctx.touch = (c) => void touched.push(c);
  touched.length = 0;
  mod = createAlertsModule(t.ctx, { submit: () => Promise.reject(new Error('no actions here')) as never });
  mod.start!();
  store = createSyncStore(t.ctx.db, mod.appliers!, silentLogger, () => t.clock.now());
});
afterEach(() => {
  mod.stop!();
  t.cleanup();
});

const snapshot = (items: { kind: string; data: unknown }[]) => store.applySnapshot({ seq: ++seq, serverId: 's', platform: 'p', items, at: t.clock.now() });
const upserts = (alerts: unknown[]) => alerts.map((data) => ({ kind: 'alert.upsert', data }));
const repo = () => createAlertRepo(t.ctx.db);
/** the history rows written (repo.history() also shows a "firing" at startsAt where none was written) */
const written = (fp: string) =>
  t.ctx.db.prepare('SELECT fingerprint, at, kind, detail FROM alert_events WHERE fingerprint = ? ORDER BY at DESC, id DESC').all(fp) as { kind: string }[];
const indexes = () => t.ctx.db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alerts' ORDER BY name").all();
const many = (n: number, over: (i: number) => Partial<Alert> = () => ({})) =>
  Array.from({ length: n }, (_, i) => firingAlert({ fingerprint: `fp${String(i).padStart(5, '0')}`, startsAt: i, updatedAt: 1000 + i, ...over(i) }));

describe('a snapshot through the bulk path', () => {
  it('stores every alert, writes no history for alerts first seen, rebuilds the indexes it dropped', () => {
    const before = indexes();
    const list = many(BULK_ROWS * 2 + 37, (i) => (i % 5 ? {} : { ackedBy: 'li.wei' }));
    expect(snapshot(upserts(list))).toMatchObject({ applied: list.length, rejected: 0 });
    expect(repo().list()).toHaveLength(list.length);
    expect(repo().get('fp00005')).toEqual(list[5]);
    expect(written('fp00005')).toEqual([]);
    expect(repo().history('fp00005')).toEqual([{ fingerprint: 'fp00005', at: 5, kind: 'firing', detail: '' }]);
    expect(written('fp00436')).toEqual([]);
    expect(indexes()).toEqual(before);
    expect(touched).toEqual(['alerts']);
  });

  it('again: unchanged alerts add no history, changed ones add one entry, dropped ones are removed', () => {
    const list = many(BULK_ROWS + 10);
    snapshot(upserts(list.slice(0, 5)));
    // the rest arrive as events, which record their first state
    store.applyBatch(list.slice(5).map((data, i) => ({ seq: seq + 1 + i, kind: 'alert.upsert', data, at: 0 })));
    t.clock.advance(FLUSH_DELAY_MS);
    const next = list.slice(1).map((a, i) => (i === 10 ? { ...a, state: 'resolved' as const, updatedAt: 5000 } : a));
    snapshot(upserts(next));
    t.clock.advance(FLUSH_DELAY_MS);
    expect(repo().get(list[0].fingerprint)).toBeNull();
    expect(written(next[10].fingerprint).map((e) => e.kind)).toEqual(['resolved', 'firing']);
    expect(written(next[4].fingerprint).map((e) => e.kind)).toEqual(['firing']);
    expect(t.eventsOf('alertsChanged').at(-1)).toMatchObject({ reset: false, removed: [list[0].fingerprint] });
    expect(mod.counts().bySeverity.P1.total).toBe(list.length - 2);
  });

  it('a fingerprint twice in one snapshot: the later wins, its history in order', () => {
    const a = firingAlert({ fingerprint: 'dup', updatedAt: 1 });
    snapshot(upserts([...many(BULK_ROWS - 1), a, ...many(5, (i) => ({ fingerprint: `z${i}` })), { ...a, ackedBy: 'zhang', updatedAt: 2 }]));
    expect(repo().get('dup')?.ackedBy).toBe('zhang');
    expect(written('dup').map((e) => e.kind)).toEqual(['acked']);
    expect(repo().list()).toHaveLength(BULK_ROWS + 5);
  });

  it('an alert removed within the snapshot is gone; a bad alert is refused alone', () => {
    const list = many(BULK_ROWS + 3);
    const r = snapshot([...upserts(list.slice(0, -1)), { kind: 'alert.remove', data: { fingerprint: list[2].fingerprint } }, { kind: 'alert.upsert', data: { ...list.at(-1), severity: 'P9' } }]);
    expect(r).toMatchObject({ applied: list.length, rejected: 1 }); // the upserts and the remove
    expect(repo().get(list[2].fingerprint)).toBeNull();
    expect(repo().list()).toHaveLength(list.length - 2);
    expect(repo().get(list.at(-2)!.fingerprint)).not.toBeNull();
  });

  it('a snapshot that fails as a whole leaves the cache, its history and the indexes as they were', () => {
    const list = many(50);
    snapshot(upserts(list));
    const before = indexes();
    t.ctx.db.exec("CREATE TRIGGER no_cursor BEFORE INSERT ON sync_cursor BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => snapshot(upserts(many(BULK_ROWS * 3, (i) => ({ fingerprint: `new${i}`, severity: 'P0' }))))).toThrow(/disk full/);
    expect(indexes()).toEqual(before);
    expect(repo().list()).toHaveLength(50);
    expect(written(list[0].fingerprint)).toHaveLength(0);
    // events after the failed snapshot take the single-row path and still find the rows it left
    t.ctx.db.exec('DROP TRIGGER no_cursor');
    return Promise.resolve().then(() => {
      store.applyBatch([{ seq: store.read()!.cursor + 1, kind: 'alert.upsert', data: { ...list[0], ackedBy: 'li.wei', updatedAt: 5000 }, at: 0 }]);
      expect(written(list[0].fingerprint).map((e) => e.kind)).toEqual(['acked']);
    });
  });

  it('a snapshot transaction that ends without endSnapshot() (rolled back) does not leave the bulk path on', async () => {
    const up = mod.appliers!.find((a) => a.kind === 'alert.upsert')!;
    const keep = firingAlert({ fingerprint: 'keep', updatedAt: 10 });
    snapshot(upserts([keep]));
    expect(() =>
      t.ctx.db.transaction(() => {
        up.reset!();
        up.apply(firingAlert({ fingerprint: 'other' }), { seq: 0, at: 0 });
        throw new Error('the link failed before the end of the snapshot');
      })(),
    ).toThrow();
    await Promise.resolve(); // the next event arrives in a later task
    store.applyBatch([{ seq: store.read()!.cursor + 1, kind: 'alert.upsert', data: { ...keep, ackedBy: 'li.wei', updatedAt: 20 }, at: 0 }]);
    expect(repo().get('keep')?.ackedBy).toBe('li.wei');
    expect(written('keep').map((e) => e.kind)).toEqual(['acked']);
    expect(repo().get('other')).toBeNull();
  });

  it('applying the same snapshot twice stores the same thing as once', () => {
    const list = many(BULK_ROWS + 1, (i) => ({ severity: (['P0', 'P1', 'P2', 'P3'] as const)[i % 4] }));
    snapshot(upserts(list));
    const once = { alerts: repo().list(), events: t.ctx.db.prepare('SELECT fingerprint, at, kind, detail FROM alert_events ORDER BY id').all(), counts: repo().counts() };
    snapshot(upserts(list));
    expect({ alerts: repo().list(), events: t.ctx.db.prepare('SELECT fingerprint, at, kind, detail FROM alert_events ORDER BY id').all(), counts: repo().counts() }).toEqual(once);
  });
});
