/**
 * The alert detail pane: what the alert is (name, severity, state, key labels), what can be done (actions
 * and their progress, who the gateway paged and where), where help is (runbook, related metric, the console's
 * own escalation when the gateway runs none for the alert), then the record (labels, annotations, history).
 * Each part is its own component in DetailParts.tsx; the labels and annotations (hidden characters marked,
 * huge values cut with "show all") in DetailValues.tsx.
 */
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '@renderer/format';
import { Revealed } from '@renderer/components/Revealed';
import { useApp } from '@renderer/stores/app';
import { LabelChips, SeverityBadge } from '@renderer/ui';
import { ackTimeText } from './columns';
import { ActionLog, DetailActions, EscalationSection, GatewayPageSection, HistorySection, RunbookSection, useGatewayPage } from './DetailParts';
import { AnnotationsSection, HiddenCharsWarning, LabelsSection } from './DetailValues';
import { keyLabels, type Entry } from './model';
import { alerts, useAlerts } from './store';

// the chart (echarts) loads with the first detail pane that shows one, not with the console
const RelatedMetric = lazy(() => import('./RelatedMetric').then((m) => ({ default: m.RelatedMetric })));

function CloseButton() {
  const { t } = useTranslation('alerts');
  return (
    <button type="button" className="ghost close" onClick={() => alerts.open(null)} aria-label={t('detail.close')}>
      ×
    </button>
  );
}

/** State, start, cluster, who acked it and when the ack runs out, and what inhibits it. */
function StatusLine({ entry }: { entry: Entry }) {
  const { t, i18n } = useTranslation('alerts');
  const byFp = useAlerts((s) => s.byFp);
  const now = useApp((s) => s.now);
  const a = entry.a;
  // inhibited names the alert(s) that inhibit it, by name when cached
  const inhibitors = a.inhibitedBy.map((f) => byFp.get(f)?.a.alertname ?? f).join(', ');
  const ackTime = ackTimeText(t, a, now);
  return (
    <p className="meta">
      <span className={`state state-${entry.display}`}>{t(`state.${entry.display}`)}</span> · {t('detail.startedAt', { time: formatTime(a.startsAt, i18n.language) })}
      {a.cluster && <> · {t('detail.cluster', { name: a.cluster })}</>}
      {a.ackedBy && <> · {t('detail.ackedBy', { who: a.ackedBy })}</>}
      {ackTime && (
        <>
          {' '}
          · {ackTime}
          {a.ackAutoExtend ? ` · ${t('detail.ackKept')}` : ''}
        </>
      )}
      {a.inhibitedBy.length > 0 && <> · {t('detail.inhibitedBy', { names: inhibitors })}</>}
    </p>
  );
}

export function DetailPane({ fingerprint }: { fingerprint: string }) {
  const { t, i18n } = useTranslation('alerts');
  const entry = useAlerts((s) => s.byFp.get(fingerprint));
  const ladder = useGatewayPage(fingerprint);
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
          <SeverityBadge severity={a.severity} />{' '}
          <span translate="no">
            <Revealed text={a.alertname} />
          </span>
        </h2>
        <HiddenCharsWarning a={a} />
        <StatusLine entry={entry} />
        {summary && (
          <p className="summary" translate="no">
            <Revealed text={summary} />
          </p>
        )}
        <LabelChips labels={keyLabels(a.labels, 6)} className="label-chips-wrap" />
      </header>
      <DetailActions entry={entry} />
      <ActionLog alert={a} />
      {ladder && <GatewayPageSection ladder={ladder} />}
      <RunbookSection fingerprint={fingerprint} />
      {/* while the gateway pages for the alert, the console's own ladder is the idle offline fallback: not shown */}
      {!ladder && <EscalationSection fingerprint={fingerprint} />}
      <Suspense fallback={null}>
        <RelatedMetric alert={a} />
      </Suspense>
      <LabelsSection alert={a} />
      <AnnotationsSection alert={a} />
      <HistorySection fingerprint={fingerprint} updatedAt={a.updatedAt} />
    </aside>
  );
}
