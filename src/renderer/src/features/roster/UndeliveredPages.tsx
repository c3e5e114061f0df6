/**
 * The gateway's page messages that have not arrived, across every ladder (issue #16: a dead letter must be
 * visible in the console, not only inside the one alert's detail pane): still being retried, or given up with
 * the provider's last answer. Each names the alert (a link to it), the level, the channel and the person.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { UndeliveredPage } from '@shared/paging';
import { vigil } from '@renderer/api';
import { useLive } from '@renderer/data/load';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Badge, Card, EmptyState, InlineError, SeverityBadge } from '@renderer/ui';

/** the provider's answer is shown cut; the whole of it is in the title */
const ANSWER_CHARS = 200;

export function UndeliveredPages() {
  const { t } = useTranslation('roster');
  const list = useLive(['alerts'], () => vigil().pagesUndelivered(), 'undelivered pages');
  const { reload } = list;
  useEffect(() => vigil().on('pageChanged', reload), [reload]);
  const items = list.data ?? [];
  return (
    <Card title={t('undelivered.heading')} className="undelivered">
      {list.error && <InlineError error={list.error} />}
      {items.length === 0 && !list.error && <EmptyState title={t('undelivered.none')} />}
      <ul className="escalation-list" aria-label={t('undelivered.heading')}>
        {items.map((u) => (
          <Undelivered key={`${u.fingerprint}/${u.level}/${u.channel}/${u.person ?? ''}`} u={u} />
        ))}
      </ul>
    </Card>
  );
}

function Undelivered({ u }: { u: UndeliveredPage }) {
  const { t, i18n } = useTranslation('roster');
  const go = useApp((s) => s.go);
  const answer = u.error && u.error.length > ANSWER_CHARS ? `${u.error.slice(0, ANSWER_CHARS)}…` : u.error;
  return (
    <li className={`escalation undelivered-${u.state}`}>
      <div className="escalation-head">
        <SeverityBadge severity={u.severity} />
        <button type="button" className="link" onClick={() => go('alerts', u.fingerprint)}>
          {u.alertname}
        </button>
        <Badge tone={u.state === 'dead' ? 'danger' : 'warn'}>
          {u.state === 'dead' ? t('undelivered.dead', { count: u.attempts }) : t('undelivered.retrying', { count: u.attempts })}
        </Badge>
      </div>
      <p>
        {t('undelivered.where', { level: u.level, name: u.levelName ?? '', channel: u.channel, type: u.type })}
        {u.person ? ` · ${t('undelivered.for', { person: u.person })}` : ''}
        {' · '}
        <span className="meta">
          {u.gaveUpAt !== null
            ? t('undelivered.gaveUp', { time: formatTime(u.gaveUpAt, i18n.language) })
            : t('undelivered.paged', { time: formatTime(u.pagedAt, i18n.language) })}
        </span>
      </p>
      {answer && (
        <p className="meta" title={u.error ?? undefined}>
          {t('undelivered.answer')} <code>{answer}</code>
        </p>
      )}
    </li>
  );
}
