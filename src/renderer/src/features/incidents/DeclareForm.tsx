/**
 * Declaring an incident: the handbook 003 decision tree as three yes/no questions asked in turn, the
 * proposed severity (which the person may override, with a reason), impact and the alerts to link.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '@shared/alerts';
import { SEVERITIES, type Severity } from '@shared/domain';
import { TRIAGE_QUESTIONS, decideSeverity, nextQuestion, type Triage, type TriageQuestion } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { attempt } from '@renderer/data/action';
import { useLive } from '@renderer/data/load';

type Answers = Partial<Record<TriageQuestion, boolean>>;

/** Firing alerts as checkboxes; used when declaring and when linking more alerts later. */
export function AlertPicker({ selected, onChange, exclude = [] }: { selected: string[]; onChange: (fps: string[]) => void; exclude?: string[] }) {
  const { t } = useTranslation('incidents');
  const { data } = useLive(['alerts'], () => vigil().alertsList(), 'alerts');
  const firing = (data ?? []).filter((a: Alert) => a.state === 'firing' && !exclude.includes(a.fingerprint));
  if (!firing.length) return <p className="muted">{t('declare.noAlerts')}</p>;
  return (
    <ul className="process-list">
      {firing.slice(0, 200).map((a) => (
        <li key={a.fingerprint}>
          <label>
            <input
              type="checkbox"
              checked={selected.includes(a.fingerprint)}
              onChange={(e) => onChange(e.target.checked ? [...selected, a.fingerprint] : selected.filter((f) => f !== a.fingerprint))}
            />
            {t('declare.linkAlert', { name: a.alertname, severity: a.severity })}
          </label>
        </li>
      ))}
    </ul>
  );
}

export function DeclareForm({ onDone, onCancel }: { onDone: (id: string) => void; onCancel: () => void }) {
  const { t } = useTranslation('incidents');
  const headingId = useId();
  const [title, setTitle] = useState('');
  const [answers, setAnswers] = useState<Answers>({});
  const [severity, setSeverity] = useState<Severity | null>(null);
  const [reason, setReason] = useState('');
  const [impact, setImpact] = useState('');
  const [fps, setFps] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  // Questions past the branch taken are dropped when an earlier answer changes.
  const asked: TriageQuestion[] = [];
  for (const q of TRIAGE_QUESTIONS) {
    const next = nextQuestion(Object.fromEntries(asked.map((a) => [a, answers[a]])));
    if (next !== q) break;
    asked.push(q);
  }
  const complete = nextQuestion(Object.fromEntries(asked.map((a) => [a, answers[a]]))) === null;
  const triage: Triage | null = complete
    ? { serviceDown: answers.serviceDown!, coreAffected: asked.includes('coreAffected') ? answers.coreAffected! : null, uxDegraded: asked.includes('uxDegraded') ? answers.uxDegraded! : null }
    : null;
  const proposed = triage ? decideSeverity(triage) : null;
  const chosen = severity ?? proposed;
  const overriding = proposed !== null && chosen !== proposed;

  const answer = (q: TriageQuestion, v: boolean) => {
    const idx = TRIAGE_QUESTIONS.indexOf(q);
    const next: Answers = {};
    for (const earlier of TRIAGE_QUESTIONS.slice(0, idx)) if (answers[earlier] !== undefined) next[earlier] = answers[earlier];
    next[q] = v;
    setAnswers(next);
    setSeverity(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!triage || !chosen) return;
    await attempt(async () => {
      const d = await vigil().incidentDeclare({
        title,
        triage,
        severity: chosen,
        ...(overriding ? { overrideReason: reason } : {}),
        ...(impact.trim() ? { impact } : {}),
        fingerprints: fps,
      });
      onDone(d.incident.id);
    }, setError);
  };

  return (
    <form className="process-card stack" aria-labelledby={headingId} onSubmit={submit}>
      <h2 id={headingId}>{t('declare.heading')}</h2>
      <label>
        {t('declare.title')}
        <input required maxLength={300} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      {asked.map((q) => (
        <fieldset key={q}>
          <legend>{t(`declare.questions.${q}`)}</legend>
          <label>
            <input type="radio" name={q} checked={answers[q] === true} onChange={() => answer(q, true)} /> {t('declare.yes')}
          </label>{' '}
          <label>
            <input type="radio" name={q} checked={answers[q] === false} onChange={() => answer(q, false)} /> {t('declare.no')}
          </label>
        </fieldset>
      ))}
      <p role="status">{proposed ? t('declare.proposed', { severity: proposed }) : t('declare.answerFirst')}</p>
      {proposed && (
        <label>
          {t('declare.severity')}
          <select value={chosen ?? ''} onChange={(e) => setSeverity(e.target.value as Severity)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      )}
      {overriding && (
        <label>
          {t('declare.override')}
          <input required maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
      )}
      <label>
        {t('declare.impact')}
        <textarea maxLength={2000} rows={2} value={impact} onChange={(e) => setImpact(e.target.value)} />
      </label>
      <fieldset>
        <legend>{t('declare.alerts')}</legend>
        <AlertPicker selected={fps} onChange={setFps} />
      </fieldset>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={!proposed || !title.trim()}>
          {t('declare.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('declare.cancel')}
        </button>
      </div>
    </form>
  );
}
