/**
 * Declaring an incident: the handbook 003 decision tree as three yes/no questions asked in turn, the
 * proposed severity (which the person may override, with a reason), impact and the alerts to link.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '@shared/alerts';
import { keyLabels } from '@shared/alert-labels';
import { SEVERITIES, type Severity } from '@shared/domain';
import { TRIAGE_QUESTIONS, decideSeverity, nextQuestion, type Triage, type TriageQuestion } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { useAction } from '@renderer/data/action';
import { useLive } from '@renderer/data/load';
import { Field, FormCard, InlineError, LabelChips, RadioGroup, Select, SeverityBadge } from '@renderer/ui';

type Answers = Partial<Record<TriageQuestion, boolean>>;

/** Firing alerts to tick, each named with its key labels; used when declaring and when linking more later. */
export function AlertPicker({
  selected,
  onChange,
  exclude = [],
}: {
  selected: string[];
  onChange: (fps: string[]) => void;
  exclude?: string[];
}) {
  const { t } = useTranslation('incidents');
  const { data } = useLive(['alerts'], () => vigil().alertsList(), 'alerts');
  const firing = (data ?? []).filter((a: Alert) => a.state === 'firing' && !exclude.includes(a.fingerprint));
  if (!firing.length) return <p className="muted">{t('declare.noAlerts')}</p>;
  return (
    <ul className="pick-list">
      {firing.slice(0, 200).map((a) => {
        const id = `pick-${a.fingerprint}`;
        return (
          <li key={a.fingerprint} className="check-field">
            <input
              id={id}
              type="checkbox"
              checked={selected.includes(a.fingerprint)}
              onChange={(e) =>
                onChange(e.target.checked ? [...selected, a.fingerprint] : selected.filter((f) => f !== a.fingerprint))
              }
            />
            <label htmlFor={id} className="pick-label">
              <SeverityBadge severity={a.severity} /> <strong>{a.alertname}</strong>{' '}
              <LabelChips labels={keyLabels(a.labels)} />
            </label>
          </li>
        );
      })}
    </ul>
  );
}

function useTriage() {
  const [answers, setAnswers] = useState<Answers>({});
  // Questions past the branch taken are dropped when an earlier answer changes.
  const asked: TriageQuestion[] = [];
  for (const q of TRIAGE_QUESTIONS) {
    const next = nextQuestion(Object.fromEntries(asked.map((a) => [a, answers[a]])));
    if (next !== q) break;
    asked.push(q);
  }
  const complete = nextQuestion(Object.fromEntries(asked.map((a) => [a, answers[a]]))) === null;
  const triage: Triage | null = complete
    ? {
        serviceDown: answers.serviceDown!,
        coreAffected: asked.includes('coreAffected') ? answers.coreAffected! : null,
        uxDegraded: asked.includes('uxDegraded') ? answers.uxDegraded! : null,
      }
    : null;
  const answer = (q: TriageQuestion, v: boolean) => {
    const next: Answers = {};
    for (const earlier of TRIAGE_QUESTIONS.slice(0, TRIAGE_QUESTIONS.indexOf(q)))
      if (answers[earlier] !== undefined) next[earlier] = answers[earlier];
    next[q] = v;
    setAnswers(next);
  };
  return { answers, asked, triage, answer };
}

export function DeclareForm({ onDone, onCancel }: { onDone: (id: string) => void; onCancel: () => void }) {
  const { t } = useTranslation('incidents');
  const [title, setTitle] = useState('');
  const { answers, asked, triage, answer } = useTriage();
  const [severity, setSeverity] = useState<Severity | null>(null);
  const [reason, setReason] = useState('');
  const [impact, setImpact] = useState('');
  const [fps, setFps] = useState<string[]>([]);
  const action = useAction();
  const proposed = triage ? decideSeverity(triage) : null;
  const chosen = severity ?? proposed;
  const overriding = proposed !== null && chosen !== proposed;
  const yesNo = [
    { value: 'yes' as const, label: t('declare.yes') },
    { value: 'no' as const, label: t('declare.no') },
  ];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!triage || !chosen) return;
    await action.run(async () => {
      const d = await vigil().incidentDeclare({
        title,
        triage,
        severity: chosen,
        ...(overriding ? { overrideReason: reason } : {}),
        ...(impact.trim() ? { impact } : {}),
        fingerprints: fps,
      });
      onDone(d.incident.id);
    });
  };

  return (
    <FormCard title={t('declare.heading')} onSubmit={submit}>
      <Field label={t('declare.title')}>
        <input required maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      {asked.map((q) => (
        <RadioGroup
          key={q}
          label={t(`declare.questions.${q}`)}
          value={answers[q] === undefined ? null : answers[q] ? 'yes' : 'no'}
          options={yesNo}
          onChange={(v) => {
            answer(q, v === 'yes');
            setSeverity(null);
          }}
        />
      ))}
      <p role="status" className="proposal">
        {proposed ? t('declare.proposed', { severity: proposed }) : t('declare.answerFirst')}
      </p>
      {proposed && (
        <Field label={t('declare.severity')}>
          <Select value={chosen} options={SEVERITIES.map((s) => ({ value: s, label: s }))} onChange={setSeverity} />
        </Field>
      )}
      {overriding && (
        <Field label={t('declare.override')}>
          <input required maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
      )}
      <Field label={t('declare.impact')}>
        <textarea maxLength={2000} rows={2} value={impact} onChange={(e) => setImpact(e.target.value)} />
      </Field>
      <fieldset>
        <legend>{t('declare.alerts')}</legend>
        <AlertPicker selected={fps} onChange={setFps} />
      </fieldset>
      <InlineError error={action.error} />
      <div className="form-buttons">
        <button type="submit" className="primary" disabled={!proposed || !title.trim() || action.busy}>
          {t('declare.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('declare.cancel')}
        </button>
      </div>
    </FormCard>
  );
}
