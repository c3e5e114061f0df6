/**
 * The alert console's state. Alerts are loaded once and then kept current from the core's alertsChanged
 * deltas, batched so a storm of thousands of events per second costs one merge and one re-filter every
 * BATCH_MS, never a full reload. Actions go to the core (which queues them in the outbox) and their
 * progress is re-read when the link reports a result.
 */
import i18next from 'i18next';
import { create } from 'zustand';
import type { AlertView } from '@shared/alert-view';
import type { Alert, Silence } from '@shared/alerts';
import {
  DEFAULT_GROUP_BY,
  type AlertAction,
  type AlertCounts,
  type AlertPage,
  type AlertQuery,
  type NotifyState,
  type SavedFilter,
} from '@shared/contract/alerts';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';
import { DeltaQueue } from './deltas';
import {
  comparator,
  compileQuery,
  DEFAULT_SORT,
  FilterCache,
  EMPTY_ROWS,
  hayOf,
  fingerprintOf,
  fingerprintsOf,
  Grouping,
  mergeSorted,
  parseGroupBy,
  SORT_KEYS,
  toEntry,
  type CompiledQuery,
  type Entry,
  type Row,
  type RowList,
  type Sort,
  type SortKey,
} from './model';

const BATCH_MS = 100;
const ACTIONS_THROTTLE_MS = 300;

export type BulkKind = 'ack' | 'unack' | 'resolve' | 'escalate';
export type Dialog = null | { kind: 'silence'; fingerprints: string[] } | { kind: 'note'; fingerprints: string[] } | { kind: 'help' };

export const EMPTY_QUERY: AlertQuery = { text: '', matchers: '', states: [], groupBy: [...DEFAULT_GROUP_BY] };

interface AlertsState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** page-by-page loading under way (rows already show; the rest is on its way) */
  loading: { loaded: number; total: number | null } | null;
  byFp: Map<string, Entry>;
  sorted: Entry[];
  sort: Sort;
  query: AlertQuery;
  /** the group-by box as typed (parsed into query.groupBy) */
  groupByText: string;
  compiled: CompiledQuery;
  collapsed: Set<string>;
  rows: RowList;
  shown: number;
  cursor: number;
  selected: Set<string>;
  openFp: string | null;
  actions: AlertAction[];
  /** the newest action per fingerprint */
  actionByFp: Map<string, AlertAction>;
  silences: Silence[];
  saved: SavedFilter[];
  counts: AlertCounts | null;
  notify: NotifyState | null;
  dialog: Dialog;
  /** bumps when the filter box should take focus (the "/" key, the palette) */
  focusFilterTick: number;
  /** the clusters the cached alerts came from, sorted (empty: a single upstream, no cluster column) */
  clusters: string[];
}

const compiledEmpty = compileQuery(EMPTY_QUERY);

export const useAlerts = create<AlertsState>(() => ({
  status: 'idle',
  error: null,
  loading: null,
  byFp: new Map(),
  sorted: [],
  sort: DEFAULT_SORT,
  query: EMPTY_QUERY,
  groupByText: EMPTY_QUERY.groupBy.join(', '),
  compiled: compiledEmpty,
  collapsed: new Set(),
  rows: EMPTY_ROWS,
  shown: 0,
  cursor: 0,
  selected: new Set(),
  openFp: null,
  actions: [],
  actionByFp: new Map(),
  silences: [],
  saved: [],
  counts: null,
  notify: null,
  dialog: null,
  focusFilterTick: 0,
  clusters: [],
}));

/** `clusters` with those of `entries` added; the same array when nothing is new (no redraw) */
function withClusters(entries: Iterable<Entry>): Pick<AlertsState, 'clusters'> | Record<string, never> {
  const known = get().clusters;
  let next: Set<string> | null = null;
  for (const e of entries) {
    const c = e.a.cluster;
    if (c && !known.includes(c)) (next ??= new Set(known)).add(c);
  }
  return next ? { clusters: [...next].sort() } : {};
}

const get = useAlerts.getState;
const set = useAlerts.setState;

const filterCache = new FilterCache();
const grouping = new Grouping();

/** where the row `r` of the previous rows is now (the cursor stays on the same alert or group when rows move) */
function indexNow(r: Row | undefined, rows: RowList, byFp: ReadonlyMap<string, Entry>): number {
  if (!r) return -1;
  if (r.kind === 'group') return rows.indexOfGroup(r.key);
  const e = byFp.get(fingerprintOf(r));
  return e ? rows.indexOfAlert(e) : -1;
}

const sameRow = (x: Row | undefined, y: Row | undefined) =>
  !!x && !!y && (x.kind === 'group' ? y.kind === 'group' && x.key === y.key : y.kind === 'alert' && fingerprintOf(x) === fingerprintOf(y));

/**
 * Shows `rows`. A cursor the patch places (a new query puts it on the first row) goes there; otherwise it
 * stays on the alert or group it was on, if that is still drawn.
 */
function show(rows: RowList, patch: Partial<AlertsState>): void {
  const before = patch.cursor === undefined ? get().rows.at(get().cursor) : undefined;
  let cursor = Math.min(patch.cursor ?? get().cursor, Math.max(0, rows.length - 1));
  if (before && !sameRow(rows.at(cursor), before)) {
    const i = indexNow(before, rows, patch.byFp ?? get().byFp);
    if (i >= 0) cursor = i;
  }
  set({ ...patch, rows, shown: rows.shown, cursor });
}

/** the pushed changes: queued, applied in batches straight into the grouped rows, merged into `sorted` later */
const deltas = new DeltaQueue();

/** `sorted` with every batch merged in */
function sortedNow(): Entry[] {
  const { sorted, sort } = get();
  const merged = deltas.sorted(sorted, comparator(sort));
  if (merged !== sorted) set({ sorted: merged });
  return merged;
}

/** Filters and groups everything again (a new query, sort, grouping, a reload). */
function recompute(patch: Partial<AlertsState> = {}): void {
  const sorted = patch.sorted ?? sortedNow();
  const s = { ...get(), ...patch };
  const matched = filterCache.run(sorted, s.query, s.compiled);
  show(grouping.rows(matched, s.query.groupBy, s.collapsed), patch);
}

// ---- loading and deltas ----------------------------------------------------------------------------

const FIRST_PAGE = 500;
const PAGE = 10_000;
/**
 * While pages arrive, the rows are filtered and grouped again SHOW_FIRST_MS after the first page, then
 * after a pause twice as long each time, and after the last page: each regroup costs as much as the rows
 * so far, so a fixed pause made the regroups of a 100k load cost several times the last one; doubling the
 * pause keeps their sum under twice it. The first screen is drawn from the first page at once, and the
 * count ("loading n of m") follows every page.
 */
const SHOW_FIRST_MS = 250;
let loadGen = 0;
/** the first page, asked for as soon as the core is connected (prefetchAlerts), before the view mounts */
let prefetched: Promise<AlertPage> | null = null;

/** Asks the core for the first page of alerts now, so the first screen does not wait for the app to mount. */
export function prefetchAlerts(): void {
  prefetched ??= vigil().alertsPage(null, FIRST_PAGE);
  prefetched.catch(() => undefined); // reload() reports a failure when it takes this page
}

/**
 * Loads the cache page by page: the first, small page draws the most severe alerts at once; the rest
 * follow in larger pages, each merged into the sorted list. The next page is asked for before this one is
 * merged, so the core reads it meanwhile; the rows are rebuilt on a doubling schedule and after the last page
 * (not after every page: that regrouped all rows so far ten times over; see SHOW_FIRST_MS). Deltas that arrive meanwhile wait
 * until the load is complete, so an older page never overwrites a newer delta.
 */
async function reload(): Promise<void> {
  const gen = ++loadGen;
  // the pages bring every change the batches held back from `sorted`
  deltas.forgetApplied();
  set({ status: get().status === 'ready' ? 'ready' : 'loading', loading: { loaded: 0, total: null } });
  try {
    const api = vigil();
    void api.silencesList().then((silences) => set({ silences }));
    const byFp = new Map<string, Entry>();
    let sorted: Entry[] = [];
    let request = prefetched ?? api.alertsPage(null, FIRST_PAGE);
    prefetched = null;
    let shownAt = 0;
    let pause = SHOW_FIRST_MS;
    for (let first = true; ; first = false) {
      const page = await request;
      if (gen !== loadGen) return;
      const done = page.next === null;
      if (page.next) request = api.alertsPage(page.next, PAGE);
      const add = entriesOf(page.alerts, byFp);
      sorted = mergeSorted(sorted, new Set(), add, comparator(get().sort));
      const loading = done ? null : { loaded: byFp.size, total: page.total };
      const clusters = withClusters(add);
      const due = !first && Date.now() - shownAt >= pause;
      if (first || done || due) {
        recompute({ status: 'ready', error: null, byFp, sorted, loading, ...clusters });
        shownAt = Date.now();
        if (due) pause *= 2;
      } else set({ byFp, sorted, loading, ...clusters });
      if (done) break;
    }
    if (deltas.waiting) applyDelta();
    warmSearchText(gen, sorted);
  } catch (err) {
    if (gen === loadGen) set({ status: 'error', error: err instanceof Error ? err.message : String(err), loading: null });
  }
}

/**
 * A page's alerts as entries, also put in `byFp`: an entry object and a map entry per alert (~1 µs each in
 * the 100k load's profile), the search text left for later (hayOf, warmSearchText).
 */
function entriesOf(alerts: readonly AlertView[], byFp: Map<string, Entry>): Entry[] {
  const add: Entry[] = new Array(alerts.length);
  for (let i = 0; i < alerts.length; i++) {
    const e = toEntry(alerts[i]);
    byFp.set(alerts[i].fingerprint, e);
    add[i] = e;
  }
  return add;
}

/** the longest slice of warmSearchText: well under a frame, so input and scrolling go first */
const HAY_SLICE_MS = 8;

/**
 * Builds the search text of every loaded entry (hayOf) in idle slices after the load, so the first
 * keystroke in the filter finds it built. A new load stops the old one's warming.
 */
function warmSearchText(gen: number, entries: readonly Entry[]): void {
  const later = (f: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 1000 }) : setTimeout(f, 0));
  let i = 0;
  const slice = () => {
    if (gen !== loadGen) return;
    const until = performance.now() + HAY_SLICE_MS;
    while (i < entries.length && performance.now() < until) for (const end = Math.min(i + 256, entries.length); i < end; i++) hayOf(entries[i]);
    if (i < entries.length) later(slice);
  };
  later(slice);
}

let batchTimer: ReturnType<typeof setTimeout> | null = null;

function queueDelta(upserted: Alert[], removed: string[]): void {
  deltas.queue(upserted, removed);
  batchTimer ??= setTimeout(applyDelta, BATCH_MS);
}

function applyDelta(): void {
  batchTimer = null;
  if (get().loading) return; // reload() applies what waited once it is complete
  if (!deltas.waiting) return;
  const { byFp, sort, rows, query, compiled, collapsed } = get();
  const { gone, fresh } = deltas.apply(byFp);
  const selected = get().selected;
  const keep = [...selected].filter((fp) => byFp.has(fp));
  const patch = { byFp, selected: keep.length === selected.size ? selected : new Set(keep), ...withClusters(fresh) };
  const patched = grouping.patch(rows, gone, fresh, compiled, comparator(sort), query.groupBy, collapsed);
  if (patched) show(patched, patch);
  else recompute(patch);
}

let actionsTimer: ReturnType<typeof setTimeout> | null = null;
function refreshActionsSoon(): void {
  actionsTimer ??= setTimeout(() => {
    actionsTimer = null;
    void refreshActions();
  }, ACTIONS_THROTTLE_MS);
}

async function refreshActions(): Promise<void> {
  const actions = await vigil().alertActions();
  // the link state refreshes these several times a second in a storm; an unchanged list keeps its map, so
  // the rows it badges are not redrawn
  const before = get().actions;
  if (actions.length === before.length && actions.every((a, i) => a.id === before[i].id && a.state === before[i].state && a.updatedAt === before[i].updatedAt)) return;
  const actionByFp = new Map<string, AlertAction>();
  // newest first: the first seen per fingerprint is the latest
  for (const a of actions) for (const fp of a.fingerprints) if (!actionByFp.has(fp)) actionByFp.set(fp, a);
  set({ actions, actionByFp });
}

let started = false;
/** Subscribes to the core once (idempotent): alerts, counts, actions, notification state, window title. */
export function startAlerts(): void {
  if (started) return;
  started = true;
  const api = vigil();
  // the sort this person left the table in (the columns' order, widths and visibility: AlertTable)
  const saved = useApp.getState().settings?.alertTable?.sort;
  if (saved && (SORT_KEYS as readonly string[]).includes(saved.key)) set({ sort: saved as Sort });
  api.on('alertsChanged', (d) => {
    if (d.reset) void reload();
    else queueDelta(d.upserted, d.removed);
    if (d.silencesChanged) void api.silencesList().then((silences) => set({ silences }));
  });
  api.on('alertCounts', (counts) => set({ counts }));
  api.on('notifyState', (notify) => set({ notify }));
  api.on('alertActionsChanged', refreshActionsSoon);
  api.on('outboxResult', refreshActionsSoon);
  api.on('linkState', refreshActionsSoon);
  // `e` pressed here: say who the gateway paged, and where
  api.on('pageChanged', (p) => {
    const me = useApp.getState().link?.session.name;
    if (!p.paged?.by || p.paged.by !== me) return;
    const t = i18next.getFixedT(null, 'alerts');
    const sep = t('page.sep');
    const who = p.paged.people.map((x) => t('page.person', { name: x.name, console: t(`page.console.${x.console}`, { name: x.name }) })).join(sep) || t('page.nobody');
    const where = p.paged.channels.length ? t('page.toastChannels', { channels: p.paged.channels.join(sep) }) : t('page.toastNoChannels');
    useApp.getState().toast({
      level: 'info',
      title: t('page.toastTitle', { alert: p.alertname, level: p.paged.level, name: p.paged.name ?? '' }),
      body: `${t('page.toastPeople', { who })} · ${where}`,
    });
  });
  // the title bar (and the Electron window title) shows the unacked count wherever the user is
  useAlerts.subscribe((s, prev) => {
    if (s.counts !== prev.counts) document.title = s.counts?.unacked ? `(${s.counts.unacked}) Vigil` : 'Vigil';
  });
  void api.alertCounts().then((counts) => set({ counts }));
  void api.notifyState().then((notify) => set({ notify }));
  void api.alertFiltersList().then((saved) => set({ saved }));
  void refreshActions();
  void reload();
}

// ---- view operations -------------------------------------------------------------------------------

export const alerts = {
  reload,
  setQuery(patch: Partial<AlertQuery>): void {
    const query = { ...get().query, ...patch };
    recompute({ query, compiled: compileQuery(query), cursor: 0 });
  },
  setGroupByText(text: string): void {
    const query = { ...get().query, groupBy: parseGroupBy(text) };
    recompute({ groupByText: text, query, collapsed: new Set() });
  },
  clearQuery(): void {
    recompute({ query: EMPTY_QUERY, groupByText: EMPTY_QUERY.groupBy.join(', '), compiled: compiledEmpty, collapsed: new Set(), cursor: 0 });
  },
  applySaved(f: SavedFilter): void {
    const query: AlertQuery = { text: f.text, matchers: f.matchers, states: f.states, groupBy: f.groupBy };
    recompute({ query, groupByText: f.groupBy.join(', '), compiled: compileQuery(query), collapsed: new Set(), cursor: 0 });
  },
  async saveFilter(name: string): Promise<void> {
    const f = await vigil().alertFilterSave({ ...get().query, name });
    set({ saved: await vigil().alertFiltersList() });
    useApp.getState().toast({ level: 'success', title: i18next.t('alerts:filter.savedOk', { name: f.name }) });
  },
  async deleteSaved(id: string): Promise<void> {
    await vigil().alertFilterDelete(id);
    set({ saved: await vigil().alertFiltersList() });
  },
  sortBy(key: SortKey): void {
    const cur = get().sort;
    alerts.setSort({ key, desc: cur.key === key ? !cur.desc : false });
  },
  setSort(sort: Sort): void {
    const cur = get().sort;
    if (cur.key === sort.key && cur.desc === sort.desc) return;
    recompute({ sort, sorted: [...sortedNow()].sort(comparator(sort)) });
  },
  toggleGroup(key: string): void {
    const collapsed = new Set(get().collapsed);
    if (!collapsed.delete(key)) collapsed.add(key);
    recompute({ collapsed });
  },
  move(delta: number): void {
    const n = get().rows.length;
    if (n) set({ cursor: Math.max(0, Math.min(n - 1, get().cursor + delta)) });
  },
  setCursor(i: number): void {
    set({ cursor: i });
  },
  /** puts the cursor on an alert (a notification click), opening its details even if filtered out */
  focus(fp: string): void {
    const e = get().byFp.get(fp);
    const i = e ? get().rows.indexOfAlert(e) : -1;
    set({ openFp: fp, ...(i >= 0 ? { cursor: i } : {}) });
  },
  toggleSelect(fps: string[]): void {
    const selected = new Set(get().selected);
    const all = fps.every((fp) => selected.has(fp));
    for (const fp of fps) if (all) selected.delete(fp);
    else selected.add(fp);
    set({ selected });
  },
  clearSelection(): void {
    set({ selected: new Set() });
  },
  open(fp: string | null): void {
    set({ openFp: fp });
  },
  dialog(d: Dialog): void {
    set({ dialog: d });
  },
  focusFilter(): void {
    set({ focusFilterTick: get().focusFilterTick + 1 });
  },
  /** what an action applies to: the selection, else the alert or group under the cursor */
  targets(): string[] {
    const s = get();
    if (s.selected.size) return [...s.selected];
    const r = s.rows.at(s.cursor);
    if (!r) return s.openFp ? [s.openFp] : [];
    return r.kind === 'group' ? fingerprintsOf(r) : [fingerprintOf(r)];
  },
  async act(kind: BulkKind, fingerprints: string[], opts: { note?: string } = {}): Promise<boolean> {
    const t = i18next.getFixedT(null, 'alerts');
    const toast = useApp.getState().toast;
    if (!fingerprints.length) {
      toast({ level: 'warning', title: t('actions.noTarget') });
      return false;
    }
    const type = `alert.${kind}` as const;
    try {
      const api = vigil();
      // options always as an object: an `undefined` argument would cross the JSON transport as null
      const note = opts.note ? { note: opts.note } : {};
      const queued =
        kind === 'ack'
          ? await api.alertAck(fingerprints, note)
          : kind === 'unack'
            ? await api.alertUnack(fingerprints)
            : kind === 'resolve'
              ? await api.alertResolve(fingerprints, note)
              : await api.alertEscalate(fingerprints, opts.note ? { reason: opts.note } : {});
      toast({
        level: 'info',
        title: t('actions.queued', { action: t(`actionName.${type}`), count: queued.length }),
        ...(kind === 'escalate' ? { body: t('actions.escalateBody') } : {}),
      });
      await refreshActions();
      return true;
    } catch (err) {
      toast({ level: 'error', title: t('actions.failedTitle', { action: t(`actionName.${type}`) }), body: err instanceof Error ? err.message : String(err) });
      return false;
    }
  },
  async retry(id: string): Promise<void> {
    try {
      await vigil().outboxRetry(id);
    } catch (err) {
      useApp.getState().toast({ level: 'error', title: i18next.t('alerts:actions.retry'), body: err instanceof Error ? err.message : String(err) });
    }
    await refreshActions();
  },
  refreshActions,
};
