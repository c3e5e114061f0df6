/** The alert table's pipeline: dedup, sort, merge of deltas, filter (text, matchers, states), grouping. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildRows,
  comparator,
  compileQuery,
  DEFAULT_SORT,
  filterEntries,
  FilterCache,
  fingerprintsOf,
  Grouping,
  hayOf,
  keyLabels,
  mergeSorted,
  parseGroupBy,
  rowArray,
  toEntry,
  type Entry,
  type Row,
  type Sort,
} from '@renderer/features/alerts/model';
import { findRelatedPanel, metricNames, seriesForAlert } from '@renderer/features/alerts/related';
import { prefillMatchers } from '@renderer/features/alerts/Dialogs';
import type { Dashboard } from '@shared/dashboards';
import { firingAlert } from '@test/helpers/alerts';

const q = (text = '', matchers = '', states: ('firing' | 'acked' | 'silenced' | 'resolved')[] = []) => compileQuery({ text, matchers, states });
const fps = (rows: ReturnType<typeof buildRows>['rows']) => rows.map((r) => (r.kind === 'group' ? `#${r.key}` : r.e.a.fingerprint));

const sample = () =>
  [
    firingAlert({ fingerprint: 'a', severity: 'P2', labels: { alertname: 'TaskBacklogHigh', service: 'tasks' }, startsAt: 3 }),
    firingAlert({ fingerprint: 'b', severity: 'P0', labels: { alertname: 'ApiP99Slow', service: 'api' }, startsAt: 1 }),
    firingAlert({ fingerprint: 'c', severity: 'P1', labels: { alertname: 'OrderPullFailures', service: 'ozon-orders' }, startsAt: 2, ackedBy: 'li.wei' }),
    firingAlert({ fingerprint: 'd', severity: 'P1', labels: { alertname: 'OrderPullFailures', service: 'ozon-orders' }, startsAt: 5 }),
    firingAlert({ fingerprint: 'e', severity: 'P3', labels: { alertname: 'FxRefreshLagging', service: 'fx' }, state: 'resolved', startsAt: 4 }),
  ].map(toEntry);

describe('sorting and deltas', () => {
  it('sorts by severity, then newest first, with a total order', () => {
    const sorted = sample().sort(comparator(DEFAULT_SORT));
    expect(sorted.map((e) => e.a.fingerprint)).toEqual(['b', 'd', 'c', 'a', 'e']);
    expect(sample().sort(comparator({ key: 'age', desc: false })).map((e) => e.a.fingerprint)).toEqual(['d', 'e', 'a', 'c', 'b']);
    expect(sample().sort(comparator({ key: 'state', desc: false })).map((e) => e.display)).toEqual(['firing', 'firing', 'firing', 'acked', 'resolved']);
  });

  it('merging a delta equals re-sorting, and dedups by fingerprint', () => {
    const cmp = comparator(DEFAULT_SORT);
    fc.assert(
      fc.property(
        fc.array(fc.record({ i: fc.integer({ min: 0, max: 40 }), sev: fc.constantFrom('P0', 'P1', 'P2', 'P3'), t: fc.integer({ min: 0, max: 9 }) }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 10 }),
        (changes, removals) => {
          const mk = (i: number, sev: string, t: number) => toEntry(firingAlert({ fingerprint: `f${i}`, severity: sev as 'P1', startsAt: t }));
          let byFp = new Map<string, Entry>(Array.from({ length: 20 }, (_, i) => [`f${i}`, mk(i, 'P2', i % 5)]));
          let sorted = [...byFp.values()].sort(cmp);
          const add = new Map<string, Entry>();
          for (const c of changes) add.set(`f${c.i}`, mk(c.i, c.sev, c.t));
          const gone = new Set(removals.map((i) => `f${i}`).filter((fp) => !add.has(fp)));
          const drop = new Set([...gone, ...[...add.keys()].filter((fp) => byFp.has(fp))]);
          sorted = mergeSorted(sorted, drop, [...add.values()], cmp);
          byFp = new Map(byFp);
          for (const fp of gone) byFp.delete(fp);
          for (const [fp, e] of add) byFp.set(fp, e);
          expect(sorted.map((e) => e.a.fingerprint)).toEqual([...byFp.values()].sort(cmp).map((e) => e.a.fingerprint));
          expect(new Set(sorted.map((e) => e.a.fingerprint)).size).toBe(sorted.length);
        },
      ),
    );
  });
});

describe('filtering', () => {
  const sorted = sample().sort(comparator(DEFAULT_SORT));
  it('filters by words (all must match), label matchers and display state', () => {
    expect(fps(buildRows(sorted, q('order li.wei'), [], new Set()).rows)).toEqual(['c']);
    expect(fps(buildRows(sorted, q('', 'service=~"ozon.*"'), [], new Set()).rows)).toEqual(['d', 'c']);
    expect(fps(buildRows(sorted, q('', '{service!="api", alertname!~"Order.*"}'), [], new Set()).rows)).toEqual(['a', 'e']);
    expect(fps(buildRows(sorted, q('', '', ['acked', 'resolved']), [], new Set()).rows)).toEqual(['c', 'e']);
  });

  it('builds an entry\'s search text on first use, from its name, summaries, owner, cluster and labels', () => {
    const e = toEntry(firingAlert({ fingerprint: 'h', alertname: 'DiskFull', cluster: 'Prod-1', labels: { Service: 'Ozon-Sync', __proto__x: 'Y' }, annotations: { summary: 'Disk at 97%', summary_zh: '磁盘满' } }));
    expect(e.hay).toBeUndefined();
    expect(hayOf(e)).toBe('diskfull\ndisk at 97%\n磁盘满\n\nprod-1\nservice=ozon-sync\n__proto__x=y');
    expect(e.hay).toBe(hayOf(e));
    expect(compileQuery({ text: 'OZON-sync 磁盘', matchers: '', states: [] }).test(toEntry(e.a))).toBe(true);
    expect(compileQuery({ text: 'ozon nothing', matchers: '', states: [] }).test(toEntry(e.a))).toBe(false);
  });

  it('a matcher syntax error is reported and the rest of the query still applies', () => {
    const c = q('fx', 'service=~"(');
    expect(c.error?.message).toMatch(/column 10/);
    expect(fps(buildRows(sorted, c, [], new Set()).rows)).toEqual(['e']);
  });

  it('typing forward narrows the previous result; any other change starts from all alerts', () => {
    const cache = new FilterCache();
    const run = (text: string, list = sorted) => cache.run(list, { text, matchers: '', states: [] }, q(text)).map((e) => e.a.fingerprint);
    expect(run('t')).toEqual(['b', 'd', 'c', 'a', 'e']);
    expect(run('ta')).toEqual(['a']);
    expect(run('tas')).toEqual(['a']);
    expect(run('t')).toEqual(['b', 'd', 'c', 'a', 'e']);
    const changed = mergeSorted(sorted, new Set(), [toEntry(firingAlert({ fingerprint: 'z', labels: { alertname: 'TableSyncStale' } }))], comparator(DEFAULT_SORT));
    expect(run('ta', changed)).toEqual(['z', 'a']);
  });
});

describe('grouping', () => {
  const sorted = sample().sort(comparator(DEFAULT_SORT));
  it('groups by any labels, in the order of each group’s first member, with counts and the worst severity', () => {
    const { rows, shown } = buildRows(sorted, q(), ['alertname', 'service'], new Set());
    expect(shown).toBe(5);
    // a group of one is drawn as its alert alone, without a header row
    expect(fps(rows)).toEqual(['b', '#OrderPullFailures\u241fozon-orders', 'd', 'c', 'a', 'e']);
    expect(rows[0]).toMatchObject({ kind: 'alert', group: null });
    expect(rows[2]).toMatchObject({ kind: 'alert', group: 'OrderPullFailures\u241fozon-orders' });
    const orders = rows[1];
    expect(orders.kind === 'group' && { count: orders.count, worst: orders.worst, bySeverity: orders.bySeverity, fps: fingerprintsOf(orders) }).toEqual({
      count: 2,
      worst: 'P1',
      bySeverity: { P0: 0, P1: 2, P2: 0, P3: 0 },
      fps: ['d', 'c'],
    });
  });

  it('collapses a group to its header; a missing label groups as empty', () => {
    const { rows } = buildRows(sorted, q(), ['team'], new Set(['']));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'group', key: '', count: 5, collapsed: true });
  });

  it('parses the group-by box and picks key labels', () => {
    expect(parseGroupBy(' service, env ,service,,')).toEqual(['service', 'env']);
    expect(keyLabels({ alertname: 'x', severity: 'critical', zone: 'b', instance: 'i', service: 's', env: 'prod' })).toEqual([
      ['service', 's'],
      ['instance', 'i'],
      ['env', 'prod'],
    ]);
  });
});

describe('silence prefill and related metric', () => {
  it('prefills the labels all selected alerts share, else their names as an anchored alternation', () => {
    const a = firingAlert({ labels: { alertname: 'A', service: 's', severity: 'critical', instance: '1' } });
    const b = firingAlert({ labels: { alertname: 'A', service: 's', severity: 'critical', instance: '2' } });
    const c = firingAlert({ labels: { alertname: 'B.x', service: 't' } });
    expect(prefillMatchers([a, b]).map((m) => `${m.name}=${m.value}`)).toEqual(['alertname=A', 'service=s', 'severity=critical']);
    expect(prefillMatchers([a, { ...c, labels: { alertname: 'B.x' } }])).toEqual([{ name: 'alertname', value: 'A|B\\.x', isRegex: true, isEqual: true }]);
  });

  it('finds the panel whose expression uses the alert’s metric, preferring series with the alert’s labels', () => {
    expect(metricNames('sum(rate(ef_ozon_orders_pull_fail_total{shop="1"}[5m])) by (shop) > 50')).toEqual(['ef_ozon_orders_pull_fail_total']);
    const dash: Dashboard = {
      id: 'ozon',
      title: 'Ozon',
      tags: [],
      unsupported: [],
      updatedAt: 0,
      fetchedAt: 0,
      panels: [
        { id: 'p1', title: 'Backlog', type: 'timeseries', unit: null, thresholds: [], targets: [{ expr: 'ef_tasks_backlog', legend: null }] },
        { id: 'p2', title: 'Pull failures', type: 'timeseries', unit: null, thresholds: [], targets: [{ expr: 'increase(ef_ozon_orders_pull_fail_total[5m])', legend: null }] },
      ],
    };
    const a = firingAlert({ labels: { alertname: 'OrderPullFailures', shop: '7' } });
    const withExpr = { ...a, generatorUrl: 'http://prometheus:9090/graph?g0.expr=' + encodeURIComponent('sum(rate(ef_ozon_orders_pull_fail_total[5m])) > 50') };
    expect(findRelatedPanel(withExpr, [dash])?.panel.id).toBe('p2');
    expect(findRelatedPanel(a, [dash])).toBeNull();
    const series = { dashboardId: 'ozon', panelId: 'p2', rangeStart: 0, rangeEnd: 1, stepSeconds: 15, fetchedAt: 0, series: [{ labels: { shop: '3' }, points: [] }, { labels: { shop: '7' }, points: [] }] };
    expect(seriesForAlert(series, a.labels).map((s) => s.labels.shop)).toEqual(['7']);
  });
});

describe('keeping up with storms and typing', () => {
  const shape = (rows: Row[]) =>
    rows.map((r) => (r.kind === 'group' ? `#${r.key} ${r.count} ${r.worst} ${JSON.stringify(r.bySeverity)}${r.collapsed ? ' collapsed' : ''}` : `${r.e.a.fingerprint}@${r.group}`));

  it('property: patching grouped rows with a delta equals grouping everything again', () => {
    const sev = fc.constantFrom('P0', 'P1', 'P2', 'P3');
    const item = fc.record({ i: fc.integer({ min: 0, max: 30 }), sev, svc: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 5 }), acked: fc.boolean() });
    const mk = (x: { i: number; sev: string; svc: string; t: number; acked: boolean }) =>
      toEntry(firingAlert({ fingerprint: `f${x.i}`, severity: x.sev as 'P1', startsAt: x.t, ackedBy: x.acked ? 'li.wei' : null, labels: { alertname: x.i % 2 ? 'Odd' : 'Even', service: x.svc } }));
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 40 }),
        fc.array(fc.array(fc.oneof(item, fc.integer({ min: 0, max: 30 })), { maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom<[string, string[], string]>(['', [], ''], ['odd', [], ''], ['', ['firing'], ''], ['', [], 'service!="b"']),
        fc.constantFrom(['alertname', 'service'], ['service'], ['alertname']),
        fc.boolean(),
        fc.constantFrom<Sort>({ key: 'severity', desc: false }, { key: 'age', desc: true }, { key: 'state', desc: false }),
        (base, batches, [text, states, matchers], groupBy, collapseA, sort) => {
          const cmp = comparator(sort);
          const cq = compileQuery({ text, matchers, states: states as ('firing' | 'acked')[] });
          const collapsed = new Set(collapseA ? ['Odd\u241fa', 'a'] : []);
          const byFp = new Map<string, Entry>();
          for (const b of base) byFp.set(`f${b.i}`, mk(b));
          const grouping = new Grouping();
          let rows = grouping.rows(filterEntries([...byFp.values()].sort(cmp), cq), groupBy, collapsed);
          for (const batch of batches) {
            // as the store hands a batch over: each fingerprint's last change, the entries it replaced
            const last = new Map(batch.map((c) => [`f${typeof c === 'number' ? c : c.i}`, c]));
            const gone: Entry[] = [];
            const fresh: Entry[] = [];
            for (const [fp, c] of last) {
              const old = byFp.get(fp);
              if (old) gone.push(old);
              if (typeof c === 'number') byFp.delete(fp);
              else {
                const e = mk(c);
                byFp.set(fp, e);
                fresh.push(e);
              }
            }
            rows = grouping.patch(rows, gone, fresh, cq, cmp, groupBy, collapsed)!;
            const again = new Grouping().rows(filterEntries([...byFp.values()].sort(cmp), cq), groupBy, collapsed);
            expect(shape(rowArray(rows))).toEqual(shape(rowArray(again)));
            expect(rows.shown).toBe(again.shown);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds rows by alert and group without drawing them all', () => {
    const sorted = sample().sort(comparator(DEFAULT_SORT));
    const rows = new Grouping().rows(sorted, ['alertname', 'service'], new Set(['OrderPullFailures\u241fozon-orders', 'TaskBacklogHigh\u241ftasks']));
    const all = rowArray(rows);
    expect(rows.length).toBe(all.length);
    for (const e of sorted) {
      const i = rows.indexOfAlert(e);
      if (['c', 'd'].includes(e.a.fingerprint)) expect(i).toBe(-1); // in the collapsed group
      else expect(all[i]).toMatchObject({ kind: 'alert', e }); // 'a' too: a group of one cannot be collapsed
    }
    expect(all[rows.indexOfGroup('OrderPullFailures\u241fozon-orders')]).toMatchObject({ kind: 'group', count: 2, collapsed: true });
    expect(all[rows.indexOfGroup('TaskBacklogHigh\u241ftasks')]).toMatchObject({ kind: 'alert', group: null });
    expect(rows.at(-1)).toBeUndefined();
    expect(rows.at(rows.length)).toBeUndefined();
  });

  it('deleting back to an earlier text returns its result as it was, with the same rows', () => {
    const sorted = sample().sort(comparator(DEFAULT_SORT));
    const cache = new FilterCache();
    const grouping = new Grouping();
    const run = (text: string, list = sorted) => cache.run(list, { text, matchers: '', states: [] }, q(text));
    const by = ['alertname'];
    const none = new Set<string>();
    const t = run('f');
    const rowsT = grouping.rows(t, by, none);
    expect(run('fx').map((e) => e.a.fingerprint)).toEqual(['e']);
    expect(run('fxq')).toEqual([]);
    expect(run('f')).toBe(t);
    expect(grouping.rows(run('f'), by, none)).toBe(rowsT);
    // other matchers start over
    expect(cache.run(sorted, { text: 'o', matchers: 'service="fx"', states: [] }, q('o', 'service="fx"')).map((e) => e.a.fingerprint)).toEqual(['e']);
  });
});
