/**
 * The alert table's data pipeline, free of React so it is unit-tested and benchmarked directly:
 * dedup by fingerprint → sorted list (kept sorted across deltas by merging, never re-sorting 100k rows
 * for a handful of changes) → filter (text, label matchers, states) → grouping by any labels → the flat
 * list of rows the virtualised table draws.
 */
import type { AlertView } from '@shared/alert-view';
import { displayState, type Alert, type AlertDisplayState } from '@shared/alerts';
import { groupKeyOf, type AlertQuery } from '@shared/contract/alerts';
import { severityRank, type Severity } from '@shared/domain';
import { CLUSTER_LABEL, compileMatchers, MatcherSyntaxError, parseMatchers, splitClusterMatchers } from '@shared/matchers';

export interface Entry {
  /** as the core sends it: huge names and values cut (`cut` says which; DetailPane's "show all" loads them) */
  a: AlertView;
  /** severityRank(a.severity), kept here because the comparator runs a few million times per sort */
  rank: number;
  /** the group key for `gkBy` (memoised: typing in the filter regroups the same entries many times) */
  gk?: string;
  gkBy?: readonly string[];
  /** the row object last drawn for this entry (reused: 100k fresh row objects per keystroke cost GC pauses) */
  row?: AlertRow;
  /** the Grouping bucket for the group-by in force (`bucketOf` is the bucket map it belongs to) */
  bucket?: unknown;
  bucketOf?: unknown;
  display: AlertDisplayState;
  /**
   * lower-cased text the search box looks through: read it with hayOf, which builds it the first time. It
   * is not built with the entry: building it for 100k alerts was the largest piece of the console's load
   * (docs/performance.md, round four); the store builds the rest in idle slices once the rows are shown.
   */
  hay: string | undefined;
  owner: string;
  summary: string;
  /** the Chinese summary when the alert carries one (`summary_zh`), shown in zh-CN */
  summaryZh: string;
}

export { keyLabels } from '@shared/alert-labels';

export const ownerOf = (a: Alert): string => a.ackedBy ?? a.labels.owner ?? a.labels.team ?? '';
export const summaryOf = (a: Alert): string => a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? '';
export const summaryZhOf = (a: Alert): string => a.annotations.summary_zh ?? a.annotations.description_zh ?? '';

export function toEntry(a: AlertView): Entry {
  // Every field present from the start, in one order: the memoised ones filled in later would otherwise
  // give entries different hidden classes, and the comparator's property reads (a few thousand per storm
  // batch, millions per sort) would go megamorphic.
  return {
    a,
    rank: severityRank(a.severity),
    gk: undefined,
    gkBy: undefined,
    row: undefined,
    bucket: undefined,
    bucketOf: undefined,
    display: displayState(a),
    hay: undefined,
    owner: ownerOf(a),
    summary: summaryOf(a),
    summaryZh: summaryZhOf(a),
  };
}

/** the entry's search text (built once, on first use) */
export function hayOf(e: Entry): string {
  if (e.hay !== undefined) return e.hay;
  const a = e.a;
  let labels = '';
  for (const k in a.labels) if (Object.hasOwn(a.labels, k)) labels += `\n${k}=${a.labels[k]}`;
  return (e.hay = `${a.alertname}\n${e.summary}\n${e.summaryZh}\n${e.owner}\n${a.cluster ?? ''}${labels}`.toLowerCase());
}

export const SORT_KEYS = ['severity', 'state', 'cluster', 'alertname', 'summary', 'age', 'owner'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface Sort {
  key: SortKey;
  desc: boolean;
}
export const DEFAULT_SORT: Sort = { key: 'severity', desc: false };

const STATE_ORDER: Record<AlertDisplayState, number> = { firing: 0, acked: 1, silenced: 2, inhibited: 3, resolved: 4 };

/** A total order (fingerprint breaks ties), so an entry's position is unique and deltas merge exactly. */
export function comparator(sort: Sort): (x: Entry, y: Entry) => number {
  const dir = sort.desc ? -1 : 1;
  const primary: (x: Entry, y: Entry) => number = {
    severity: (x: Entry, y: Entry) => x.rank - y.rank,
    state: (x: Entry, y: Entry) => STATE_ORDER[x.display] - STATE_ORDER[y.display],
    cluster: (x: Entry, y: Entry) => {
      const cx = x.a.cluster ?? '';
      const cy = y.a.cluster ?? '';
      return cx < cy ? -1 : cx > cy ? 1 : 0;
    },
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
  // all after the last kept one (a page of the initial load, in the list's order): an append
  if (!kept.length || cmp(kept[kept.length - 1], fresh[0]) < 0) return kept.concat(fresh);
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
  let labels: ((a: Alert) => boolean) | null = null;
  try {
    // @cluster matches the alert's cluster; the rest its labels (no copy of every alert's labels per keystroke)
    const { cluster, labels: ms } = splitClusterMatchers(parseMatchers(q.matchers));
    const byLabels = ms.length ? compileMatchers(ms) : null;
    const byCluster = cluster.length ? compileMatchers(cluster) : null;
    if (byLabels || byCluster) labels = (a) => (!byLabels || byLabels(a.labels)) && (!byCluster || byCluster({ [CLUSTER_LABEL]: a.cluster ?? '' }));
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
      if (words.length) {
        const hay = hayOf(e);
        for (const w of words) if (!hay.includes(w)) return false;
      }
      return !labels || labels(e.a);
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
/** the fingerprint of the alert an alert row shows */
export const fingerprintOf = (r: AlertRow): string => r.e.a.fingerprint;

export function filterEntries(from: readonly Entry[], q: CompiledQuery): readonly Entry[] {
  return q.all ? from : from.filter(q.test);
}

function rowOf(e: Entry, group: string | null): AlertRow {
  if (e.row?.group !== group) e.row = { kind: 'alert', e, group };
  return e.row!;
}

/**
 * The rows to draw, read by index: the table asks only for the few dozen rows in its window, so the 100k
 * rows of a large result are never put in one array, and an alert's row object is made when it is drawn.
 */
export interface RowList {
  readonly length: number;
  at(i: number): Row | undefined;
  /** where an alert is drawn; -1 when it is filtered out or in a collapsed group */
  indexOfAlert(e: Entry): number;
  /** where a group's header is drawn; -1 without it */
  indexOfGroup(key: string): number;
  /** alerts shown (members of collapsed groups included) */
  readonly shown: number;
  /** what the rows were made of: the groups in order, or the matched alerts when not grouped */
  readonly source: { groups: readonly GroupRow[] } | { matched: readonly Entry[] };
}

export const EMPTY_ROWS: RowList = { length: 0, at: () => undefined, indexOfAlert: () => -1, indexOfGroup: () => -1, shown: 0, source: { matched: [] } };

/** all rows as an array (tests, small lists) */
export const rowArray = (rows: RowList): Row[] => Array.from({ length: rows.length }, (_, i) => rows.at(i)!);

function flatList(matched: readonly Entry[]): RowList {
  return {
    length: matched.length,
    at: (i) => (i >= 0 && i < matched.length ? rowOf(matched[i], null) : undefined),
    indexOfAlert: (e) => matched.indexOf(e),
    indexOfGroup: () => -1,
    shown: matched.length,
    source: { matched },
  };
}

/**
 * A group of one has no header row: the alert is drawn on its own (a header for every one-alert group
 * doubled the table). Such a group cannot be collapsed.
 */
const solo = (g: GroupRow) => g.members.length === 1;

function groupedList(groups: readonly GroupRow[]): RowList {
  // starts[g]: the index of group g's header (or of its only alert); its members follow unless it is collapsed
  const starts = new Array<number>(groups.length);
  let length = 0;
  let shown = 0;
  groups.forEach((g, i) => {
    starts[i] = length;
    length += solo(g) ? 1 : 1 + (g.collapsed ? 0 : g.members.length);
    shown += g.count;
  });
  let byKey: Map<string, number> | null = null;
  const groupIndex = (key: string) => (byKey ??= new Map(groups.map((g, i) => [g.key, i]))).get(key) ?? -1;
  return {
    length,
    shown,
    source: { groups },
    at(i) {
      if (i < 0 || i >= length) return undefined;
      let lo = 0;
      let hi = groups.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (starts[mid] <= i) lo = mid;
        else hi = mid - 1;
      }
      const g = groups[lo];
      const k = i - starts[lo];
      if (solo(g)) return rowOf(g.members[0], null);
      return k === 0 ? g : rowOf(g.members[k - 1], g.key);
    },
    indexOfAlert(e) {
      const gi = e.gk === undefined ? -1 : groupIndex(e.gk);
      if (gi < 0) return -1;
      const g = groups[gi];
      if (solo(g)) return g.members[0] === e ? starts[gi] : -1;
      if (g.collapsed) return -1;
      const k = g.members.indexOf(e);
      return k < 0 ? -1 : starts[gi] + 1 + k;
    },
    indexOfGroup(key) {
      const gi = groupIndex(key);
      return gi < 0 ? -1 : starts[gi];
    },
  };
}

/** a group as the Grouping keeps it between runs; `stamp` marks the run that last filled it */
interface Bucket {
  key: string;
  values: [string, string][];
  stamp: number;
  members: Entry[];
}

/**
 * Grouping as the store runs it on every keystroke and storm batch. Each entry remembers its bucket for
 * the current group-by (one property read instead of building its key and looking it up in a map), so
 * sorting 100k matched alerts into their groups is a single cheap pass. Groups appear in the order of
 * their first member in the current sort (so sorting by severity puts the group holding a P0 first);
 * members keep the sort inside their group.
 */
export class Grouping {
  private by: readonly string[] = [];
  private buckets = new Map<string, Bucket>();
  private run = 0;
  /** the rows last built for a result (deleting back to an earlier text brings back its very array) */
  private made = new WeakMap<readonly Entry[], { by: readonly string[]; collapsed: ReadonlySet<string>; rows: RowList }>();

  rows(matched: readonly Entry[], groupBy: readonly string[], collapsed: ReadonlySet<string>): RowList {
    if (!groupBy.length) return flatList(matched);
    if (groupBy !== this.by) {
      this.by = groupBy;
      this.buckets = new Map();
    }
    const made = this.made.get(matched);
    if (made?.by === groupBy && made.collapsed === collapsed) return made.rows;
    const rows = this.build(matched, collapsed);
    this.made.set(matched, { by: groupBy, collapsed, rows });
    return rows;
  }

  private build(matched: readonly Entry[], collapsed: ReadonlySet<string>): RowList {
    const run = ++this.run;
    const order: Bucket[] = [];
    for (const e of matched) {
      const b = this.bucket(e);
      if (b.stamp !== run) {
        b.stamp = run;
        b.members = [];
        order.push(b);
      }
      b.members.push(e);
    }
    return groupedList(order.map((b) => groupRow(b, b.members, collapsed)));
  }

  /**
   * The rows after a delta, from the rows before it, without regrouping every alert: each changed alert
   * leaves its group (if it was shown) and joins its new one at its sorted place; only the groups it
   * touched are rebuilt and moved to where their first member now puts them. `gone` are the entries the
   * delta replaced or removed, `fresh` the new ones; `q` must be the query the rows were built with.
   * Returns null when the rows were not grouped by `groupBy` (the caller builds them afresh).
   */
  patch(rows: RowList, gone: readonly Entry[], fresh: readonly Entry[], q: CompiledQuery, cmp: (x: Entry, y: Entry) => number, groupBy: readonly string[], collapsed: ReadonlySet<string>): RowList | null {
    if (!groupBy.length || groupBy !== this.by || !('groups' in rows.source)) return null;
    const before = rows.source.groups;
    const byKey = new Map(before.map((g) => [g.key, g]));
    // the touched groups' new members and severity counts, started from copies of the old ones
    const touched = new Map<string, { members: Entry[]; bySeverity: Record<Severity, number> }>();
    const change = (e: Entry) => {
      const key = this.bucket(e).key;
      let t = touched.get(key);
      if (!t) {
        const g = byKey.get(key);
        touched.set(key, (t = { members: g ? [...g.members] : [], bySeverity: g ? { ...g.bySeverity } : { P0: 0, P1: 0, P2: 0, P3: 0 } }));
      }
      return t;
    };
    for (const e of gone) {
      if (!q.test(e)) continue;
      const t = change(e);
      const i = sortedIndex(t.members, e, cmp);
      const at = t.members[i] === e ? i : t.members.indexOf(e);
      if (at < 0) continue;
      t.members.splice(at, 1);
      t.bySeverity[e.a.severity]--;
    }
    for (const e of fresh) {
      if (!q.test(e)) continue;
      const t = change(e);
      t.members.splice(sortedIndex(t.members, e, cmp), 0, e);
      t.bySeverity[e.a.severity]++;
    }
    const groups = before.filter((g) => !touched.has(g.key));
    for (const [key, t] of touched) {
      if (!t.members.length) continue;
      const g = groupRow(this.buckets.get(key)!, t.members, collapsed, t.bySeverity);
      const first = t.members[0];
      let lo = 0;
      let hi = groups.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cmp(groups[mid].members[0], first) < 0) lo = mid + 1;
        else hi = mid;
      }
      groups.splice(lo, 0, g);
    }
    return groupedList(groups);
  }

  private bucket(e: Entry): Bucket {
    if (e.bucketOf === this.buckets) return e.bucket as Bucket;
    const key = groupKey(e, this.by);
    let b = this.buckets.get(key);
    if (!b) {
      const labels = e.a.labels;
      b = { key, values: this.by.map((l) => [l, l === 'alertname' ? e.a.alertname : (labels[l] ?? '')]), stamp: 0, members: [] };
      this.buckets.set(key, b);
    }
    e.bucketOf = this.buckets;
    e.bucket = b;
    return b;
  }
}

/** the first index in sorted `list` whose entry does not sort before `e` */
function sortedIndex(list: readonly Entry[], e: Entry, cmp: (x: Entry, y: Entry) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(list[mid], e) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** a group's row; `bySeverity` when the caller has counted already */
function groupRow(b: Bucket, members: Entry[], collapsed: ReadonlySet<string>, counted?: Record<Severity, number>): GroupRow {
  let bySeverity = counted;
  if (!bySeverity) {
    bySeverity = { P0: 0, P1: 0, P2: 0, P3: 0 };
    for (const e of members) bySeverity[e.a.severity]++;
  }
  const worst = (['P0', 'P1', 'P2', 'P3'] as const).find((x) => bySeverity[x] > 0) ?? 'P3';
  return { kind: 'group', key: b.key, values: b.values, count: members.length, worst, bySeverity, members, collapsed: collapsed.has(b.key) };
}

function groupKey(e: Entry, by: readonly string[]): string {
  if (e.gkBy !== by) {
    e.gk = groupKeyOf(e.a.labels.alertname ? e.a.labels : { ...e.a.labels, alertname: e.a.alertname }, by);
    e.gkBy = by;
  }
  return e.gk!;
}

/** The rows to draw for `matched` (see Grouping), as an array. */
export function groupRows(matched: readonly Entry[], groupBy: readonly string[], collapsed: ReadonlySet<string>): Row[] {
  return rowArray(new Grouping().rows(matched, groupBy, collapsed));
}

export function buildRows(sorted: readonly Entry[], q: CompiledQuery, groupBy: readonly string[], collapsed: ReadonlySet<string>): { rows: Row[]; shown: number } {
  const matched = filterEntries(sorted, q);
  return { rows: groupRows(matched, groupBy, collapsed), shown: matched.length };
}

type TextQuery = Pick<AlertQuery, 'text' | 'matchers' | 'states'>;

/** results kept for the prefixes of what is typed: enough for any query, bounded for the pathological */
const PREFIX_DEPTH = 64;
const PREFIX_ENTRIES = 2_000_000;

/**
 * Filtering as the user types. Typing forward only narrows (same matchers and states, text extended at
 * the end), so the new result is filtered from the previous one and gets cheaper as it shrinks. The
 * results for the shorter texts are kept, so deleting back to one of them costs nothing: the very same
 * array comes back, and the Grouping reuses its rows for it. Any change of the alerts starts over.
 */
export class FilterCache {
  private base: readonly Entry[] | null = null;
  private scope = '';
  /** texts each a prefix of the next, with their results */
  private stack: { text: string; matched: readonly Entry[] }[] = [];

  run(sorted: readonly Entry[], query: TextQuery, q: CompiledQuery): readonly Entry[] {
    const text = query.text.toLowerCase();
    const scope = `${query.matchers}\u0000${query.states.join()}`;
    if (this.base !== sorted || this.scope !== scope) {
      this.base = sorted;
      this.scope = scope;
      this.stack = [];
    }
    const stack = this.stack;
    while (stack.length && !text.startsWith(stack[stack.length - 1].text)) stack.pop();
    const top = stack[stack.length - 1];
    if (top?.text === text) return top.matched;
    const matched = filterEntries(top ? top.matched : sorted, q);
    stack.push({ text, matched });
    let kept = stack.reduce((n, s) => n + s.matched.length, 0);
    while (stack.length > 1 && (stack.length > PREFIX_DEPTH || kept > PREFIX_ENTRIES)) kept -= stack.shift()!.matched.length;
    return matched;
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
