/**
 * The alert table's column layout (order, hidden columns, widths, sort), kept in the person's settings so
 * the table opens the way they left it. TanStack Table reads it as its state and writes it back through
 * its change handlers (AlertTable); the Columns menu changes it directly. Saving waits until the changes
 * stop (dragging a column wider changes its width on every mouse move).
 */
import { create } from 'zustand';
import { functionalUpdate, type ColumnSizingState, type SortingState, type Updater, type VisibilityState } from '@tanstack/react-table';
import type { AlertTableLayout } from '@shared/domain';
import { useApp } from '@renderer/stores/app';
import { columnLimits, DEFAULT_LAYOUT, sanitizeLayout, type ColumnId } from './columns';
import type { Sort, SortKey } from './model';
import { alerts, useAlerts } from './store';

const SAVE_AFTER_MS = 600;
/** a keyboard "wider" / "narrower" step */
export const SIZE_STEP = 24;

const store = create<AlertTableLayout>(() => DEFAULT_LAYOUT);

/**
 * The layout, read from the settings the first time a component asks (this module loads before the
 * settings arrive, so its initial state cannot come from them).
 */
let restored = false;
export function useLayout(): AlertTableLayout {
  if (!restored && useApp.getState().settings) {
    restored = true;
    store.setState(sanitizeLayout(useApp.getState().settings!.alertTable));
  }
  return store();
}
const useLayoutStore = store;

let timer: ReturnType<typeof setTimeout> | null = null;
function update(patch: Partial<AlertTableLayout>): void {
  useLayoutStore.setState(patch);
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    // a layout that cannot be saved still applies for this session
    useApp.getState().saveSettings({ alertTable: useLayoutStore.getState() }).catch(() => undefined);
  }, SAVE_AFTER_MS);
}

const visibilityOf = (hidden: readonly string[]): VisibilityState => Object.fromEntries(hidden.map((id) => [id, false]));

export const layout = {
  visibility: visibilityOf,
  sorting: (): SortingState => [{ id: useAlerts.getState().sort.key, desc: useAlerts.getState().sort.desc }],
  onOrder(u: Updater<string[]>): void {
    update({ order: functionalUpdate(u, useLayoutStore.getState().order) });
  },
  onVisibility(u: Updater<VisibilityState>): void {
    const v = functionalUpdate(u, visibilityOf(useLayoutStore.getState().hidden));
    update({ hidden: Object.keys(v).filter((id) => v[id] === false) });
  },
  onSizing(u: Updater<ColumnSizingState>): void {
    update({ sizes: functionalUpdate(u, useLayoutStore.getState().sizes) });
  },
  onSorting(u: Updater<SortingState>): void {
    const next = functionalUpdate(u, layout.sorting())[0];
    if (next) layout.sort({ key: next.id as SortKey, desc: next.desc });
  },
  sort(s: Sort): void {
    alerts.setSort(s);
    update({ sort: s });
  },
  show(id: ColumnId, shown: boolean): void {
    const hidden = useLayoutStore.getState().hidden.filter((x) => x !== id);
    update({ hidden: shown ? hidden : [...hidden, id] });
  },
  /**
   * Moves a column one place left (-1) or right (1) past the next column shown; the checkbox column stays
   * first. `absent`: columns the table does not show now (they keep their place, and are stepped over).
   */
  move(id: ColumnId, by: -1 | 1, absent: readonly ColumnId[] = []): void {
    const order = [...useLayoutStore.getState().order];
    const i = order.indexOf(id);
    let j = i + by;
    while (j > 0 && j < order.length && absent.includes(order[j] as ColumnId)) j += by;
    if (i < 1 || j < 1 || j >= order.length) return;
    [order[i], order[j]] = [order[j], order[i]];
    update({ order });
  },
  resize(id: ColumnId, width: number): void {
    const { min, max } = columnLimits(id);
    update({ sizes: { ...useLayoutStore.getState().sizes, [id]: Math.max(min, Math.min(max, Math.round(width))) } });
  },
  reset(): void {
    alerts.setSort(DEFAULT_LAYOUT.sort as Sort);
    update({ ...DEFAULT_LAYOUT });
  },
};
