/**
 * The war-room for one incident. Open: the controls and the close form at the top, then timers, roles,
 * linked alerts, status updates, the timeline and the war-room checklists. Closed: read-only, led by the
 * postmortem, with an explicit "Reopen…".
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SEVERITIES, type Language, type Severity } from '@shared/domain';
import type { IncidentDetail as Detail } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { useAction } from '@renderer/data/action';
import { formatTime } from '@renderer/format';
import { Badge, Banner, Card, CheckField, InlineError, Select, SeverityBadge, Toolbar } from '@renderer/ui';
import { RunPanel } from '../checklists/RunPanel';
import { CloseForm } from './CloseForm';
import { AlertPicker } from './DeclareForm';
import { LinkedAlerts, ReopenDialog, RolesForm, Timeline, Timer } from './IncidentParts';
import { Postmortem } from './Postmortem';
import { StatusComposer } from './StatusComposer';

type Patch = Parameters<ReturnType<typeof vigil>['incidentUpdate']>[1];

function Controls({ detail, onClose }: { detail: Detail; onClose: () => void }) {
  const { t } = useTranslation('incidents');
  const inc = detail.incident;
  const action = useAction();
  const patch = (p: Patch) => void action.run(() => vigil().incidentUpdate(inc.id, p));
  return (
    <>
      <Toolbar label={t('detail.controls')} className="incident-controls">
        {inc.respondedAt === null && (
          <button type="button" className="primary" onClick={() => patch({ respond: true })}>
            {t('detail.acknowledge')}
          </button>
        )}
        <Select
          aria-label={t('detail.status')}
          value={inc.status}
          onChange={(status) => patch({ status: status as Exclude<typeof inc.status, 'closed'> })}
          options={(['investigating', 'mitigated', 'resolved'] as const).map((s) => ({ value: s, label: t(`statuses.${s}`) }))}
        />
        <Select aria-label={t('detail.severity')} value={inc.severity} onChange={(severity: Severity) => patch({ severity })} options={SEVERITIES.map((s) => ({ value: s, label: s }))} />
        <CheckField label={t('detail.freeze')} title={t('detail.freezeHint')} checked={inc.changeFreeze} onChange={(changeFreeze) => patch({ changeFreeze })} />
        <button type="button" className="toolbar-end-button" onClick={onClose}>
          {t('detail.close')}
        </button>
      </Toolbar>
      <InlineError error={action.error} />
    </>
  );
}

function LinkAlerts({ detail }: { detail: Detail }) {
  const { t } = useTranslation('incidents');
  const [link, setLink] = useState<string[]>([]);
  const action = useAction();
  const inc = detail.incident;
  return (
    <details className="link-more">
      <summary>{t('detail.linkMore')}</summary>
      <AlertPicker selected={link} onChange={setLink} exclude={inc.fingerprints} />
      {link.length > 0 && (
        <button
          type="button"
          onClick={() => void action.run(() => vigil().incidentUpdate(inc.id, { fingerprints: [...inc.fingerprints, ...link] })).then((ok) => ok && setLink([]))}
        >
          {t('detail.linkSelected')}
        </button>
      )}
      <InlineError error={action.error} />
    </details>
  );
}

export function IncidentDetail({ detail }: { detail: Detail }) {
  const { t, i18n } = useTranslation('incidents');
  const lng = i18n.language as Language;
  const inc = detail.incident;
  const closed = inc.status === 'closed';
  const [closing, setClosing] = useState(false);
  const [reopening, setReopening] = useState(false);
  const headingId = useId();

  return (
    <section aria-labelledby={headingId} className="incident">
      <header className="incident-header">
        <h2 id={headingId}>
          <SeverityBadge severity={inc.severity} /> {inc.id}: {inc.title}
        </h2>
        <p className="meta">
          {t('detail.declared', { time: formatTime(inc.declaredAt, lng), who: inc.declaredBy })} · <Badge tone={closed ? 'neutral' : 'danger'}>{t(`statuses.${inc.status}`)}</Badge>
        </p>
      </header>
      {closed ? (
        <Banner
          tone="info"
          actions={
            <button type="button" onClick={() => setReopening(true)}>
              {t('reopen.open')}
            </button>
          }
        >
          {t('detail.closedBanner', { time: inc.closedAt ? formatTime(inc.closedAt, lng) : '' })}
        </Banner>
      ) : (
        <Controls detail={detail} onClose={() => setClosing(true)} />
      )}
      {reopening && <ReopenDialog id={inc.id} onClose={() => setReopening(false)} />}
      {!closed && closing && <CloseForm incident={inc} onCancel={() => setClosing(false)} />}
      {closed && <Postmortem incident={inc} />}
      <div className="timers">
        <Timer label={t('detail.respond')} clock={detail.respond} />
        <Timer label={t('detail.resolve')} clock={detail.resolve} />
      </div>
      <Card title={t('detail.alerts')} level={3}>
        <LinkedAlerts alerts={detail.alerts} />
        {!closed && <LinkAlerts detail={detail} />}
      </Card>
      <RolesForm key={JSON.stringify(inc.roles)} roles={inc.roles} id={inc.id} readOnly={closed} />
      {!closed && <StatusComposer detail={detail} />}
      <Timeline detail={detail} readOnly={closed} />
      {detail.runIds.length > 0 && (
        <section aria-label={t('detail.checklists')} className="incident-runs">
          <h3 className="section-title">{t('detail.checklists')}</h3>
          {detail.runIds.map((id) => (
            <RunPanel key={id} runId={id} headingLevel={3} readOnly={closed} />
          ))}
        </section>
      )}
    </section>
  );
}
