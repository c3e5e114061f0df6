import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PageLadder } from '@shared/paging';
import { vigil } from '@renderer/api';
import { formatTime } from '@renderer/format';

/**
 * The gateway's escalation ladder for one alert: each level paged (when, who — and whether their console got
 * it —, by hand or by the ladder's time, on which channels with the delivery result), and what comes next.
 */
export function GatewayLadder({ fingerprint }: { fingerprint: string }) {
  const { t, i18n } = useTranslation('alerts');
  const [ladder, setLadder] = useState<PageLadder | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      void vigil()
        .gatewayPage(fingerprint)
        .then((l) => live && setLadder(l))
        .catch(() => live && setLadder(null));
    load();
    const off = vigil().on('pageChanged', (p) => {
      if (p.fingerprint === fingerprint) load();
    });
    return () => {
      live = false;
      off();
    };
  }, [fingerprint]);
  if (!ladder) return null;
  const time = (at: number) => formatTime(at, i18n.language);
  return (
    <section aria-label={t('page.title')} className="gateway-ladder">
      <h3>{t('page.title')}</h3>
      <p className="muted">
        {t('page.policy', { policy: ladder.policyName, level: ladder.level, levels: ladder.levels })}
        {ladder.stoppedAt !== null && ` · ${t('page.stopped', { time: time(ladder.stoppedAt), reason: ladder.stopReason ?? '' })}`}
      </p>
      <ol aria-label={t('page.steps')}>
        {ladder.steps.map((s) => (
          <li key={s.level}>
            <strong>{t('page.level', { level: s.level, name: s.name ?? '' })}</strong> · {time(s.at)}
            {s.by ? ` · ${t('page.byHand', { who: s.by })}` : ''}
            {s.night ? ` · ${t('page.night')}` : ''}
            <div>
              {s.people.length === 0
                ? t('page.nobody')
                : s.people.map((p) => t('page.person', { name: p.name, console: t(`page.console.${p.console}`, { name: p.name }) })).join(t('page.sep'))}
              {s.unstaffed.length > 0 && ` · ${t('page.unstaffed', { rotations: s.unstaffed.join(t('page.sep')) })}`}
            </div>
            {s.deliveries.length > 0 && (
              <ul aria-label={t('page.deliveries', { level: s.level })}>
                {s.deliveries.map((d) => (
                  <li key={`${d.channel}/${d.person ?? ''}`} className={`delivery-${d.state}`}>
                    {d.channel} ({d.type}){d.person ? ` → ${d.person}` : ''}: <strong>{t(`page.state.${d.state}`)}</strong>
                    {d.attempts > 1 ? ` · ${t('page.attempts', { count: d.attempts })}` : ''}
                    {d.error ? ` · ${d.error}` : ''}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {ladder.next && (
        <p>
          {t('page.next', {
            level: ladder.next.level,
            time: time(ladder.next.at),
            who: ladder.next.people.map((p) => p.name).join(t('page.sep')) || t('page.nobody'),
          })}
        </p>
      )}
    </section>
  );
}
