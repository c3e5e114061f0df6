/** Runbooks view state: the search (as you type, newest answer wins), filters, and the open runbook page. */
import { create } from 'zustand';
import type { RunbookFacets, RunbookPage, RunbookSearchResult } from '@shared/runbooks';
import { vigil } from '@renderer/api';

interface RunbooksState {
  query: string;
  service: string | null;
  tag: string | null;
  result: RunbookSearchResult | null;
  facets: RunbookFacets | null;
  error: string | null;
  openId: string | null;
  page: RunbookPage | null;
  /** the page could not be loaded (not cached, store problem) */
  pageError: string | null;
  setQuery(q: string): void;
  setService(s: string | null): void;
  setTag(t: string | null): void;
  search(): Promise<void>;
  loadFacets(): Promise<void>;
  open(id: string | null): Promise<void>;
  reloadPage(): Promise<void>;
  setPage(page: RunbookPage): void;
}

let searchSeq = 0;
let searchTimer: ReturnType<typeof setTimeout> | null = null;
/** short enough to feel instant, long enough not to query on every key of a fast typist */
const TYPE_DELAY_MS = 60;

export const useRunbooks = create<RunbooksState>((set, get) => ({
  query: '',
  service: null,
  tag: null,
  result: null,
  facets: null,
  error: null,
  openId: null,
  page: null,
  pageError: null,
  setQuery(query) {
    set({ query });
    if (searchTimer) clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void get().search(), TYPE_DELAY_MS);
  },
  setService(service) {
    set({ service });
    void get().search();
  },
  setTag(tag) {
    set({ tag });
    void get().search();
  },
  async search() {
    const seq = ++searchSeq;
    const { query, service, tag } = get();
    try {
      const result = await vigil().runbooksSearch({ query, service, tag, limit: 100 });
      if (seq === searchSeq) set({ result, error: null });
    } catch (err) {
      if (seq === searchSeq) set({ error: err instanceof Error ? err.message : String(err) });
    }
  },
  async loadFacets() {
    try {
      set({ facets: await vigil().runbookFacets() });
    } catch {
      /* the search shows the store error; filters just stay empty */
    }
  },
  async open(id) {
    set({ openId: id, page: id === get().page?.runbook.id ? get().page : null, pageError: null });
    if (id) await get().reloadPage();
  },
  async reloadPage() {
    const id = get().openId;
    if (!id) return;
    try {
      const page = await vigil().runbookPage(id);
      if (get().openId === id) set({ page, pageError: page ? null : 'not_found' });
    } catch (err) {
      if (get().openId === id) set({ pageError: err instanceof Error ? err.message : String(err) });
    }
  },
  setPage(page) {
    if (get().openId === page.runbook.id) set({ page });
  },
}));

/** Keeps the view current while it is mounted: new syncs, imports, alerts firing and resolving. */
export function bindRunbookEvents(): () => void {
  return vigil().on('dataChanged', ({ collection }) => {
    const s = useRunbooks.getState();
    if (collection === 'runbooks') {
      void s.search();
      void s.loadFacets();
      void s.reloadPage();
    } else if (collection === 'alerts' || collection === 'checklists') void s.reloadPage();
  });
}
