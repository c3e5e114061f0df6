/**
 * One checklist run: its overall result, and each step with its state, auto-check reading, due time,
 * note and evidence. Used by the Checklists view and, for the war-room and response flow, by Incidents.
 */
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  failingFirst,
  localize,
  type ChecklistRun,
  type ChecklistTemplate,
  type RunStep,
  type StepState,
  type TemplateStep,
} from '@shared/checklists';
import type { Language } from '@shared/domain';
import { decodeNotifyFailure, notifyFailureReason } from '@shared/notify-failure';
import { vigil } from '@renderer/api';
import { formatAge, formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Badge, InlineError, type Tone } from '@renderer/ui';
import { StepHelp } from './StepHelp';

const STATE_TONE: Record<StepState, Tone> = { todo: 'warn', done: 'ok', skipped: 'neutral', failed: 'danger' };
import { useAction } from '@renderer/data/action';
import { useLive } from '@renderer/data/load';
import './checklists.css';
import { testCallValue } from './test-call-value';

export function ResultBanner({ run, readOnly }: { run: ChecklistRun; readOnly?: boolean }) {
  const { t } = useTranslation('checklists');
  const failed = run.steps.filter((s) => s.state === 'failed').length;
  const todo = run.steps.filter((s) => s.state === 'todo').length;
  const text =
    run.result === 'green'
      ? t('result.green')
      : run.result === 'red'
        ? t('result.red', { count: failed })
        : readOnly && run.state === 'open'
          ? t('result.leftOpen', { count: todo })
          : t('result.pending', { count: todo });
  return (
    <p role="status" aria-label={t('result.label')} className={`result result-${run.result}`} data-result={run.result}>
      {text}
    </p>
  );
}

/**
 * The core writes a reading as text ("alerts: 0 min, runbooks: 3 min", "offline"); the words in it that
 * are Vigil's own (collection names, link states) are said in the reader's language.
 */
export function autoValue(spec: TemplateStep | undefined, value: string, tc: (k: string) => string, t: (k: string) => string, lng: Language): string {
  const type = spec?.autoCheck?.type;
  // the notification step keeps why as a code (@shared/notify-failure): worded now, in the reader's language
  if (type === 'notification_test') {
    const failure = decodeNotifyFailure(value);
    if (failure) return notifyFailureReason(failure, lng);
  }
  if (type === 'paging_test') return testCallValue(value, t);
  if (type === 'fresh') return value.replace(/\b(alerts|runbooks|dashboards|rosters)\b/g, (c) => tc(`collections.${c}`));
  if ((type === 'link_online' || type === 'token_valid') && /^(online|connecting|offline|auth_failed|degraded|disabled)$/.test(value)) return tc(`link.${value}`);
  return value;
}

function AutoReading({ step, spec }: { step: RunStep; spec: TemplateStep | undefined }) {
  const { t, i18n } = useTranslation('checklists');
  const { t: tc } = useTranslation();
  const now = useApp((s) => s.now);
  const a = step.auto;
  if (!a) return null;
  const parts = [`${t('auto.label')}: ${t(`auto.${a.outcome}`)} — ${t(`auto.reasons.${a.reason}`)}`];
  if (a.value !== null) parts.push(t('auto.seen', { value: autoValue(spec, a.value, tc, t, i18n.language as Language) }));
  if (a.limit !== null) parts.push(t('auto.limit', { limit: a.limit }));
  if (a.dataAt !== null) parts.push(t('auto.dataAge', { age: formatAge(tc, a.dataAt, Math.max(now, a.checkedAt)) }));
  return (
    <>
      <p className="step-meta">{parts.join(' · ')}</p>
      {spec?.autoCheck && step.state !== 'done' && step.state !== 'skipped' && <StepHelp check={spec.autoCheck} auto={a} />}
    </>
  );
}

function StepItem({ run, step, spec, readOnly }: { run: ChecklistRun; step: RunStep; spec: TemplateStep | undefined; readOnly: boolean }) {
  const { t, i18n } = useTranslation('checklists');
  const lng = i18n.language as Language;
  const now = useApp((s) => s.now);
  const titleId = useId();
  const [note, setNote] = useState(step.note ?? '');
  const [evidence, setEvidence] = useState(step.evidence?.value ?? step.evidence?.link ?? '');
  const action = useAction();
  const title = spec ? localize(spec.title, lng) : step.stepId;
  const open = run.state === 'open' && !readOnly;

  const set = (state: StepState) =>
    action.run(
      () =>
        vigil().checklistStep({
          runId: run.id,
          stepId: step.stepId,
          state,
          note,
          ...(evidence && spec?.evidence ? { evidence: spec.evidence === 'link' ? { link: evidence } : { value: evidence } } : {}),
        }),
    );

  return (
    <li className={`step step-${step.state}`} aria-labelledby={titleId} data-state={step.state}>
      <div>
        <Badge tone={STATE_TONE[step.state]}>{t(`state.${step.state}`)}</Badge>
        <span id={titleId} className="step-title">
          {title}
        </span>
      </div>
      {spec?.detail && <p className="step-meta">{localize(spec.detail, lng)}</p>}
      <p className="step-meta step-meta-row">
        {spec?.role && <span>{t('step.role', { role: t(`roles.${spec.role}`, { defaultValue: spec.role }) })}</span>}
        {step.dueAt !== null && step.state === 'todo' && (
          <span className={`badge ${step.dueAt <= now ? 'badge-danger' : 'badge-warn'}`}>
            {step.dueAt <= now ? t('step.overdue', { time: formatTime(step.dueAt, lng) }) : t('step.due', { time: formatTime(step.dueAt, lng) })}
          </span>
        )}
        {step.updatedBy && step.updatedAt !== null && (
          <span>
            {t('step.by', { who: step.updatedBy === 'auto-check' ? t('step.auto') : step.updatedBy, time: formatTime(step.updatedAt, lng) })}
          </span>
        )}
      </p>
      <AutoReading step={step} spec={spec} />
      {!open && step.note && <p className="step-meta">{step.note}</p>}
      {!open && (step.evidence?.value || step.evidence?.link) && <p className="step-meta">{step.evidence.value ?? step.evidence.link}</p>}
      {open && (
        <div className="step-controls" role="group" aria-label={t('step.stateOf')}>
          <input aria-label={t('step.note')} placeholder={t('step.note')} value={note} maxLength={4000} onChange={(e) => setNote(e.target.value)} />
          {spec?.evidence && (
            <input
              aria-label={spec.evidence === 'link' ? t('step.evidenceLink') : t('step.evidenceValue')}
              placeholder={spec.evidence === 'link' ? t('step.evidenceLink') : t('step.evidenceValue')}
              value={evidence}
              maxLength={2000}
              onChange={(e) => setEvidence(e.target.value)}
            />
          )}
          <button type="button" onClick={() => void set('done')} aria-pressed={step.state === 'done'}>
            {t('actions.done')}
          </button>
          <button type="button" onClick={() => void set('failed')} aria-pressed={step.state === 'failed'}>
            {t('actions.failed')}
          </button>
          <button type="button" onClick={() => void set('skipped')} aria-pressed={step.state === 'skipped'}>
            {t('actions.skip')}
          </button>
          {step.state !== 'todo' ? (
            <button type="button" onClick={() => void set('todo')}>
              {t('actions.reopen')}
            </button>
          ) : (
            <button type="button" onClick={() => void set('todo')}>
              {t('actions.saveNote')}
            </button>
          )}
        </div>
      )}
      <InlineError error={action.error} />
    </li>
  );
}

function orderedSteps(run: ChecklistRun, template: ChecklistTemplate) {
  const steps = run.kind === 'self_check' ? failingFirst(run.steps) : run.steps;
  const specs = new Map(template.steps.map((s) => [s.id, s]));
  return steps.map((s) => ({ step: s, spec: specs.get(s.stepId) }));
}

/** One run; `readOnly` for the runs of a closed incident (their state stays as the incident left it). */
export function RunPanel({ runId, headingLevel = 2, readOnly = false }: { runId: string; headingLevel?: 2 | 3; readOnly?: boolean }) {
  const { t, i18n } = useTranslation('checklists');
  const lng = i18n.language as Language;
  const { data, error: loadError } = useLive(['checklists'], () => vigil().checklistRun(runId), runId);
  const action = useAction();
  if (loadError) return <InlineError error={loadError} />;
  if (!data) return <p>{t('common:loading')}</p>;
  const { run, template } = data;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const headingId = `run-${run.id}`;
  let lastSection = '';
  return (
    <section className="card run" aria-labelledby={headingId}>
      <H id={headingId} className="card-title">
        {localize(run.title, lng)}
      </H>
      <p className="step-meta">
        {t('run.startedBy', { time: formatTime(run.startedAt, lng), who: run.startedBy })}
        {run.finishedAt !== null && ` · ${t('run.finished', { time: formatTime(run.finishedAt, lng) })}`}
        {run.incidentId && ` · ${t('run.incident', { id: run.incidentId })}`}
      </p>
      <ResultBanner run={run} readOnly={readOnly} />
      {run.kind === 'self_check' && <p className="step-meta">{t('run.failingFirst')}</p>}
      <ol className="steps">
        {orderedSteps(run, template).map(({ step, spec }) => {
          const section = run.kind !== 'self_check' && spec?.section ? localize(spec.section, lng) : '';
          const header = section && section !== lastSection ? section : '';
          lastSection = section || lastSection;
          return (
            <StepGroup key={step.stepId} header={header}>
              <StepItem key={`${step.stepId}:${step.updatedAt ?? 0}`} run={run} step={step} spec={spec} readOnly={readOnly} />
            </StepGroup>
          );
        })}
      </ol>
      {run.state === 'open' && !readOnly && (
        <div className="form-buttons">
          {template.steps.some((s) => s.autoCheck) && (
            <button type="button" disabled={action.busy} onClick={() => void action.run(() => vigil().checklistRecheck(run.id))}>
              {t('actions.recheck')}
            </button>
          )}
          <button type="button" onClick={() => void action.run(() => vigil().checklistFinish(run.id))}>
            {t('actions.finish')}
          </button>
        </div>
      )}
      <InlineError error={action.error} />
    </section>
  );
}

function StepGroup({ header, children }: { header: string; children: ReactNode }) {
  return (
    <>
      {header && (
        <li aria-hidden="true" className="step-meta">
          <strong>{header}</strong>
        </li>
      )}
      {children}
    </>
  );
}
