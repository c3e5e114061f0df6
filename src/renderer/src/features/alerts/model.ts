/**
 * The alert table's data pipeline, free of React so it is unit-tested and benchmarked directly:
 * dedup by fingerprint → sorted list (kept sorted across deltas by merging, never re-sorting 100k rows
 * for a handful of changes) → filter (text, label matchers, states) → grouping by any labels → the flat
 * list of rows the virtualised table draws.
 */
import { displayState, type Alert, type AlertDisplayState } from '../../../../shared/alerts';
import { groupKeyOf, type AlertQuery } from '../../../../shared/contract/alerts';
import { severityRank, type Severity } from '../../../../shared/domain';
import { compileMatchers, MatcherSyntaxError, parseMatchers } from '../../../../shared/matchers';

export interface Entry {
  a: Alert;
  /** severityRank(a.severity), kept here because the comparator runs a few million times per sort */
  rank: number;
  /** the group key for `gkBy` (memoised: typing in the filter regroups the same entries many times) */
  gk?: string;
  gkBy?: readonly string[];
  /** the row object last drawn for this entry (reused: 100k fresh row objects per keystroke cost GC pauses) */
  row?: AlertRow;
  display: AlertDisplayState;
  /** lower-cased text the search box looks through */
  hay: string;
  owner: string;
  summary: string;
}

/** labels worth a column, in this order; the rest follow alphabetically */
const KEY_LABELS = ['service', 'instance', 'namespace', 'job', 'env', 'cluster', 'plugin', 'shop_id', 'team'];
const NOT_KEY = new Set(['alertname', 'severity', '__name__']);

export function keyLabels(labels: Readonly<Record<string, string>>, max = 3): [string, string][] {
  const names = Object.keys(labels).filter((n) => !NOT_KEY.has(n));
  const rank = (n: string) => {
    const i = KEY_LABELS.indexOf(n);
    return i < 0 ? KEY_LABELS.length : i;
  };
  names.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  return names.slice(0, max).map((n) => [n, labels[n]]);
}

export const ownerOf = (a: Alert): string => a.ackedBy ?? a.labels.owner ?? a.labels.team ?? '';
export const summaryOf = (a: Alert): string => a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? '';

export function toEntry(a: Alert): Entry {
  const summary = summaryOf(a);
  const owner = ownerOf(a);
  const hay = `${a.alertname}\n${summary}\n${owner}\n${Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}`.toLowerCase();
  return { a, rank: severityRank(a.severity), display: displayState(a), hay, owner, summary };
}

export const SORT_KEYS = ['severity', 'state', 'alertname', 'summary', 'age', 'owner'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface Sort {
  key: SortKey;
  desc: boolean;
}
export const DEFAULT_SORT: Sort = { key: 'severity', desc: false };

const STATE_ORDER: Record<AlertDisplayState, number> = { firing: 0, acked: 1, silenced: 2, resolved: 3 };

/** A total order (fingerprint breaks ties), so an entry's position is unique and deltas merge exactly. */
export function comparator(sort: Sort): (x: Entry, y: Entry) => number {
  const dir = sort.desc ? -1 : 1;
  const primary: (x: Entry, y: Entry) => number = {
    severity: (x: Entry, y: Entry) => x.rank - y.rank,
    state: (x: Entry, y: Entry) => STATE_ORDER[x.display] - STATE_ORDER[y.display],
    alertname: (x: Entry, y: Entry) => (x.a.alertname < y.a.alertname ? -1 : x.a.alertname > y.a.alertname ? 1 : 0),
    summary: (x: Entry, y: Entry) => (x.summary < y.summary ? -1 : x.summary > y.summary ? 1 : 0),
    // "age" ascending = youngest first
    age: (x: Entry, y: Entry) => y.a.startsAt - x.a.startsAt,
    owner: (x: Entry, y: Entry) => (x.owner < y.owner ? -1 : x.owner > y.owner ? 1 : 0),
  }[sort.key];
  return (x, y) =>
    dir * primary(x, y) ||
    x.rank - y.rank ||
    y.a.startsAt - x.a.startsAt ||
    (x.a.fingerprint < y.a.fingerprint ? -1 : x.a.fingerprint > y.a.fingerprint ? 1 : 0);
}

/**
 * Applies a delta to a sorted list: drops `drop` (changed or removed fingerprints), then inserts the k
 * added entries at their binary-searched places — O(n) copying but only O(k log n) comparisons, so a
 * storm batch costs a few milliseconds at 100k alerts instead of a re-sort.
 */
export function mergeSorted(sorted: readonly Entry[], drop: ReadonlySet<string>, add: Entry[], cmp: (x: Entry, y: Entry) => number): Entry[] {
  const kept = drop.size ? sorted.filter((e) => !drop.has(e.a.fingerprint)) : sorted;
  if (!add.length) return kept === sorted ? [...sorted] : (kept as Entry[]);
  const fresh = [...add].sort(cmp);
  const out: Entry[] = [];
  let from = 0;
  for (const f of fresh) {
    let lo = from;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(kept[mid], f) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = from; i < lo; i++) out.push(kept[i]);
    out.push(f);
    from = lo;
  }
  for (let i = from; i < kept.length; i++) out.push(kept[i]);
  return out;
}

export interface CompiledQuery {
  test(e: Entry): boolean;
  /** the matcher expression's syntax error; the rest of the query still applies */
  error: MatcherSyntaxError | null;
  /** true when the query lets everything through */
  all: boolean;
}

export function compileQuery(q: Pick<AlertQuery, 'text' | 'matchers' | 'states'>): CompiledQuery {
  const words = q.text.toLowerCase().split(/\s+/).filter(Boolean);
  let error: MatcherSyntaxError | null = null;
  let labels: ((l: Record<string, string>) => boolean) | null = null;
  try {
    const ms = parseMatchers(q.matchers);
    if (ms.length) labels = compileMatchers(ms);
  } catch (err) {
    if (!(err instanceof MatcherSyntaxError)) throw err;
    error = err;
  }
  const states = q.states.length ? new Set(q.states) : null;
  const all = !words.length && !labels && !states;
  return {
    error,
    all,
    test: (e) => {
      if (states && !states.has(e.display)) return false;
      for (const w of words) if (!e.hay.includes(w)) return false;
      return !labels || labels(e.a.labels);
    },
  };
}

export interface GroupRow {
  kind: 'group';
  key: string;
  values: [string, string][];
  count: number;
  worst: Severity;
  bySeverity: Record<Severity, number>;
  /** the group's alerts that pass the filter, in sort order */
  members: Entry[];
  collapsed: boolean;
}
export interface AlertRow {
  kind: 'alert';
  e: Entry;
  group: string | null;
}
export type Row = GroupRow | AlertRow;

export const fingerprintsOf = (g: GroupRow): string[] => g.members.map((e) => e.a.fingerprint);

export function filterEntries(from: readonly Entry[], q: CompiledQuery): readonly Entry[] {
  return q.all ? from : from.filter(q.test);
}

function rowOf(e: Entry, group: string | null): AlertRow {
  if (e.row?.group !== group) e.row = { kind: 'alert', e, group };
  return e.row!;
}

function groupKey(e: Entry, by: readonly string[]): string {
  if (e.gkBy !== by) {
    e.gk = groupKeyOf(e.a.labels.alertname ? e.a.labels : { ...e.a.labels, alertname: e.a.alertname }, by);
    e.gkBy = by;
  }
  return e.gk!;
}

/**
 * The rows to draw. Groups appear in the order of their first member in the current sort (so sorting by
 * severity puts the group holding a P0 first), members keep the sort inside their group.
 */
export function groupRows(matched: readonly Entry[], groupBy: readonly string[], collapsed: ReadonlySet<string>): Row[] {
  if (!groupBy.length) return matched.map((e) => rowOf(e, null));
  const groups = new Map<string, GroupRow>();
  for (const e of matched) {
    const key = groupKey(e, groupBy);
    let g = groups.get(key);
    if (!g) {
      const labels = e.a.labels;
      g = {
        kind: 'group',
        key,
        values: groupBy.map((l) => [l, l === 'alertname' ? e.a.alertname : (labels[l] ?? '')]),
        count: 0,
        worst: e.a.severity,
        bySeverity: { P0: 0, P1: 0, P2: 0, P3: 0 },
        members: [],
        collapsed: collapsed.has(key),
      };
      groups.set(key, g);
    }
    g.count++;
    g.bySeverity[e.a.severity]++;
    if (severityRank(e.a.severity) < severityRank(g.worst)) g.worst = e.a.severity;
    g.members.push(e);
  }
  const rows: Row[] = [];
  for (const g of groups.values()) {
    rows.push(g);
    if (!g.collapsed) for (const e of g.members) rows.push(rowOf(e, g.key));
  }
  return rows;
}

export function buildRows(sorted: readonly Entry[], q: CompiledQuery, groupBy: readonly string[], collapsed: ReadonlySet<string>): { rows: Row[]; shown: number } {
  const matched = filterEntries(sorted, q);
  return { rows: groupRows(matched, groupBy, collapsed), shown: matched.length };
}

type TextQuery = Pick<AlertQuery, 'text' | 'matchers' | 'states'>;

/**
 * Filtering as the user types: when the new query only narrows the previous one (same matchers and
 * states, text extended at the end), it filters the previous result instead of all alerts, so each
 * keystroke gets cheaper as the result shrinks. Any change of the alerts themselves starts over.
 */
export class FilterCache {
  private base: readonly Entry[] | null = null;
  private query: TextQuery | null = null;
  private matched: readonly Entry[] = [];

  run(sorted: readonly Entry[], query: TextQuery, q: CompiledQuery): readonly Entry[] {
    const prev = this.query;
    const narrows =
      this.base === sorted &&
      prev !== null &&
      prev.matchers === query.matchers &&
      prev.states.join() === query.states.join() &&
      query.text.toLowerCase().startsWith(prev.text.toLowerCase());
    this.matched = filterEntries(narrows ? this.matched : sorted, q);
    this.base = sorted;
    this.query = query;
    return this.matched;
  }
}

/** Parses the comma-separated group-by box: label names, no duplicates, at most five. */
export function parseGroupBy(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))].slice(0, 5);
}

/** "5m", "2h", "3d" — compact enough for a column; the detail pane shows the full time. */
export function shortAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
