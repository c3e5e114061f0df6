/**
 * The alert detail pane: what the alert is (name, severity, state, key labels), what can be done (actions
 * and their progress), where help is (runbook, related metric, escalation under way), then the record
 * (labels, annotations, history). Each part is its own component in DetailParts.tsx.
 */
import { useTranslation } from 'react-i18next';
import { formatTime } from '@renderer/format';
import { LabelChips, SeverityBadge } from '@renderer/ui';
import { ActionLog, AnnotationsSection, DetailActions, EscalationSection, HistorySection, LabelsSection, RunbookSection } from './DetailParts';
import { keyLabels } from './model';
import { RelatedMetric } from './RelatedMetric';
import { alerts, useAlerts } from './store';

function CloseButton() {
  const { t } = useTranslation('alerts');
  return (
    <button type="button" className="ghost close" onClick={() => alerts.open(null)} aria-label={t('detail.close')}>
      ×
    </button>
  );
}

export function DetailPane({ fingerprint }: { fingerprint: string }) {
  const { t, i18n } = useTranslation('alerts');
  const entry = useAlerts((s) => s.byFp.get(fingerprint));
  if (!entry)
    return (
      <aside className="alert-detail" aria-label={t('detail.label')}>
        <CloseButton />
        <p className="muted">{t('detail.notFound')}</p>
      </aside>
    );
  const a = entry.a;
  const summary = (i18n.language === 'zh-CN' && entry.summaryZh) || entry.summary;
  return (
    <aside className="alert-detail" aria-label={t('detail.label')}>
      <header className="detail-header">
        <CloseButton />
        <h2>
          <SeverityBadge severity={a.severity} /> <span translate="no">{a.alertname}</span>
        </h2>
        <p className="meta">
          <span className={`state state-${entry.display}`}>{t(`state.${entry.display}`)}</span> · {t('detail.startedAt', { time: formatTime(a.startsAt, i18n.language) })}
          {a.ackedBy && <> · {t('detail.ackedBy', { who: a.ackedBy })}</>}
        </p>
        {summary && (
          <p className="summary" translate="no">
            {summary}
          </p>
        )}
        <LabelChips labels={keyLabels(a.labels, 6)} className="label-chips-wrap" />
      </header>
      <DetailActions entry={entry} />
      <ActionLog alert={a} />
      <RunbookSection fingerprint={fingerprint} />
      <EscalationSection fingerprint={fingerprint} />
      <RelatedMetric alert={a} />
      <LabelsSection alert={a} />
      <AnnotationsSection alert={a} />
      <HistorySection fingerprint={fingerprint} updatedAt={a.updatedAt} />
    </aside>
  );
}
