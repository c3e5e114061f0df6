/** The frame's state: who we are, settings, link state, data freshness, current view, toasts. */
import { create } from 'zustand';
import type { AppInfo, Freshness, LinkState, Settings, SettingsPatch, StartupState } from '@shared/domain';
import { vigil } from '../api';
import { resolveLanguage } from '@shared/texts';

export const VIEWS = ['alerts', 'runbooks', 'dashboards', 'checklists', 'incidents', 'roster', 'handover', 'settings'] as const;
export type View = (typeof VIEWS)[number];

export interface Toast {
  id: string;
  level: 'info' | 'success' | 'warning' | 'error';
  title: string;
  body?: string;
  /** raised by the core about data (an alert's own text): shown as it is, marked translate="no" */
  data?: boolean;
}

interface AppState {
  info: AppInfo | null;
  settings: Settings | null;
  link: LinkState | null;
  freshness: Freshness | null;
  /** what the core is still warming up after start (empty once done) */
  startup: StartupState | null;
  view: View;
  /** an id the current view should focus (an alert fingerprint, a runbook id, …) */
  focus: { view: View; id: string } | null;
  toasts: Toast[];
  connectionLost: boolean;
  now: number;
  load(): Promise<void>;
  saveSettings(patch: SettingsPatch): Promise<Settings>;
  refreshFreshness(): Promise<void>;
  go(view: View, focusId?: string): void;
  toast(t: Omit<Toast, 'id'> & { id?: string }): void;
  dismiss(id: string): void;
}

let toastSeq = 0;

export const useApp = create<AppState>((set, get) => ({
  info: null,
  settings: null,
  link: null,
  freshness: null,
  startup: null,
  view: 'alerts',
  focus: null,
  toasts: [],
  connectionLost: false,
  now: Date.now(),
  async load() {
    const api = vigil();
    // one language for the page and the core's texts: for 'auto' the page's own locale decides, so the
    // core is told it before anything (toasts, notifications) is worded (src/main/core/language.ts)
    void api.pageLanguage(resolveLanguage('auto', navigator.language)).catch(() => undefined);
    const [info, settings, link, freshness, startup] = await Promise.all([api.appInfo(), api.settingsGet(), api.linkState(), api.freshness(), api.startup()]);
    set({ info, settings, link, freshness, startup });
  },
  async saveSettings(patch) {
    const settings = await vigil().settingsSet(patch);
    set({ settings });
    return settings;
  },
  async refreshFreshness() {
    set({ freshness: await vigil().freshness() });
  },
  go(view, focusId) {
    set({ view, focus: focusId ? { view, id: focusId } : null });
  },
  toast(t) {
    const id = t.id ?? `t${++toastSeq}`;
    // the Toaster (Radix Toast) times them out and calls dismiss()
    set({ toasts: [...get().toasts.filter((x) => x.id !== id), { ...t, id }].slice(-5) });
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((x) => x.id !== id) });
  },
}));

/**
 * The freshness ages are shown in minutes, but dataChanged comes dozens of times a second during an alert
 * storm: refetch at most once per FRESHNESS_EVERY_MS, always after the latest change.
 */
const FRESHNESS_EVERY_MS = 1000;

/** Subscribes the store to core events; returns the unsubscribe. */
export function bindAppEvents(): () => void {
  const api = vigil();
  let freshnessTimer: ReturnType<typeof setTimeout> | null = null;
  let freshnessAt = 0;
  const refreshFreshness = () => {
    if (freshnessTimer) return;
    freshnessTimer = setTimeout(() => {
      freshnessTimer = null;
      freshnessAt = Date.now();
      void useApp.getState().refreshFreshness();
    }, Math.max(0, freshnessAt + FRESHNESS_EVERY_MS - Date.now()));
  };
  const offs = [
    api.on('settingsChanged', (settings) => useApp.setState({ settings })),
    api.on('linkState', (link) => useApp.setState({ link })),
    // the store's status travels with it: a deferred integrity check may find the store damaged
    api.on('startup', (startup) => useApp.setState((s) => ({ startup, info: s.info && { ...s.info, store: startup.store } }))),
    api.on('dataChanged', refreshFreshness),
    api.on('toast', (t) => useApp.getState().toast({ ...t, data: true })),
    api.on('focusAlert', ({ fingerprint }) => useApp.getState().go('alerts', fingerprint)),
  ];
  const tick = setInterval(() => useApp.setState({ now: Date.now() }), 15_000);
  return () => {
    offs.forEach((off) => off());
    clearInterval(tick);
    if (freshnessTimer) clearTimeout(freshnessTimer);
  };
}
