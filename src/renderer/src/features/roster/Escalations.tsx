/**
 * The escalation ladders under way, from this console's own escalation state (the core runs a ladder
 * as the offline fallback): what each one is about, the level it reached, who that level reaches now
 * (with their contact links) and when the next level is due. Issue #18: after "e" there was nowhere to
 * look. A ladder the gateway runs (issue #16) shows the gateway's level and people, marked as such.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from '@renderer/api';
import { useLive } from '@renderer/data/load';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Badge, Card, EmptyState, LabelChips, SeverityBadge } from '@renderer/ui';
import { ContactLinks } from './ContactLinks';
import type { ParsedRoster } from './store';

export function Escalations({ rosters }: { rosters: ParsedRoster[] }) {
  const { t, i18n } = useTranslation('roster');
  const go = useApp((s) => s.go);
  const list = useLive(['alerts', 'incidents', 'rosters'], () => vigil().escalationsList(), 'escalations');
  const { reload } = list;
  useEffect(() => vigil().on('escalationChanged', reload), [reload]);
  useEffect(() => vigil().on('pageChanged', reload), [reload]);
  const running = (list.data ?? []).filter((e) => e.stoppedAt === null);
  const stopped = (list.data ?? []).filter((e) => e.stoppedAt !== null).slice(0, 5);
  const person = (rosterId: string, id: string) => rosters.find((r) => r.roster.id === rosterId)?.people.get(id) ?? null;
  return (
    <Card title={t('escalations.heading')} className="escalations">
      <div id="escalations" tabIndex={-1} />
      {running.length === 0 && <EmptyState title={t('escalations.none')} body={t('escalations.noneHint')} />}
      <ul className="escalation-list" aria-label={t('escalations.running')}>
        {running.map((e) => (
          <li key={`${e.subjectKind}:${e.subjectId}`} className="escalation">
            <div className="escalation-head">
              <SeverityBadge severity={e.severity} />
              <button type="button" className="link" onClick={() => go(e.subjectKind === 'alert' ? 'alerts' : 'incidents', e.subjectId)}>
                {e.title}
              </button>
              {e.keyLabels?.length ? <LabelChips labels={e.keyLabels} /> : null}
              <Badge tone="warn">{t('escalations.level', { level: e.level, levels: e.levels })}</Badge>
              <span className="meta">{e.policyName}</span>
              {e.gateway && <Badge tone="info">{t('escalations.gateway')}</Badge>}
            </div>
            <p>
              {e.current.length ? t('escalations.reaches', { names: e.current.map((p) => p.name).join(', ') }) : t('escalations.waiting')} ·{' '}
              <span className="meta">{t('escalations.since', { time: formatTime(e.startedAt, i18n.language) })}</span>
            </p>
            {e.current.map((p) => {
              const full = person(e.rosterId, p.id);
              return full ? <ContactLinks key={p.id} person={full} slackTeam={null} compact /> : null;
            })}
            <p className="meta">
              {e.next ? t('escalations.next', { level: e.next.level, time: formatTime(e.next.at, i18n.language), names: e.next.people.map((p) => p.name).join(', ') || '—' }) : t('escalations.top')}
            </p>
          </li>
        ))}
      </ul>
      {stopped.length > 0 && (
        <details>
          <summary>{t('escalations.stopped', { count: stopped.length })}</summary>
          <ul className="escalation-list">
            {stopped.map((e) => (
              <li key={`${e.subjectKind}:${e.subjectId}`} className="meta">
                {e.title} · {t('escalations.stoppedAt', { time: formatTime(e.stoppedAt!, i18n.language), reason: t(`escalations.reasons.${e.stopReason ?? 'gone'}`) })}
              </li>
            ))}
          </ul>
        </details>
      )}
    </Card>
  );
}
