import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunbookSearchResult } from '@shared/runbooks';
import { highlight } from '@core/knowledge/search';
import { createHarness, type Harness } from './harness';

let h: Harness;
const search = (query: string, extra: { service?: string; tag?: string } = {}) =>
  h.module.handlers.runbooksSearch({ query, ...extra }) as RunbookSearchResult;
const ids = (r: RunbookSearchResult) => r.hits.map((x) => x.runbook.id);
const joined = (segs: { text: string; hit: boolean }[]) => segs.map((s) => (s.hit ? `[${s.text}]` : s.text)).join('');

beforeEach(() => {
  h = createHarness();
  h.upsertRunbook({
    id: 'orders-pull',
    title: '订单拉取延迟升高',
    service: 'ozon-orders',
    tags: ['ozon', 'latency'],
    alertnames: ['OzonOrdersPullLatencyHigh'],
    markdown: '# 订单拉取延迟升高\n\n## 症状\n夜间批量任务运行时，拉单延迟持续超过两分钟，店铺后台看到新单入库变慢。\n',
  });
  h.upsertRunbook({
    id: 'shipments-push',
    title: '发货回传失败骤增',
    service: 'ozon-shipments',
    tags: ['ozon'],
    markdown: '# 发货回传失败骤增\n\n## 诊断\n- 对比拉单延迟和回传失败是否同时上升\n- 查看平台回执里的错误码\n',
  });
  h.upsertRunbook({
    id: 'db-slow',
    title: 'Database p95 slow queries',
    service: 'postgres',
    tags: ['db', 'latency'],
    markdown:
      '# Database p95 slow queries\n\n## Symptoms\nQueries above 500 ms for ten minutes. Check lock waits; lock waits pile up behind a long migration.\n',
  });
  h.upsertRunbook({
    id: 'api-latency',
    title: 'API P99 latency above 5 s',
    service: 'checkout-api',
    tags: ['rollback'],
    markdown: '# API P99 latency above 5 s\n\n## Diagnosis\n- Look at database slow queries and lock waits first.\n',
  });
});
afterEach(() => h.close());

describe('runbook search', () => {
  it('finds a Chinese substring inside a longer sentence through the trigram index', () => {
    const r = search('拉单延迟');
    expect(r.mode).toBe('fts');
    expect(ids(r).sort()).toEqual(['orders-pull', 'shipments-push']);
    const hit = r.hits.find((x) => x.runbook.id === 'orders-pull')!;
    expect(joined(hit.snippet)).toContain('[拉单延迟]持续超过两分钟');
  });

  it('finds English words case-insensitively and ranks title matches first', () => {
    const r = search('slow QUERIES');
    expect(ids(r)).toEqual(['db-slow', 'api-latency']);
    expect(r.hits[0].matchedIn).toContain('title');
    expect(r.hits[1].matchedIn).toEqual(['body']);
    expect(joined(r.hits[0].title)).toBe('Database p95 [slow] [queries]');
  });

  it('ranks a title match above a body that mentions the term more often', () => {
    h.upsertRunbook({ id: 'lock-guide', title: 'Lock waits', markdown: '# Lock waits\nsee below' });
    // two more runbooks keep "lock" and "waits" under half of the collection (3 of 7), so they rank the body
    h.upsertRunbook({ id: 'disk-full', title: 'Disk full', markdown: '# Disk full\nfree space first' });
    h.upsertRunbook({ id: 'cert-expiry', title: 'Certificate expiry', markdown: '# Certificate expiry\nrenew it' });
    const r = search('lock waits');
    expect(ids(r)[0]).toBe('lock-guide');
    // among body-only matches, more occurrences rank higher
    expect(ids(r).slice(1)).toEqual(['db-slow', 'api-latency']);
  });

  it('uses a LIKE scan for one- and two-character terms, ranking the same way', () => {
    const two = search('拉单');
    expect(two.mode).toBe('like');
    // one body mention each: the tie is broken by title (发 < 订)
    expect(ids(two)).toEqual(['shipments-push', 'orders-pull']);
    const one = search('db');
    expect(one.mode).toBe('like');
    expect(ids(one)[0]).toBe('db-slow'); // its tag "db" (meta) beats body mentions
    // the same query answered by both paths orders its results identically
    const viaFts = ids(search('latency'));
    const viaLikeMixed = ids(search('latency p'));
    expect(search('latency p').mode).toBe('mixed');
    expect(viaLikeMixed).toEqual(viaFts.filter((id) => viaLikeMixed.includes(id)));
  });

  it('requires every term, escapes LIKE wildcards and FTS syntax', () => {
    expect(ids(search('ozon 拉单'))).toEqual(['shipments-push', 'orders-pull']);
    expect(ids(search('postgres 拉单'))).toEqual([]);
    expect(search('%').total).toBe(0);
    expect(search('_').total).toBe(0);
    expect(() => search('"AND OR NEAR(')).not.toThrow();
    expect(search('"5 s').total).toBe(0);
  });

  it('filters by service and by tag, with or without a query', () => {
    expect(ids(search('', { tag: 'latency' }))).toEqual(['db-slow', 'orders-pull']);
    expect(search('', { tag: 'latency' }).mode).toBe('all');
    expect(ids(search('延迟', { service: 'ozon-shipments' }))).toEqual(['shipments-push']);
    expect(ids(search('latency', { service: 'postgres' }))).toEqual(['db-slow']);
  });

  it('finds runbooks by alert name and service (meta) and keeps the index in step with updates and removals', () => {
    expect(ids(search('OzonOrdersPullLatencyHigh'))).toEqual(['orders-pull']);
    h.upsertRunbook({ id: 'orders-pull', title: 'Orders pull slow', markdown: '# Orders pull slow\nno chinese here' });
    expect(ids(search('拉单延迟'))).toEqual(['shipments-push']);
    expect(ids(search('OzonOrdersPullLatencyHigh'))).toEqual([]);
    h.apply('runbook.remove', { id: 'shipments-push' });
    expect(search('拉单延迟').total).toBe(0);
    expect(h.db.prepare('SELECT count(*) AS n FROM runbooks_fts').get()).toEqual({ n: 3 });
  });

  it('lists facets for the filters', () => {
    const f = h.module.handlers.runbookFacets() as {
      services: { name: string }[];
      tags: { name: string; count: number }[];
    };
    expect(f.services.map((s) => s.name)).toEqual(['checkout-api', 'ozon-orders', 'ozon-shipments', 'postgres']);
    expect(f.tags).toContainEqual({ name: 'latency', count: 2 });
  });

  it('highlights overlapping terms as one segment and never produces markup', () => {
    expect(joined(highlight('abcdef', ['bcd', 'cde']))).toBe('a[bcde]f');
    expect(highlight('<b>x</b>', ['x'])).toEqual([
      { text: '<b>', hit: false },
      { text: 'x', hit: true },
      { text: '</b>', hit: false },
    ]);
  });
});

describe('a term in at least half of the runbooks does not rank the body', () => {
  // 4 runbooks: "kubectl" in every body (N = 4, n = 4), "etcd" in two (n = 2: exactly half), "quorum" in one.
  // Titles order a < b < c < d; bodies mention kubectl most in d, least in a, so ranking by it would reverse them.
  beforeEach(() => {
    h.close();
    h = createHarness();
    const rb = (id: string, title: string, markdown: string) => h.upsertRunbook({ id, title, markdown });
    rb('a', 'Alpha', 'kubectl get pods');
    rb('b', 'Bravo', 'kubectl kubectl etcd quorum check');
    rb('c', 'Charlie', 'kubectl kubectl kubectl etcd etcd etcd');
    rb('d', 'Delta', 'kubectl kubectl kubectl kubectl kubectl');
  });

  it('orders by title within the tiers when no term is discriminating, still reporting the body', () => {
    const r = search('kubectl');
    expect(ids(r)).toEqual(['a', 'b', 'c', 'd']);
    expect(r.total).toBe(4);
    expect(r.hits.every((x) => x.matchedIn.join() === 'body')).toBe(true);
    // exactly half is not discriminating either
    expect(ids(search('etcd'))).toEqual(['b', 'c']);
    expect(ids(search('kubectl etcd'))).toEqual(['b', 'c']);
    // the title tier still counts every term
    expect(ids(search('kubectl delta'))).toEqual(['d']);
    // "l" is in every body (kubectl) and in the titles of a, c and d
    expect(ids(search('kubectl l'))).toEqual(['a', 'c', 'd', 'b']);
  });

  it('ranks the body by the discriminating terms only', () => {
    h.upsertRunbook({ id: 'e', title: 'Echo', markdown: 'nothing to see' }); // N = 5: etcd (2) now discriminates
    expect(ids(search('etcd'))).toEqual(['c', 'b']);
    expect(ids(search('kubectl etcd'))).toEqual(['c', 'b']);
    expect(search('kubectl etcd').total).toBe(2);
    // b has etcd once, kubectl twice; c etcd three times: kubectl (4 of 5) adds nothing to the order
    expect(ids(search('quorum kubectl'))).toEqual(['b']);
  });

  it('breaks a tie of the discriminating terms by title, whatever the common ones say', () => {
    h.close();
    h = createHarness();
    // same lengths, one etcd each: a bm25 tie on etcd; x has more kubectl (in 4 of 5, so it does not rank)
    h.upsertRunbook({ id: 'x', title: 'Xray', markdown: 'etcd kubectl kubectl kubectl' });
    h.upsertRunbook({ id: 'w', title: 'Wolf', markdown: 'etcd kubectl zzzzzzz zzzzzzz' });
    h.upsertRunbook({ id: 'f1', title: 'Filler one', markdown: 'kubectl' });
    h.upsertRunbook({ id: 'f2', title: 'Filler two', markdown: 'kubectl' });
    h.upsertRunbook({ id: 'f3', title: 'Filler three', markdown: 'nothing' });
    expect(ids(search('etcd'))).toEqual(['w', 'x']);
    expect(ids(search('kubectl etcd'))).toEqual(['w', 'x']);
  });

  it('applies the same rule to short terms', () => {
    h.upsertRunbook({ id: 'e', title: 'Echo', markdown: 'nothing to see' });
    h.upsertRunbook({ id: 'f', title: 'Foxtrot', markdown: 'nothing here' });
    // "ku" is in 4 of 6 runbooks (ties: title order); "cd" in 2 of 6 (ranks: c has three, b one)
    expect(ids(search('ku'))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(search('cd'))).toEqual(['c', 'b']);
    expect(ids(search('ku cd'))).toEqual(['c', 'b']);
    expect(ids(search('kubectl cd'))).toEqual(['c', 'b']); // mixed: long term common, short one ranks
    expect(search('kubectl cd').mode).toBe('mixed');
  });

  it('counts terms again after the runbooks change', () => {
    expect(ids(search('etcd'))).toEqual(['b', 'c']); // 2 of 4, cached
    h.upsertRunbook({ id: 'e', title: 'Echo', markdown: 'nothing to see' });
    expect(ids(search('etcd'))).toEqual(['c', 'b']); // 2 of 5
    h.apply('runbook.remove', { id: 'e' });
    expect(ids(search('etcd'))).toEqual(['b', 'c']);
  });
});

describe('platform snapshot', () => {
  it('reset drops synced runbooks and their index entries, keeping local imports', () => {
    h.db.prepare("UPDATE runbooks SET origin = 'local' WHERE id = 'db-slow'").run();
    const applier = h.module.appliers!.find((a) => a.kind === 'runbook.upsert')!;
    h.db.transaction(() => applier.reset!())();
    expect(h.db.prepare('SELECT id FROM runbooks').all()).toEqual([{ id: 'db-slow' }]);
    expect(ids(search('slow queries'))).toEqual(['db-slow']);
    expect(search('拉单延迟').total).toBe(0);
  });
});
