/**
 * What to do about a failing (or unknowable) self-check item: the next step in words, and a way to where
 * the help is — the dashboard panel that shows the metric, the firing alerts, the runbook that covers
 * the metric, the link settings. Issue #18: a reading and a limit alone left the engineer guessing.
 */
import { useTranslation } from 'react-i18next';
import type { AutoCheck, AutoResult } from '@shared/checklists';
import { vigil } from '@renderer/api';
import { useLoad } from '@renderer/data/load';
import { useApp } from '@renderer/stores/app';
import { metricNames } from '../alerts/related';
import { alerts } from '../alerts/store';

function usePanelFor(metric: string | null) {
  return useLoad(async () => {
    if (!metric) return null;
    for (const d of await vigil().dashboardsList())
      for (const p of d.panels) if (p.targets.some((x) => metricNames(x.expr).includes(metric))) return { dashboard: d, panel: p };
    return null;
  }, `panel:${metric ?? ''}`).data;
}

function useRunbookFor(metric: string | null) {
  return useLoad(async () => (metric ? ((await vigil().runbooksSearch({ query: metric, service: null, tag: null, limit: 1 })).hits[0]?.runbook ?? null) : null), `rb:${metric ?? ''}`).data;
}

export function StepHelp({ check, auto }: { check: AutoCheck; auto: AutoResult }) {
  const { t } = useTranslation('checklists');
  const go = useApp((s) => s.go);
  const metric = check.type === 'metric' ? check.metric : null;
  const panel = usePanelFor(metric);
  const runbook = useRunbookFor(metric);
  if (auto.outcome === 'pass') return null;
  const links: { label: string; run: () => void }[] = [];
  if (check.type === 'metric' && panel) links.push({ label: t('help.openPanel', { panel: panel.panel.title, dashboard: panel.dashboard.title }), run: () => go('dashboards', panel.dashboard.id) });
  if (check.type === 'metric' && !panel) links.push({ label: t('help.openDashboards'), run: () => go('dashboards') });
  if (runbook) links.push({ label: t('help.openRunbook', { title: runbook.title }), run: () => go('runbooks', runbook.id) });
  if (check.type === 'no_firing')
    links.push({
      label: t('help.openAlerts'),
      run: () => {
        go('alerts');
        alerts.setQuery({ states: ['firing'] });
      },
    });
  if (check.type === 'paging_test' && auto.reason !== 'paging_offline') links.push({ label: t('help.openRoster'), run: () => go('roster') });
  if (check.type === 'link_online' || check.type === 'token_valid' || check.type === 'fresh' || auto.reason === 'paging_offline')
    links.push({ label: t('help.reconnect'), run: () => void vigil().linkReconnect() }, { label: t('help.openSettings'), run: () => go('settings') });
  return (
    <div className="step-help" role="note" aria-label={t('help.label')}>
      <p>
        <strong>{t('help.next')}</strong> {t(`help.advice.${auto.reason}`)}
      </p>
      {links.length > 0 && (
        <div className="toolbar">
          {links.map((l) => (
            <button key={l.label} type="button" className="small" onClick={l.run}>
              {l.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
