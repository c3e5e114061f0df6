import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from './api';
import { CommandPalette } from './components/CommandPalette';
import { Nav } from './components/Nav';
import { PartBoundary } from './components/PartBoundary';
import { StatusBar } from './components/StatusBar';
import { useApplyTheme } from './design/theme';
import { AlertsView } from './features/alerts/AlertsView';
import { FreezeBanner } from './features/incidents/FreezeBanner';
import { NameNeeded } from './features/signin/NameNeeded';
import { SignedOutBanner, SignInDialog } from './features/signin/SignedOut';
import { resolveLanguage } from '@shared/texts';
import { setLanguage } from './i18n';
import { useApp, VIEWS, type View } from './stores/app';
import { Banner, ConfirmHost, Toaster } from './ui';

// The alert console is the first screen and comes with the page; the other views (echarts, markdown, the
// roster calendar…) load when first opened, so the first screen does not wait for their code.
const RunbooksView = lazy(() => import('./features/runbooks/RunbooksView').then((m) => ({ default: m.RunbooksView })));
const DashboardsView = lazy(() => import('./features/dashboards/DashboardsView').then((m) => ({ default: m.DashboardsView })));
const ChecklistsView = lazy(() => import('./features/checklists/ChecklistsView').then((m) => ({ default: m.ChecklistsView })));
const IncidentsView = lazy(() => import('./features/incidents/IncidentsView').then((m) => ({ default: m.IncidentsView })));
const RosterView = lazy(() => import('./features/roster/RosterView').then((m) => ({ default: m.RosterView })));
const HandoverView = lazy(() => import('./features/handover/HandoverView').then((m) => ({ default: m.HandoverView })));
const SettingsView = lazy(() => import('./features/settings/SettingsView').then((m) => ({ default: m.SettingsView })));

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
  useApplyTheme(settings?.theme);
  useEffect(() => {
    // The page's own locale: the OS locale in Electron, the user's browser locale in the browser host.
    if (settings) setLanguage(resolveLanguage(settings.language, navigator.language));
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
    <Banner
      tone="danger"
      actions={
        <button
          type="button"
          onClick={async () => {
            await vigil().storeRecover();
            await load();
          }}
        >
          {t('errors.storeAction')}
        </button>
      }
    >
      <strong>{t('errors.storeTitle')}</strong> {info.store.message}
      <p className="meta">{t('errors.storeHint')}</p>
    </Banner>
  );
}

function ConnectionLost() {
  const { t } = useTranslation();
  const lost = useApp((s) => s.connectionLost);
  if (!lost) return null;
  return (
    <Banner
      tone="danger"
      actions={
        <button type="button" onClick={() => location.reload()}>
          {t('errors.reload')}
        </button>
      }
    >
      {t('errors.lost')}
    </Banner>
  );
}

export function App() {
  const { t } = useTranslation();
  const view = useApp((s) => s.view);
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
        <ConnectionLost />
        <StoreProblem />
        <SignedOutBanner />
        <NameNeeded />
        {/* keyed by the view: another view starts afresh, and a failed view (or one whose code failed to
            load) never blanks the others */}
        <PartBoundary key={view} part={`${view} view`}>
          <Suspense fallback={<p className="muted">{t('loading')}</p>}>
            <Current />
          </Suspense>
        </PartBoundary>
      </main>
      <PartBoundary part="status bar">
        <StatusBar />
      </PartBoundary>
      <PartBoundary part="notifications">
        <Toaster />
      </PartBoundary>
      <ConfirmHost />
      <PartBoundary part="command palette">
        <CommandPalette />
      </PartBoundary>
      <PartBoundary part="sign-in dialog">
        <SignInDialog />
      </PartBoundary>
    </div>
  );
}
