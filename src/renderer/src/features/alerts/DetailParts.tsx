/** The sections of the alert detail pane (DetailPane.tsx puts them together). */
import { useEffect, useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert, AlertEvent } from '@shared/alerts';
import { alertEventText } from '@shared/alert-history';
import type { Delivery, PageLadder } from '@shared/paging';
import { vigil } from '@renderer/api';
import { openExternalLink } from '@renderer/components/openLink';
import { errorText, useLive, useLoad } from '@renderer/data/load';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Badge, Menu, type Tone } from '@renderer/ui';
import { useCan } from '../signin/session';
import type { Entry } from './model';
import { alerts, useAlerts } from './store';

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="detail-section">
      <h3 className="section-title">{title}</h3>
      {children}
    </section>
  );
}

export function DetailActions({ entry }: { entry: Entry }) {
  const { t } = useTranslation('alerts');
  const silences = useAlerts((s) => s.silences);
  const a = entry.a;
  const fp = [a.fingerprint];
  const firing = a.state === 'firing';
  // not allowed (a viewer, nobody signed in): disabled, with the reason under them
  const can = useCan('alert.ack');
  const reasonId = useId();
  const gate = can.ok ? {} : { title: can.reason, 'aria-describedby': reasonId };
  const active = a.silencedBy.filter((id) => silences.find((s) => s.id === id)?.state !== 'expired');
  const expire = async (id: string) => {
    try {
      await vigil().silenceExpire(id);
      await alerts.refreshActions();
    } catch (err) {
      useApp.getState().toast({ level: 'error', title: t('actions.failedTitle', { action: t('actionName.silence.expire') }), body: errorText(err) });
    }
  };
  return (
    <section aria-label={t('detail.actions')} className="toolbar detail-actions">
      <button type="button" className="primary" {...gate} onClick={() => void alerts.act('ack', fp)} disabled={!can.ok || !firing || !!a.ackedBy}>
        {t('actions.ack')}
      </button>
      <button type="button" {...gate} onClick={() => alerts.dialog({ kind: 'silence', fingerprints: fp })} disabled={!can.ok}>
        {t('actions.silence')}
      </button>
      <button type="button" {...gate} onClick={() => void alerts.act('escalate', fp)} disabled={!can.ok || !firing}>
        {t('actions.escalate')}
      </button>
      <Menu
        label={t('actions.more')}
        items={[
          { label: t('actions.ackWithNote'), disabled: !can.ok || !firing || !!a.ackedBy, onSelect: () => alerts.dialog({ kind: 'note', fingerprints: fp }) },
          { label: t('actions.unack'), disabled: !can.ok || !a.ackedBy, onSelect: () => void alerts.act('unack', fp) },
          { label: t('actions.resolve'), disabled: !can.ok || !firing, onSelect: () => void alerts.act('resolve', fp) },
          ...active.map((id) => ({ label: t('actions.expireId', { id: id.slice(0, 8) }), disabled: !can.ok, onSelect: () => void expire(id) })),
        ]}
      />
      {!can.ok && (
        <p id={reasonId} className="muted action-reason">
          {can.reason}
        </p>
      )}
    </section>
  );
}

export function ActionLog({ alert: a }: { alert: Alert }) {
  const { t, i18n } = useTranslation('alerts');
  const actions = useAlerts((s) => s.actions);
  const mine = actions.filter((x) => x.fingerprints.includes(a.fingerprint) || (x.silenceId && a.silencedBy.includes(x.silenceId)));
  if (!mine.length) return null;
  return (
    <Section title={t('detail.actionLog')}>
      <ul className="action-log">
        {mine.slice(0, 10).map((x) => (
          <li key={x.id}>
            {t(`actionName.${x.type}`)}{' '}
            <Badge tone={x.state === 'failed' ? 'danger' : x.state === 'pending' ? 'warn' : 'ok'}>{t(`progress.${x.state}`)}</Badge>{' '}
            <span className="meta">{formatTime(x.updatedAt, i18n.language)}</span>
            {x.error && <div className="inline-error">{x.error}</div>}
            {x.state === 'failed' && (
              <button type="button" className="small" onClick={() => void alerts.retry(x.id)}>
                {t('actions.retry')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

export function RunbookSection({ fingerprint }: { fingerprint: string }) {
  const { t } = useTranslation('alerts');
  const go = useApp((s) => s.go);
  const { data: runbook } = useLoad(() => vigil().runbookForAlert(fingerprint), fingerprint);
  return (
    <Section title={t('detail.runbook')}>
      {runbook?.kind === 'local' && (
        <button type="button" onClick={() => go('runbooks', runbook.runbook.id)}>
          {t('detail.runbookOpen', { title: runbook.runbook.title })}
        </button>
      )}
      {runbook?.kind === 'external' && (
        <button type="button" onClick={() => void openExternalLink(runbook.url)}>
          {t('detail.runbookExternal')}
        </button>
      )}
      {(!runbook || runbook.kind === 'none') && <p className="muted">{t('detail.runbookNone')}</p>}
    </Section>
  );
}

/** The escalation ladder running for this alert, from the console's own escalation state. */
export function EscalationSection({ fingerprint }: { fingerprint: string }) {
  const { t, i18n } = useTranslation('alerts');
  const go = useApp((s) => s.go);
  const { data } = useLive(['alerts', 'rosters'], () => vigil().escalationsList(), `esc:${fingerprint}`);
  const esc = data?.find((e) => e.subjectKind === 'alert' && e.subjectId === fingerprint && e.stoppedAt === null);
  if (!esc) return null;
  return (
    <Section title={t('detail.escalation')}>
      <p>
        {t('detail.escalationLevel', { policy: esc.policyName, level: esc.level, levels: esc.levels })}
        {esc.current.length > 0 && <> · {t('detail.escalationReaches', { names: esc.current.map((p) => p.name).join(', ') })}</>}
      </p>
      {esc.next && (
        <p className="meta">
          {t('detail.escalationNext', { time: formatTime(esc.next.at, i18n.language), names: esc.next.people.map((p) => p.name).join(', ') || '—' })}
        </p>
      )}
      <button type="button" className="link" onClick={() => go('roster', 'escalations')}>
        {t('detail.escalationAll')}
      </button>
    </Section>
  );
}

/** The gateway's ladder for one alert (null when the gateway runs none), loaded again when it changes. */
export function useGatewayPage(fingerprint: string): PageLadder | null {
  const { data, reload } = useLoad(() => vigil().gatewayPage(fingerprint), `page:${fingerprint}`);
  useEffect(() => vigil().on('pageChanged', (p) => p.fingerprint === fingerprint && reload()), [fingerprint, reload]);
  return data ?? null;
}

const deliveryTone: Record<Delivery['state'], Tone> = { pending: 'warn', retrying: 'warn', sent: 'ok', dead: 'danger' };

/**
 * The gateway's escalation ladder for one alert: each level paged (when, who — and whether their console got
 * it —, by hand or by the ladder's time, on which channels with the delivery result), and what comes next.
 */
export function GatewayPageSection({ ladder }: { ladder: PageLadder }) {
  const { t, i18n } = useTranslation('alerts');
  const time = (at: number) => formatTime(at, i18n.language);
  const sep = t('page.sep');
  return (
    <Section title={t('page.title')}>
      <p className="meta">
        {t('page.policy', { policy: ladder.policyName, level: ladder.level, levels: ladder.levels })}
        {ladder.stoppedAt !== null && ` · ${t('page.stopped', { time: time(ladder.stoppedAt), reason: ladder.stopReason ?? '' })}`}
      </p>
      <ol aria-label={t('page.steps')} className="page-steps">
        {ladder.steps.map((s) => (
          <li key={s.level}>
            <strong>{t('page.level', { level: s.level, name: s.name ?? '' })}</strong> <span className="meta">{time(s.at)}</span>
            {s.by ? ` · ${t('page.byHand', { who: s.by })}` : ''}
            {s.night ? ` · ${t('page.night')}` : ''}
            <div>
              {s.people.length === 0 ? t('page.nobody') : s.people.map((p) => t('page.person', { name: p.name, console: t(`page.console.${p.console}`, { name: p.name }) })).join(sep)}
              {s.unstaffed.length > 0 && ` · ${t('page.unstaffed', { rotations: s.unstaffed.join(sep) })}`}
            </div>
            {s.deliveries.length > 0 && (
              <ul aria-label={t('page.deliveries', { level: s.level })} className="page-deliveries">
                {s.deliveries.map((d) => (
                  <li key={`${d.channel}/${d.person ?? ''}`}>
                    <span translate="no">{d.channel}</span> ({d.type}){d.person ? ` → ${d.person}` : ''}: <Badge tone={deliveryTone[d.state]}>{t(`page.state.${d.state}`)}</Badge>
                    {d.attempts > 1 ? ` · ${t('page.attempts', { count: d.attempts })}` : ''}
                    {d.error && <div className="inline-error">{d.error}</div>}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {ladder.next && (
        <p className="meta">
          {t('page.next', { level: ladder.next.level, time: time(ladder.next.at), who: ladder.next.people.map((p) => p.name).join(sep) || t('page.nobody') })}
        </p>
      )}
    </Section>
  );
}

/**
 * One history entry in the reader's language: what happened, then who or what (names and comments as
 * written); a request is its own sentence ("ack requested by Li Wei").
 */
function HistoryLine({ event, lng }: { event: AlertEvent; lng: string }) {
  const { kind, detail } = alertEventText(event, lng === 'zh-CN' ? 'zh-CN' : 'en');
  if (event.kind === 'action' && detail) return <>{detail}</>;
  return (
    <>
      <strong>{kind}</strong>
      {detail && <> {detail}</>}
    </>
  );
}

export function HistorySection({ fingerprint, updatedAt }: { fingerprint: string; updatedAt: number }) {
  const { t, i18n } = useTranslation('alerts');
  const actions = useAlerts((s) => s.actions);
  const { data: history } = useLoad(() => vigil().alertHistory(fingerprint), `${fingerprint}:${updatedAt}:${actions.length}:${actions[0]?.updatedAt ?? 0}`);
  return (
    <Section title={t('detail.history')}>
      {history && history.length === 0 && <p className="muted">{t('detail.historyEmpty')}</p>}
      <ol className="history">
        {history?.map((h, i) => (
          <li key={`${h.at}-${i}`}>
            <time dateTime={new Date(h.at).toISOString()}>{formatTime(h.at, i18n.language)}</time> <HistoryLine event={h} lng={i18n.language} />
          </li>
        ))}
      </ol>
    </Section>
  );
}
