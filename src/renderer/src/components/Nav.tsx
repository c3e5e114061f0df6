import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAlerts } from '../features/alerts/store';
import { useApp, VIEWS } from '../stores/app';

/**
 * The unacked alert count beside "Alerts", marked "new" when it grew while another view was open: an alert
 * that fires while the engineer reads a runbook is seen from there.
 */
function useAlertBadge(onAlerts: boolean) {
  const counts = useAlerts((s) => s.counts);
  const unacked = counts?.unacked ?? 0;
  const seen = useRef(unacked);
  const [fresh, setFresh] = useState(false);
  useEffect(() => {
    if (onAlerts || unacked < seen.current) {
      seen.current = unacked;
      setFresh(false);
    } else if (unacked > seen.current) setFresh(true);
  }, [onAlerts, unacked]);
  return { unacked, fresh: fresh && !onAlerts, worst: counts?.worstUnacked ?? null };
}

/** Left navigation. Alt+1…8 switch views from anywhere. */
export function Nav() {
  const { t } = useTranslation();
  const view = useApp((s) => s.view);
  const go = useApp((s) => s.go);
  const badge = useAlertBadge(view === 'alerts');
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      <div className="brand" aria-hidden="true">
        <span className="logo">◉</span> {t('app.name')}
      </div>
      <ul>
        {VIEWS.map((v, i) => {
          const counted = v === 'alerts' && badge.unacked > 0;
          return (
            <li key={v}>
              <button
                type="button"
                aria-current={view === v ? 'page' : undefined}
                aria-keyshortcuts={`Alt+${i + 1}`}
                aria-describedby={counted ? 'nav-alert-badge' : undefined}
                onClick={() => go(v)}
              >
                <span>{t(`nav.${v}`)}</span>
                {counted && (
                  <span aria-hidden="true" className={`nav-badge worst-${badge.worst ?? 'none'}${badge.fresh ? ' fresh' : ''}`}>
                    {badge.fresh && '● '}
                    {badge.unacked}
                  </span>
                )}
              </button>
              {counted && (
                <span id="nav-alert-badge" hidden>
                  {t(badge.fresh ? 'nav.unackedNew' : 'nav.unacked', { count: badge.unacked })}
                </span>
              )}
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
