/** Cached dashboards: echarts panels, time-range presets, data age, unsupported panels, refresh now. */
import { useEffect } from 'react';
import './dashboards.css';
import { useTranslation } from 'react-i18next';
import { TIME_RANGES, type DashboardView, type TimeRangePreset } from '@shared/contract/knowledge';
import { EmptyState, InlineError, Select, View } from '@renderer/ui';
import { formatAge, formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Panel } from './Panel';
import { bindDashboardEvents, useDashboards } from './store';
import { PartBoundary } from '@renderer/components/PartBoundary';

const PRESETS = Object.keys(TIME_RANGES) as TimeRangePreset[];

export function DashboardsView() {
  const { t } = useTranslation('dashboards');
  const { list, selected, view, error, refresh, select, refreshNow } = useDashboards();
  const now = useApp((s) => s.now);
  const focus = useApp((s) => s.focus);

  useEffect(() => {
    void useDashboards.getState().loadList();
    return bindDashboardEvents();
  }, []);
  // another view asked for a dashboard (a self-check item's panel)
  useEffect(() => {
    if (focus?.view === 'dashboards' && list?.some((d) => d.id === focus.id)) void select(focus.id);
  }, [focus, list, select]);

  const actions = (
    <div className="dashboard-actions">
      {list && list.length > 0 && (
        <Select aria-label={t('dashboard')} value={selected} onChange={(id) => void select(id)} options={list.map((d) => ({ value: d.id, label: d.title }))} />
      )}
      <RangePicker />
      <button type="button" onClick={() => void refreshNow()} disabled={refresh.busy}>
        {refresh.busy ? t('refreshing') : t('refresh')}
      </button>
      {view && (
        <span className="muted age-note" role="status">
          {t('asOf', { age: formatAge(t, view.oldestFetchedAt, now) })}
        </span>
      )}
    </div>
  );

  return (
    <View title={t('title')} actions={actions}>
      <InlineError error={error} />
      {refresh.outcome && (
        <p className="muted" role="status">
          {refresh.outcome.requested
            ? t('refreshAsked')
            : t('refreshNotPossible', { reason: refresh.outcome.reason ?? '' })}
        </p>
      )}
      {list && list.length === 0 && <EmptyState title={t('empty')} body={t('emptyHint')} />}
      {view && (
        <PartBoundary part="dashboard" resetKey={view}>
          <Board view={view} />
        </PartBoundary>
      )}
    </View>
  );
}

function RangePicker() {
  const { t } = useTranslation('dashboards');
  const { preset, setPreset } = useDashboards();
  return (
    <div role="group" aria-label={t('range')} className="range-picker">
      {PRESETS.map((p) => (
        <button
          key={p}
          type="button"
          aria-pressed={p === preset}
          className={p === preset ? 'active' : ''}
          onClick={() => void setPreset(p)}
        >
          {t(`ranges.${p}`)}
        </button>
      ))}
    </div>
  );
}

function Board({ view }: { view: DashboardView }) {
  const { t, i18n } = useTranslation('dashboards');
  const now = useApp((s) => s.now);
  const { dashboard, coverage, window } = view;
  const byPanel = new Map(view.series.map((s) => [s.panelId, s]));
  const newestFetch = view.series.length ? Math.max(...view.series.map((s) => s.fetchedAt)) : null;
  const stepMs = Math.max(0, ...view.series.map((s) => s.stepSeconds * 1000));
  return (
    <>
      {coverage && window.from !== null && coverage.from > window.from + stepMs && (
        <p className="muted">{t('coverageStart', { time: formatTime(coverage.from, i18n.language) })}</p>
      )}
      {coverage && coverage.to < window.to - Math.max(2 * stepMs, 60_000) && (
        <p className="banner banner-warn">
          {t('coverageEnd', { time: formatTime(coverage.to, i18n.language), age: formatAge(t, newestFetch, now) })}
        </p>
      )}
      <div className="panels" aria-label={t('panels')} role="list">
        {dashboard.panels.map((p) => (
          <div role="listitem" key={p.id}>
            <Panel panel={p} cached={byPanel.get(p.id)} window={window} />
          </div>
        ))}
      </div>
      {dashboard.unsupported.length > 0 && (
        <section className="unsupported" aria-labelledby="unsupported-title">
          <h2 id="unsupported-title">{t('unsupported')}</h2>
          <ul>
            {dashboard.unsupported.map((u, i) => (
              <li key={`${u.title}-${i}`}>{t('unsupportedItem', { title: u.title, type: u.type })}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
