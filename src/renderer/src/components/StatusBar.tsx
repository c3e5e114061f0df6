import { useTranslation } from 'react-i18next';
import { formatAge, formatClock, formatDayTime } from '../format';
import { OnCallNow } from '../features/roster/OnCallNow';
import { SessionBadge } from '../features/signin/SessionBadge';
import { useApp } from '../stores/app';

/** Link state, pending actions and the age of each cached collection, always visible. */
export function StatusBar() {
  const { t, i18n } = useTranslation();
  const link = useApp((s) => s.link);
  const freshness = useApp((s) => s.freshness);
  const now = useApp((s) => s.now);
  const warming = useApp((s) => s.startup?.warmingUp);
  const status = link?.status ?? 'connecting';
  return (
    <footer className="statusbar" aria-label={t('link.label')}>
      <span role="status" aria-label={t('link.label')} className={`link-state link-${status}`} data-status={status}>
        <span className="dot" aria-hidden="true" />
        {t(`link.${status}`)}
        {link && status !== 'online' && status !== 'disabled' && (
          <span className="muted"> · {t('link.since', { time: Date.now() - link.since < 20 * 3600_000 ? formatClock(link.since, i18n.language) : formatDayTime(link.since, i18n.language) })}</span>
        )}
        {link?.embedded && <span className="muted"> · {t('link.embedded')}</span>}
      </span>
      <SessionBadge />
      {link?.snapshot && (
        <span className="snapshot">
          <progress aria-label={t('link.snapshot', link.snapshot)} max={link.snapshot.total} value={link.snapshot.received} />
          {t('link.snapshot', link.snapshot)}
        </span>
      )}
      {!!link?.pendingActions && <span className="pending">{t('link.pending', { count: link.pendingActions })}</span>}
      {!!warming?.length && (
        <span role="status" className="warming muted">
          {t('startup.warming', { tasks: new Intl.ListFormat(i18n.language, { type: 'unit' }).format(warming.map((w) => t(`startup.${w}`))) })}
        </span>
      )}
      <OnCallNow />
      <span className="ages" aria-label={t('age.dataAge')}>
        {freshness &&
          (Object.keys(freshness) as (keyof typeof freshness)[]).map((c) => (
            <span key={c} className="age">
              {t(`collections.${c}`)}: {formatAge(t, freshness[c], now)}
            </span>
          ))}
      </span>
    </footer>
  );
}
