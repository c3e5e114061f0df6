import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunbookSearchResult } from '../../../src/shared/runbooks';
import { highlight } from '../../../src/main/core/knowledge/search';
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
