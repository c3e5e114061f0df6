import { useEffect, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from './api';
import { CommandPalette } from './components/CommandPalette';
import { Nav } from './components/Nav';
import { PartBoundary } from './components/PartBoundary';
import { StatusBar } from './components/StatusBar';
import { Toasts } from './components/Toasts';
import { AlertsView } from './features/alerts/AlertsView';
import { ChecklistsView } from './features/checklists/ChecklistsView';
import { DashboardsView } from './features/dashboards/DashboardsView';
import { HandoverView } from './features/handover/HandoverView';
import { FreezeBanner } from './features/incidents/FreezeBanner';
import { IncidentsView } from './features/incidents/IncidentsView';
import { RosterView } from './features/roster/RosterView';
import { RunbooksView } from './features/runbooks/RunbooksView';
import { SettingsView } from './features/settings/SettingsView';
import { resolveLanguage } from '@shared/texts';
import { setLanguage } from './i18n';
import { useApp, VIEWS, type View } from './stores/app';

const VIEW_COMPONENTS: Record<View, ComponentType> = {
  alerts: AlertsView,
  runbooks: RunbooksView,
  dashboards: DashboardsView,
  checklists: ChecklistsView,
  incidents: IncidentsView,
  roster: RosterView,
  handover: HandoverView,
  settings: SettingsView,
};

function useThemeAndLanguage() {
  const settings = useApp((s) => s.settings);
  useEffect(() => {
    if (!settings) return;
    // The page's own locale: the OS locale in Electron, the user's browser locale in the browser host.
    setLanguage(resolveLanguage(settings.language, navigator.language));
    const dark = settings.theme === 'dark' || (settings.theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }, [settings]);
}

function useGlobalKeys() {
  const go = useApp((s) => s.go);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && /^[1-8]$/.test(e.key)) {
        e.preventDefault();
        go(VIEWS[Number(e.key) - 1]);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);
}

function StoreProblem() {
  const { t } = useTranslation();
  const info = useApp((s) => s.info);
  const load = useApp((s) => s.load);
  if (!info || info.store.ok) return null;
  return (
    <div role="alert" className="banner banner-error">
      <strong>{t('errors.storeTitle')}</strong> {info.store.message}
      <div>
        <button
          type="button"
          onClick={async () => {
            await vigil().storeRecover();
            await load();
          }}
        >
          {t('errors.storeAction')}
        </button>{' '}
        <span className="muted">{t('errors.storeHint')}</span>
      </div>
    </div>
  );
}

export function App() {
  const { t } = useTranslation();
  const view = useApp((s) => s.view);
  const lost = useApp((s) => s.connectionLost);
  useThemeAndLanguage();
  useGlobalKeys();
  const Current = VIEW_COMPONENTS[view];
  return (
    <div className="app">
      <PartBoundary part="navigation">
        <Nav />
      </PartBoundary>
      <main className="main">
        <FreezeBanner />
        {lost && (
          <div role="alert" className="banner banner-error">
            {t('errors.lost')}
          </div>
        )}
        <StoreProblem />
        {/* keyed by the view: another view starts afresh, and a failed view never blanks the others */}
        <PartBoundary key={view} part={`${view} view`}>
          <Current />
        </PartBoundary>
      </main>
      <PartBoundary part="status bar">
        <StatusBar />
      </PartBoundary>
      <PartBoundary part="notifications">
        <Toasts />
      </PartBoundary>
      <PartBoundary part="command palette">
        <CommandPalette />
      </PartBoundary>
    </div>
  );
}
