/** Cached dashboards: echarts panels, time-range presets, data age, unsupported panels, refresh now. */
import { useEffect } from 'react';
import './dashboards.css';
import { useTranslation } from 'react-i18next';
import { TIME_RANGES, type DashboardView, type TimeRangePreset } from '@shared/contract/knowledge';
import { ViewFrame } from '@renderer/components/CollectionView';
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

  useEffect(() => {
    void useDashboards.getState().loadList();
    return bindDashboardEvents();
  }, []);

  const actions = (
    <div className="dashboard-actions">
      {list && list.length > 0 && (
        <label>
          {t('dashboard')}{' '}
          <select value={selected ?? ''} onChange={(e) => void select(e.target.value)}>
            {list.map((d) => (
              <option key={d.id} value={d.id}>
                {d.title}
              </option>
            ))}
          </select>
        </label>
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
    <ViewFrame ns="dashboards" actions={actions}>
      {error && <p role="alert">{error}</p>}
      {refresh.outcome && (
        <p className="muted" role="status">
          {refresh.outcome.requested
            ? t('refreshAsked')
            : t('refreshNotPossible', { reason: refresh.outcome.reason ?? '' })}
        </p>
      )}
      {list && list.length === 0 && <p className="empty">{t('empty')}</p>}
      {view && (
        <PartBoundary part="dashboard" resetKey={view}>
          <Board view={view} />
        </PartBoundary>
      )}
    </ViewFrame>
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
