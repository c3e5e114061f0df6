/**
 * Status updates from the handbook 003 templates (start / update / resolved): fields filled from the
 * incident, the text editable, copied to the clipboard and sent to the platform (recorded in the timeline).
 */
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language } from '@shared/domain';
import {
  STATUS_PHASES,
  formatDuration,
  renderStatusUpdate,
  type IncidentDetail,
  type StatusFields,
  type StatusPhase,
} from '@shared/incidents';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';
import { attempt } from '@renderer/data/action';
import { copyText } from '@renderer/components/clipboard';

export function StatusComposer({ detail }: { detail: IncidentDetail }) {
  const { t, i18n } = useTranslation('incidents');
  const lng = i18n.language as Language;
  const toast = useApp((s) => s.toast);
  const headingId = useId();
  const inc = detail.incident;
  const [phase, setPhase] = useState<StatusPhase>(inc.status === 'resolved' ? 'resolved' : inc.respondedAt ? 'update' : 'start');
  // The owner follows the roles (commander, else on-call, else who declared) until typed over.
  const [ownerTyped, setOwner] = useState<string | null>(null);
  const owner = ownerTyped ?? inc.roles.commander ?? inc.roles.onCall ?? inc.declaredBy;
  const [eta, setEta] = useState('');
  const [progress, setProgress] = useState('');
  const [rootCause, setRootCause] = useState('');
  const [solution, setSolution] = useState('');
  const [review, setReview] = useState('');
  const [text, setText] = useState('');
  const [edited, setEdited] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const unknown = t('status.unknown');
  const fields: StatusFields = {
    id: inc.id,
    severity: inc.severity,
    title: inc.title,
    impact: inc.impact ?? unknown,
    status: t(`statuses.${inc.status}`),
    owner: owner || unknown,
    progress: progress || unknown,
    eta: eta || unknown,
    rootCause: rootCause || unknown,
    solution: solution || unknown,
    duration: formatDuration((inc.resolvedAt ?? Date.now()) - inc.declaredAt, lng),
    review: review || unknown,
  };
  const generated = renderStatusUpdate(phase, fields, lng);
  // The text follows the fields until the person edits it by hand.
  useEffect(() => {
    if (!edited) setText(generated);
  }, [generated, edited]);

  const copy = async () => {
    try {
      await copyText(text);
      toast({ level: 'success', title: t('status.copied') });
    } catch {
      setError(t('status.copyFailed'));
    }
  };

  return (
    <section className="process-card stack" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('status.heading')}</h3>
      <div className="row">
        <label>
          {t('status.phase')}
          <select value={phase} onChange={(e) => setPhase(e.target.value as StatusPhase)}>
            {STATUS_PHASES.map((p) => (
              <option key={p} value={p}>
                {t(`status.phases.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('status.owner')}
          <input value={owner} maxLength={80} onChange={(e) => setOwner(e.target.value)} />
        </label>
        {phase !== 'resolved' && (
          <label>
            {t('status.eta')}
            <input value={eta} maxLength={100} onChange={(e) => setEta(e.target.value)} />
          </label>
        )}
        {phase === 'update' && (
          <label>
            {t('status.progress')}
            <input value={progress} maxLength={500} onChange={(e) => setProgress(e.target.value)} />
          </label>
        )}
        {phase === 'resolved' && (
          <>
            <label>
              {t('status.rootCause')}
              <input value={rootCause} maxLength={500} onChange={(e) => setRootCause(e.target.value)} />
            </label>
            <label>
              {t('status.solution')}
              <input value={solution} maxLength={500} onChange={(e) => setSolution(e.target.value)} />
            </label>
            <label>
              {t('status.review')}
              <input value={review} maxLength={200} onChange={(e) => setReview(e.target.value)} />
            </label>
          </>
        )}
      </div>
      <label>
        {t('status.text')}
        <textarea
          rows={7}
          maxLength={10_000}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setEdited(true);
          }}
        />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => setEdited(false)} disabled={!edited}>
          {t('status.reset')}
        </button>
        <button type="button" onClick={() => void copy()}>
          {t('status.copy')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!text.trim()}
          onClick={() =>
            void attempt(async () => {
              await vigil().incidentStatusUpdate(inc.id, { phase, text });
              toast({ level: 'success', title: t('status.sent') });
            }, setError)
          }
        >
          {t('status.send')}
        </button>
      </div>
    </section>
  );
}
