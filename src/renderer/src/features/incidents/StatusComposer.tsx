/**
 * Status updates from the handbook 003 templates (start / update / resolved): fields filled from the
 * incident, the text editable, copied to the clipboard and sent to the platform (recorded in the timeline).
 */
import { useEffect, useState } from 'react';
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
import { useAction } from '@renderer/data/action';
import { Field, FieldRow, FormCard, InlineError, Select } from '@renderer/ui';
import { copyText } from '@renderer/components/clipboard';

export function StatusComposer({ detail }: { detail: IncidentDetail }) {
  const { t, i18n } = useTranslation('incidents');
  const lng = i18n.language as Language;
  const toast = useApp((s) => s.toast);
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
  const action = useAction();

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
      action.setError(t('status.copyFailed'));
    }
  };

  const input = (label: string, value: string, set: (v: string) => void, max: number) => (
    <Field label={label}>
      <input value={value} maxLength={max} onChange={(e) => set(e.target.value)} />
    </Field>
  );
  return (
    <FormCard title={t('status.heading')} level={3} onSubmit={(e) => e.preventDefault()}>
      <FieldRow>
        <Field label={t('status.phase')}>
          <Select value={phase} onChange={setPhase} options={STATUS_PHASES.map((p) => ({ value: p, label: t(`status.phases.${p}`) }))} />
        </Field>
        {input(t('status.owner'), owner, setOwner, 80)}
        {phase !== 'resolved' && input(t('status.eta'), eta, setEta, 100)}
        {phase === 'update' && input(t('status.progress'), progress, setProgress, 500)}
        {phase === 'resolved' && (
          <>
            {input(t('status.rootCause'), rootCause, setRootCause, 500)}
            {input(t('status.solution'), solution, setSolution, 500)}
            {input(t('status.review'), review, setReview, 200)}
          </>
        )}
      </FieldRow>
      <Field label={t('status.text')}>
        <textarea
          rows={7}
          maxLength={10_000}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setEdited(true);
          }}
        />
      </Field>
      <InlineError error={action.error} />
      <div className="form-buttons">
        <button type="button" onClick={() => setEdited(false)} disabled={!edited}>
          {t('status.reset')}
        </button>
        <button type="button" onClick={() => void copy()}>
          {t('status.copy')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!text.trim() || action.busy}
          onClick={() =>
            void action.run(async () => {
              await vigil().incidentStatusUpdate(inc.id, { phase, text });
              toast({ level: 'success', title: t('status.sent') });
            })
          }
        >
          {t('status.send')}
        </button>
      </div>
    </FormCard>
  );
}
