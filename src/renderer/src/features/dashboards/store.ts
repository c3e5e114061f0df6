/** Dashboards view state: which dashboard, which time range, the cached view of it. Survives navigation. */
import { create } from 'zustand';
import type { DashboardView, RefreshOutcome, TimeRangePreset } from '@shared/contract/knowledge';
import type { Dashboard } from '@shared/dashboards';
import { vigil } from '@renderer/api';

interface DashboardsState {
  list: Dashboard[] | null;
  selected: string | null;
  preset: TimeRangePreset;
  view: DashboardView | null;
  error: string | null;
  refresh: { busy: boolean; outcome: RefreshOutcome | null };
  loadList(): Promise<void>;
  select(id: string): Promise<void>;
  setPreset(p: TimeRangePreset): Promise<void>;
  loadView(): Promise<void>;
  refreshNow(): Promise<void>;
}

let viewSeq = 0;

export const useDashboards = create<DashboardsState>((set, get) => ({
  list: null,
  selected: null,
  preset: '1h',
  view: null,
  error: null,
  refresh: { busy: false, outcome: null },
  async loadList() {
    try {
      const list = await vigil().dashboardsList();
      const selected = list.some((d) => d.id === get().selected) ? get().selected : (list[0]?.id ?? null);
      set({ list, selected, error: null });
      await get().loadView();
    } catch (err) {
      set({ error: err instanceof Error ? err.message : String(err) });
    }
  },
  async select(id) {
    set({ selected: id });
    await get().loadView();
  },
  async setPreset(preset) {
    set({ preset });
    await get().loadView();
  },
  async loadView() {
    const { selected, preset } = get();
    const seq = ++viewSeq;
    if (!selected) return set({ view: null });
    try {
      const view = await vigil().dashboardView(selected, preset);
      if (seq === viewSeq) set({ view, error: null });
    } catch (err) {
      if (seq === viewSeq) set({ error: err instanceof Error ? err.message : String(err) });
    }
  },
  async refreshNow() {
    set({ refresh: { busy: true, outcome: null } });
    try {
      const outcome = await vigil().knowledgeRefresh();
      await get().loadList();
      set({ refresh: { busy: false, outcome } });
    } catch (err) {
      set({
        refresh: {
          busy: false,
          outcome: { requested: false, reason: err instanceof Error ? err.message : String(err) },
        },
      });
    }
  },
}));

/** live series arrive every few seconds; redraw at most this often */
const RELOAD_EVERY_MS = 2000;

export function bindDashboardEvents(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const off = vigil().on('dataChanged', ({ collection }) => {
    if (collection !== 'dashboards' || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void useDashboards.getState().loadList();
    }, RELOAD_EVERY_MS);
  });
  return () => {
    off();
    if (timer) clearTimeout(timer);
  };
}
