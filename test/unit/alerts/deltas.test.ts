/**
 * The storm path of the alert table: pushed changes queued and coalesced (DeltaQueue), applied batch by
 * batch straight into the grouped rows (Grouping.patch), and merged into the sorted list only when a new
 * query or sort filters everything again. Whatever the stream of pushes, batches, queries and sorts, the
 * rows must be exactly those a full recompute from scratch gives for the same alerts: same rows, order,
 * groups, group counts and severity counts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Alert } from '@shared/alerts';
import { DeltaQueue } from '@renderer/features/alerts/deltas';
import {
  buildRows,
  comparator,
  compileQuery,
  FilterCache,
  Grouping,
  rowArray,
  toEntry,
  type Entry,
  type Row,
  type RowList,
  type Sort,
} from '@renderer/features/alerts/model';
import { firingAlert } from '@test/helpers/alerts';

type State = 'firing' | 'acked' | 'silenced' | 'resolved';
interface Query {
  text: string;
  matchers: string;
  states: State[];
}

const shape = (rows: readonly Row[]) =>
  rows.map((r) =>
    r.kind === 'group'
      ? `#${r.key} ${r.count} ${r.worst} ${JSON.stringify(r.bySeverity)} [${r.members.map((e) => e.a.fingerprint).join()}]${r.collapsed ? ' collapsed' : ''}`
      : `${r.e.a.fingerprint}@${r.group} u${r.e.a.updatedAt}`,
  );

const change = fc.record({
  i: fc.integer({ min: 0, max: 15 }),
  sev: fc.constantFrom('P0', 'P1', 'P2', 'P3'),
  svc: fc.constantFrom('a', 'b', 'c'),
  start: fc.integer({ min: 0, max: 4 }),
  updated: fc.integer({ min: 0, max: 6 }),
  acked: fc.boolean(),
  resolved: fc.boolean(),
});
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

const toAlert = (c: Change): Alert =>
  firingAlert({
    fingerprint: `f${c.i}`,
    severity: c.sev as 'P1',
    startsAt: c.start,
    updatedAt: c.updated,
    ackedBy: c.acked ? 'li.wei' : null,
    state: c.resolved ? 'resolved' : 'firing',
    labels: { alertname: c.i % 2 ? 'Odd' : 'Even', service: c.svc },
  });

const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), up: fc.array(change, { maxLength: 8 }), removed: fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('batch' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('query' as const),
      query: fc.constantFrom<Query>(
        { text: '', matchers: '', states: [] },
        { text: 'o', matchers: '', states: [] },
        { text: 'od', matchers: '', states: [] },
        { text: 'odd', matchers: '', states: [] },
        { text: '', matchers: '', states: ['firing'] },
        { text: '', matchers: 'service!="b"', states: [] },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('sort' as const),
      sort: fc.constantFrom<Sort>({ key: 'severity', desc: false }, { key: 'age', desc: true }, { key: 'state', desc: false }, { key: 'alertname', desc: true }),
    }),
  },
);

describe('storm deltas', () => {
  it('property: a stream applied batch by batch gives the rows a recompute from scratch gives', () => {
    fc.assert(
      fc.property(
        fc.array(change, { maxLength: 30 }),
        fc.array(op, { minLength: 1, maxLength: 30 }),
        fc.constantFrom<string[]>(['alertname', 'service'], ['service'], []),
        fc.boolean(),
        (initial, ops, groupBy, collapseSome) => {
          const collapsed = new Set(collapseSome ? ['Odd\u241fa', 'b'] : []);
          // the view, kept up as the store keeps it
          let sort: Sort = { key: 'severity', desc: false };
          let query: Query = { text: '', matchers: '', states: [] };
          let compiled = compileQuery(query);
          const byFp = new Map<string, Entry>();
          for (const c of initial) {
            const a = toAlert(c);
            const cur = byFp.get(a.fingerprint);
            if (!cur || cur.a.updatedAt <= a.updatedAt) byFp.set(a.fingerprint, toEntry(a));
          }
          let sorted = [...byFp.values()].sort(comparator(sort));
          const deltas = new DeltaQueue();
          const filters = new FilterCache();
          const grouping = new Grouping();
          const recompute = () => {
            sorted = deltas.sorted(sorted, comparator(sort));
            return grouping.rows(filters.run(sorted, query, compiled), groupBy, collapsed);
          };
          let rows: RowList = recompute();

          // what the alerts are, by the rules the queue must follow: the last change of a fingerprint
          // before a batch wins; an upsert older than the alert held is ignored
          const truth = new Map([...byFp].map(([fp, e]) => [fp, e.a]));
          let queued = new Map<string, Alert | null>();

          for (const o of ops) {
            if (o.kind === 'push') {
              const up = o.up.map(toAlert);
              const removed = o.removed.map((i) => `f${i}`);
              deltas.queue(up, removed);
              for (const a of up) queued.set(a.fingerprint, a);
              for (const fp of removed) queued.set(fp, null);
            } else if (o.kind === 'batch') {
              const { gone, fresh } = deltas.apply(byFp);
              rows = grouping.patch(rows, gone, fresh, compiled, comparator(sort), groupBy, collapsed) ?? recompute();
              for (const [fp, a] of queued) {
                if (!a) truth.delete(fp);
                else if ((truth.get(fp)?.updatedAt ?? -1) <= a.updatedAt) truth.set(fp, a);
              }
              queued = new Map();
            } else if (o.kind === 'query') {
              query = o.query;
              compiled = compileQuery(query);
              rows = recompute();
            } else {
              sorted = [...deltas.sorted(sorted, comparator(sort))].sort(comparator(o.sort));
              sort = o.sort;
              rows = recompute();
            }

            expect([...byFp.keys()].sort()).toEqual([...truth.keys()].sort());
            const scratch = buildRows([...truth.values()].map(toEntry).sort(comparator(sort)), compiled, groupBy, collapsed);
            expect(shape(rowArray(rows))).toEqual(shape(scratch.rows));
            expect(rows.shown).toBe(scratch.shown);
          }
          // whatever waited for a recompute, merged, is the sorted list of all alerts
          const all = deltas.sorted(sorted, comparator(sort));
          expect(all.map((e) => `${e.a.fingerprint} u${e.a.updatedAt}`)).toEqual(
            [...truth.values()]
              .map(toEntry)
              .sort(comparator(sort))
              .map((e) => `${e.a.fingerprint} u${e.a.updatedAt}`),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('coalesces a fingerprint’s changes: the last one before the batch wins', () => {
    const deltas = new DeltaQueue();
    const byFp = new Map<string, Entry>([['x', toEntry(firingAlert({ fingerprint: 'x', updatedAt: 5 }))]]);
    deltas.queue([firingAlert({ fingerprint: 'x', updatedAt: 6 }), firingAlert({ fingerprint: 'y', updatedAt: 1 })], []);
    deltas.queue([], ['y']);
    deltas.queue([firingAlert({ fingerprint: 'x', updatedAt: 7, severity: 'P0' })], []);
    expect(deltas.waiting).toBe(true);
    const { gone, fresh } = deltas.apply(byFp);
    expect(deltas.waiting).toBe(false);
    expect(gone.map((e) => `${e.a.fingerprint} u${e.a.updatedAt}`)).toEqual(['x u5']);
    expect(fresh.map((e) => `${e.a.fingerprint} u${e.a.updatedAt} ${e.a.severity}`)).toEqual(['x u7 P0']);
    expect([...byFp.keys()]).toEqual(['x']);
  });

  it('ignores an upsert older than the alert held (a page read later already had newer data)', () => {
    const deltas = new DeltaQueue();
    const held = toEntry(firingAlert({ fingerprint: 'x', updatedAt: 9 }));
    const byFp = new Map([['x', held]]);
    deltas.queue([firingAlert({ fingerprint: 'x', updatedAt: 8, ackedBy: 'li.wei' })], []);
    expect(deltas.apply(byFp)).toEqual({ gone: [], fresh: [] });
    expect(byFp.get('x')).toBe(held);
    const sorted = [held];
    expect(deltas.sorted(sorted, comparator({ key: 'severity', desc: false }))).toBe(sorted);
  });

  it('forgets applied changes on a reload but keeps the queued ones', () => {
    const deltas = new DeltaQueue();
    const byFp = new Map<string, Entry>();
    deltas.queue([firingAlert({ fingerprint: 'a' })], []);
    deltas.apply(byFp);
    deltas.queue([firingAlert({ fingerprint: 'b' })], []);
    deltas.forgetApplied();
    const sorted: Entry[] = [];
    expect(deltas.sorted(sorted, comparator({ key: 'severity', desc: false }))).toBe(sorted);
    expect(deltas.waiting).toBe(true);
    expect(deltas.apply(byFp).fresh.map((e) => e.a.fingerprint)).toEqual(['b']);
  });
});
