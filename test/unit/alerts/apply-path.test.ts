/**
 * The alerts module behind the link's real SyncStore (issue #19's apply path): the upsert reads the row it
 * compares with once, writes only what changed (the content alone when no indexed column changed), stamps
 * the freshness once per batch, and the flush after a committed batch evaluates the alerts as written
 * instead of reading each back — but after a rollback (a refused event, a failing store) it trusts nothing
 * it noted and reads the store, so what the renderer and the policy are told is always what is stored.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cutAlert } from '@shared/alert-view';
import { pageFromWire } from '@shared/contract/alert-rows';
import type { Alert } from '@shared/alerts';
import type { AlertPageCursor } from '@shared/contract/alerts';
import type { AlertsModule } from '@core/alerts/module';
import { FLUSH_DELAY_MS } from '@core/alerts/changes';
import { createAlertRepo } from '@core/alerts/repo';
import { createSyncStore, type InboundEvent } from '@core/link/apply';
import { silentLogger } from '@node/log';
import { firingAlert as alert } from '@test/helpers/alerts';
import { makeCtx, startAlertsModule, type TestCtx } from './helpers';

let t: TestCtx;
let mod: AlertsModule;
let sync: ReturnType<typeof createSyncStore>;
let seq = 0;

beforeEach(() => {
  t = makeCtx();
  ({ mod } = startAlertsModule(t));
  sync = createSyncStore(t.ctx.db, mod.appliers!, silentLogger, () => t.clock.now());
  // an empty snapshot gives the cache its cursor
  sync.applySnapshot({ seq: 0, serverId: 's', platform: 'ws://x', items: [], at: t.clock.now() });
  seq = 0;
  t.clock.advance(FLUSH_DELAY_MS);
  t.events.length = 0;
});
afterEach(() => {
  mod.stop!();
  t.cleanup();
});

const ev = (kind: string, data: unknown): InboundEvent => ({ seq: ++seq, kind, data, at: t.clock.now() });
const upsert = (a: Alert) => ev('alert.upsert', a);
const flush = () => t.clock.advance(FLUSH_DELAY_MS);
const stored = () => createAlertRepo(t.ctx.db).list();
const lastChanged = () => t.eventsOf('alertsChanged').at(-1)!;

describe('the apply path through the sync store', () => {
  it('a committed batch is told from what was written: the same alerts the store holds, none read back', () => {
    const a = alert({ fingerprint: 'a', severity: 'P0' });
    const b = alert({ fingerprint: 'b', severity: 'P2', labels: { alertname: 'QueueBacklog' } });
    sync.applyBatch([upsert(a), upsert(b), upsert({ ...a, annotations: { summary: 'worse' }, updatedAt: a.updatedAt + 1 })]);
    flush();
    const changed = lastChanged();
    expect(changed.upserted.map((x) => x.fingerprint).sort()).toEqual(['a', 'b']);
    // exactly what the store holds
    const byFp = new Map(stored().map((x) => [x.fingerprint, x]));
    for (const x of changed.upserted) expect(x).toEqual(byFp.get(x.fingerprint));
    expect(changed.upserted.find((x) => x.fingerprint === 'a')!.annotations.summary).toBe('worse');
    expect(t.notifier.sent.map((n) => n.title)).toEqual(['[P0] OrderPullFailures · order-sync', '[P2] QueueBacklog']);
  });

  it('stamps the freshness once per batch, with the batch', () => {
    const fresh = () => (t.ctx.db.prepare("SELECT fetched_at FROM collection_meta WHERE collection = 'alerts'").get() as { fetched_at: number } | undefined)?.fetched_at;
    t.clock.advance(1000);
    sync.applyBatch([upsert(alert({ fingerprint: 'a' })), upsert(alert({ fingerprint: 'b' }))]);
    expect(fresh()).toBe(t.clock.now());
    t.clock.advance(1000);
    sync.applyBatch([ev('silence.remove', { id: 'none' })]);
    expect(fresh()).toBe(t.clock.now() - 1000); // no alert written: not stamped again
  });

  it('a refused event rolls the fast pass back: the alerts of the batch that stayed are told as stored, the refused one not', () => {
    const a = alert({ fingerprint: 'a', severity: 'P1' });
    const c = alert({ fingerprint: 'c', severity: 'P1', labels: { alertname: 'Other' } });
    const r = sync.applyBatch([upsert(a), ev('alert.upsert', { fingerprint: 'bad' }), upsert(c)]);
    expect(r).toMatchObject({ applied: 2, rejected: 1 });
    flush();
    const changed = lastChanged();
    expect(changed.upserted.map((x) => x.fingerprint).sort()).toEqual(['a', 'c']);
    const byFp = new Map(stored().map((x) => [x.fingerprint, x]));
    for (const x of changed.upserted) expect(x).toEqual(byFp.get(x.fingerprint));
  });

  it('a batch whose store fails is rolled back and told to nobody', () => {
    const a = alert({ fingerprint: 'a', severity: 'P0' });
    sync.applyBatch([upsert(a)]);
    flush();
    t.events.length = 0;
    const sent = t.notifier.sent.length;
    // the cursor update fails after the alert was written: the whole transaction rolls back
    t.ctx.db.exec(`CREATE TRIGGER fail BEFORE UPDATE ON sync_cursor BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => sync.applyBatch([upsert({ ...a, state: 'resolved', endsAt: a.updatedAt + 5, updatedAt: a.updatedAt + 5 })])).toThrow('disk full');
    seq--; // the failed event was not stored: it comes again
    // the store works again; the next batch commits (and must not carry what the failed one wrote)
    t.ctx.db.exec('DROP TRIGGER fail');
    sync.applyBatch([upsert(alert({ fingerprint: 'other', severity: 'P3', labels: { alertname: 'Other' } }))]);
    flush();
    // the row is the one before; whatever is told matches it, and nothing is told resolved
    for (const e of t.eventsOf('alertsChanged')) for (const x of e.upserted) expect(x).toEqual(stored().find((s) => s.fingerprint === x.fingerprint));
    expect(stored().find((x) => x.fingerprint === 'a')!.state).toBe('firing');
    expect(t.notifier.sent.length).toBe(sent);
  });

  it('an alert upserted, removed and upserted again in one batch is stored and told as its last write', () => {
    const a = alert({ fingerprint: 'a', severity: 'P1' });
    sync.applyBatch([upsert(a), ev('alert.remove', { fingerprint: 'a' }), upsert({ ...a, severity: 'P0', updatedAt: a.updatedAt + 2 })]);
    sync.applyBatch([upsert(alert({ fingerprint: 'b' })), ev('alert.remove', { fingerprint: 'b' })]);
    flush();
    expect(stored().map((x) => [x.fingerprint, x.severity])).toEqual([['a', 'P0']]);
    const changed = lastChanged();
    expect(changed.upserted).toEqual(stored());
    expect(changed.removed).toEqual([]); // b never existed before the flush: nothing to tell
    expect(t.ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('an update that changes no indexed column rewrites the row only; one that does, the indexes too', () => {
    const a = alert({ fingerprint: 'a', severity: 'P2' });
    sync.applyBatch([upsert(a)]);
    sync.applyBatch([upsert({ ...a, annotations: { summary: 'new text' }, updatedAt: a.updatedAt + 1 })]);
    sync.applyBatch([upsert({ ...a, annotations: { summary: 'new text' }, severity: 'P0', updatedAt: a.updatedAt + 2 })]);
    sync.applyBatch([upsert({ ...a, annotations: { summary: 'new text' }, severity: 'P0', ackedBy: 'li.wei', updatedAt: a.updatedAt + 3 })]);
    const row = stored()[0];
    expect(row).toMatchObject({ severity: 'P0', ackedBy: 'li.wei', annotations: { summary: 'new text' }, updatedAt: a.updatedAt + 3 });
    // the indexes agree with the row (an index left stale would answer these differently)
    expect(t.ctx.db.prepare("SELECT fingerprint FROM alerts INDEXED BY alerts_open WHERE state = 'firing' AND severity = 'P0' AND acked_by = 'li.wei'").all()).toHaveLength(1);
    expect(t.ctx.db.prepare("SELECT fingerprint FROM alerts INDEXED BY alerts_console_order WHERE severity = 'P0'").all()).toHaveLength(1);
    expect(t.ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
  it('a change of the fields after protocol v1 alone (cluster, ack expiry) is stored and told', () => {
    const a = alert({ fingerprint: 'a', cluster: 'prod', ackedBy: 'li.wei', ackedAt: 1, ackExpiresAt: 10_000, ackExtensions: 0, ackAutoExtend: false });
    sync.applyBatch([upsert(a)]);
    flush();
    t.events.length = 0;
    sync.applyBatch([upsert({ ...a, ackExpiresAt: 20_000, ackExtensions: 1, ackAutoExtend: true })]);
    flush();
    expect(stored()[0]).toMatchObject({ cluster: 'prod', ackExpiresAt: 20_000, ackExtensions: 1, ackAutoExtend: true });
    expect(lastChanged().upserted).toEqual(stored());
    sync.applyBatch([upsert({ ...a, ackExpiresAt: 20_000, ackExtensions: 1, ackAutoExtend: true, cluster: 'staging' })]);
    expect(stored()[0].cluster).toBe('staging');
  });
});

describe('alert pages as JSON text', () => {
  it('say exactly what the object pages say, with and without the fields after protocol v1', () => {
    const repo = createAlertRepo(t.ctx.db);
    const batch = Array.from({ length: 30 }, (_, i) =>
      upsert(
        alert({
          fingerprint: `f${i}`,
          severity: (['P0', 'P1', 'P2', 'P3'] as const)[i % 4],
          startsAt: 1000 + (i % 5),
          annotations: { summary: `say "${i}" \\ ü 告警` },
          ...(i % 3 === 0 ? { cluster: `c${i}` } : {}),
          ...(i % 2 === 0 ? { ackedBy: 'li.wei', ackedAt: 5, ackExpiresAt: 9000 + i, ackExtensions: i, ackAutoExtend: i % 4 === 0 } : {}),
          ...(i % 5 === 0 ? { silencedBy: ['s1'], generatorUrl: 'http://x/?a=1&b="2"' } : {}),
        }),
      ),
    );
    sync.applyBatch(batch);
    let cursor = null;
    for (let pages = 0; pages < 10; pages++) {
      const text = repo.pageJson(cursor, 7);
      const page = repo.page(cursor, 7);
      expect(pageFromWire(JSON.parse(text!))).toEqual(page);
      if (!page.next) break;
      cursor = page.next;
    }
    expect(cursor).not.toBeNull();
  });

  it('read the next page of a load ahead, and serve it only to its own request with nothing written since', async () => {
    const repo = createAlertRepo(t.ctx.db);
    sync.applyBatch(Array.from({ length: 40 }, (_, i) => upsert(alert({ fingerprint: `r${String(i).padStart(2, '0')}`, severity: 'P1', startsAt: 5000 - i }))));
    const turn = () => new Promise((r) => setImmediate(r));
    const asText = (cursor: AlertPageCursor | null, limit: number) => pageFromWire(JSON.parse(repo.pageJson(cursor, limit)!))!;
    const first = asText(null, 10);
    const second = asText(first.next, 10); // a page after a cursor: the third is read ahead
    await turn();
    // nothing written: the page read ahead is the page
    const third = asText(second.next, 10);
    expect(third).toEqual(repo.page(second.next, 10));
    await turn(); // the fourth is read ahead now; then an alert on it changes and one is added before it
    sync.applyBatch([upsert(alert({ fingerprint: 'r31', severity: 'P1', startsAt: 5000 - 31, annotations: { summary: 'changed after the read-ahead' } }))]);
    const fourth = asText(third.next, 10);
    expect(fourth).toEqual(repo.page(third.next, 10));
    expect(fourth.alerts.find((a) => a.fingerprint === 'r31')?.annotations.summary).toBe('changed after the read-ahead');
    // a request for another size after the same cursor is read, not served the page read ahead
    await turn();
    expect(asText(fourth.next, 3)).toEqual(repo.page(fourth.next, 3));
  });

  it('say what the object pages say for any text SQLite is given: escapes, controls, lone surrogates, astral characters', () => {
    const repo = createAlertRepo(t.ctx.db);
    const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u2028', '\ud800', '\udfff', '😀', '告', 'é', ' '), maxLength: 12 });
    let n = 0;
    fc.assert(
      fc.property(fc.dictionary(text, text, { maxKeys: 4 }), fc.dictionary(text, text, { maxKeys: 3 }), text, (labels, annotations, name) => {
        const fp = `prop-${++n}`;
        sync.applyBatch([upsert(alert({ fingerprint: fp, alertname: name || 'x', labels, annotations, severity: 'P0', startsAt: 2e12 + n }))]);
        // the newest P0 comes first: the page of one is this alert
        const page = repo.page(null, 1);
        expect(page.alerts[0].fingerprint).toBe(fp);
        expect(pageFromWire(JSON.parse(repo.pageJson(null, 1)!))).toEqual({ ...page, alerts: page.alerts.map(cutAlert) });
      }),
      { numRuns: 150 },
    );
  });

  it('answer null for a page whose stored JSON is damaged (the object path then reports it); other pages still as text', () => {
    const repo = createAlertRepo(t.ctx.db);
    sync.applyBatch([upsert(alert({ fingerprint: 'a', severity: 'P0' })), upsert(alert({ fingerprint: 'b', severity: 'P3' }))]);
    t.ctx.db.prepare("UPDATE alerts SET labels = '{\"alertname\": \"Disk' WHERE fingerprint = 'a'").run();
    expect(repo.pageJson(null, 1)).toBeNull();
    expect(() => repo.page(null, 1)).toThrow();
    const rest = repo.pageJson({ severity: 'P1', startsAt: Number.MAX_SAFE_INTEGER, fingerprint: '' }, 5);
    expect(pageFromWire(JSON.parse(rest!))!.alerts.map((x) => x.fingerprint)).toEqual(['b']);
  });

  it('cut what crosses to the views, as the object path does (alertsPage): 1 MB values, long names, escapes', () => {
    const repo = createAlertRepo(t.ctx.db);
    const MB = 1 << 20;
    const quoted = `${'\\"'.repeat(2000)}x`; // 6001 characters of backslashes and quotes: escapes in the stored JSON
    const batch = [
      alert({ fingerprint: 'big-label', labels: { alertname: 'Disk', blob: 'b'.repeat(MB) } }),
      alert({ fingerprint: 'big-name', annotations: { ['n'.repeat(300)]: 'v' } }),
      alert({ fingerprint: 'escaped', annotations: { summary: quoted } }),
      alert({ fingerprint: 'near', annotations: { description: 'd'.repeat(4096), summary: '"\\'.repeat(50) } }),
      alert({ fingerprint: 'long-url', generatorUrl: `http://x/${'u'.repeat(20_000)}` }),
      alert({ fingerprint: 'plain', annotations: { summary: 'fine' } }),
    ].map(upsert);
    sync.applyBatch(batch);
    const text = repo.pageJson(null, 50)!;
    const page = repo.page(null, 50);
    expect(pageFromWire(JSON.parse(text))).toEqual({ ...page, alerts: page.alerts.map(cutAlert) });
    expect(text.length).toBeLessThan(100_000);
  });
});
