/**
 * The alert table's pipeline at 100k alerts, in Node (model.ts is plain TypeScript), run as the store
 * runs it: a filter keystroke (text + label matcher, grouped by alertname+service; typing forward, then
 * deleting back) and a storm delta of 500 changed alerts patched into the grouped rows. Reference, same
 * run: a bare Array.filter with String.includes over the same 100k search strings. Prints one JSON line;
 * asserts nothing about timing.
 */
import { it } from 'vitest';
import type { Alert } from '@shared/alerts';
import { comparator, compileQuery, DEFAULT_SORT, FilterCache, Grouping, hayOf, toEntry, type Entry } from '@renderer/features/alerts/model';
import { percentile, populationAlert, POPULATION_T0 } from './helpers';

const N = 100_000;
/** alert `i` of the population, updated `t` ms after it started */
const alert = (i: number, t = 0): Alert => populationAlert(i, { updatedAt: POPULATION_T0 + i * 1000 + t });
const pct = percentile;

it('alert pipeline at 100k', () => {
  const t0 = performance.now();
  const entries = Array.from({ length: N }, (_, i) => toEntry(alert(i)));
  // the search text built, as the console does in idle time after its load
  for (const e of entries) hayOf(e);
  const cmp = comparator(DEFAULT_SORT);
  const sorted = [...entries].sort(cmp);
  const loadMs = performance.now() - t0;

  const typed = 'shipment node-7';
  const keystroke: number[] = [];
  const reference: number[] = [];
  const groupBy = ['alertname', 'service'];
  const none = new Set<string>();
  const matchers = 'service=~"ozon.*"';
  const states = ['firing' as const];
  // as the store does it: each keystroke filters (from the previous result typing forward, from the kept
  // result deleting back) and groups
  const cache = new FilterCache();
  const grouping = new Grouping();
  const texts = [...Array.from({ length: typed.length + 1 }, (_, k) => typed.slice(0, k)), ...Array.from({ length: typed.length }, (_, k) => typed.slice(0, typed.length - 1 - k))];
  for (let round = 0; round < 5; round++)
    for (const [k, text] of texts.entries()) {
      const query = { text, matchers, states };
      let s = performance.now();
      grouping.rows(cache.run(sorted, query, compileQuery(query)), groupBy, none);
      if (k > 0) keystroke.push(performance.now() - s);
      s = performance.now();
      const word = text.toLowerCase();
      entries.filter((e) => e.hay!.includes(word));
      reference.push(performance.now() - s);
    }

  // a storm batch: 500 changed alerts patched into the rows of the unfiltered, grouped view
  const merge: number[] = [];
  const all = { text: '', matchers: '', states: [] };
  const q = compileQuery(all);
  const byFp = new Map(sorted.map((e) => [e.a.fingerprint, e]));
  let rows = grouping.rows(cache.run(sorted, all, q), groupBy, none);
  for (let round = 0; round < 20; round++) {
    const changed = Array.from({ length: 500 }, (_, j) => toEntry({ ...alert((round * 977 + j * 131) % N, round + 1), ackedBy: round % 2 ? 'li.wei' : null }));
    const s = performance.now();
    const gone: Entry[] = [];
    for (const e of changed) {
      gone.push(byFp.get(e.a.fingerprint)!);
      byFp.set(e.a.fingerprint, e);
    }
    rows = grouping.patch(rows, gone, changed, q, cmp, groupBy, none)!;
    merge.push(performance.now() - s);
  }
  const p95 = pct(keystroke, 95);
  const refP95 = pct(reference, 95);
  console.log(
    JSON.stringify({
      bench: 'alerts-model',
      alerts: N,
      loadAndSort: { value: Math.round(loadMs), unit: 'ms' },
      filterKeystrokeP95: { value: Number(p95.toFixed(1)), unit: 'ms', target: 50 },
      reference: { what: 'Array.filter + String.includes over 100k strings', p95: { value: Number(refP95.toFixed(1)), unit: 'ms' } },
      ratio: Number((p95 / refP95).toFixed(2)),
      stormDelta500: { p95: { value: Number(pct(merge, 95).toFixed(1)), unit: 'ms' }, what: 'patch 500 changed alerts into the grouped rows of 100k', rows: rows.length },
    }),
  );
});
