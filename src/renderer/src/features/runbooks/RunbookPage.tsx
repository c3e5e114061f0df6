/**
 * One runbook as a structured page: the handbook template's sections with a table of contents, the alerts
 * firing now that link here, and diagnosis/mitigation steps that tick through as a recorded checklist.
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RunbookStepRun, RunbookPage } from '@shared/runbooks';
import { parseRunbook, type RunbookSection, type RunbookStep } from '@shared/runbook-template';
import { vigil } from '@renderer/api';
import { formatAge, formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Markdown } from '@renderer/components/Markdown';
import { openExternalLink } from '@renderer/components/openLink';
import { useRunbooks } from './store';

const domId = (anchor: string) => `rb-${anchor}`;

export function RunbookPageView() {
  const { t } = useTranslation('runbooks');
  const { page, pageError, open } = useRunbooks();
  // Escape goes back to the list, unless it is closing something typed into
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.key === 'Escape' && !(el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) void open(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <div className="runbook-page">
      <button type="button" onClick={() => void open(null)}>
        ← {t('back')}
      </button>
      {pageError && <p role="alert">{pageError === 'not_found' ? t('notFound') : pageError}</p>}
      {page && <Loaded page={page} />}
    </div>
  );
}

function Loaded({ page }: { page: RunbookPage }) {
  const { t, i18n } = useTranslation('runbooks');
  const now = useApp((s) => s.now);
  const r = page.runbook;
  const doc = useMemo(() => parseRunbook(r.markdown), [r.markdown]);
  const sectionTitle = (s: RunbookSection) => s.heading;

  return (
    <article className="runbook" aria-labelledby="runbook-title">
      <header className="runbook-header">
        <h2 id="runbook-title" translate="no">
          {r.title}
        </h2>
        <p className="muted runbook-meta">
          {r.service && <span>{r.service}</span>}
          {r.owner && <span>{t('owner', { owner: r.owner })}</span>}
          {r.tags.map((tag) => (
            <span key={tag} className="tag">
              {tag}
            </span>
          ))}
          <span className={`origin origin-${r.origin}`}>{t(`origin.${r.origin}`)}</span>
          <span>{t('updated', { date: formatTime(r.updatedAt, i18n.language) })}</span>
          <span>{t('cached', { age: formatAge(t, r.fetchedAt, now) })}</span>
          {page.sourcePath && <span>{t('sourcePath', { path: page.sourcePath })}</span>}
          {r.url && (
            <button type="button" className="link-button" onClick={() => void openExternalLink(r.url!)}>
              {t('openOriginal')}
            </button>
          )}
        </p>
      </header>
      <FiringAlerts page={page} />
      <div className="runbook-body">
        <nav className="runbook-toc" aria-label={t('contents')}>
          {/* the runbook's own headings: its content, shown as written */}
          <ol>
            {doc.sections.map((s) => (
              <li key={s.anchor}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    const el = document.getElementById(domId(s.anchor));
                    el?.scrollIntoView({ block: 'start' });
                    el?.focus();
                  }}
                >
                  <span translate="no">{sectionTitle(s)}</span>
                  {s.key && s.key !== 'name' && !s.heading.includes(t(`sections.${s.key}`)) && (
                    <span className="muted"> · {t(`sections.${s.key}`)}</span>
                  )}
                </button>
              </li>
            ))}
          </ol>
        </nav>
        <div className="runbook-content">
          {doc.steps.length > 0 && <ChecklistBar page={page} total={doc.steps.length} />}
          {doc.preamble && (
            <section aria-label={t('intro')}>
              <Markdown markdown={doc.preamble} />
            </section>
          )}
          {doc.sections.map((s) => (
            <section
              key={s.anchor}
              aria-labelledby={domId(s.anchor)}
              className={`runbook-section section-${s.key ?? 'other'}`}
            >
              <h3 id={domId(s.anchor)} tabIndex={-1} translate="no">
                {sectionTitle(s)}
              </h3>
              {s.blocks.map((b, i) =>
                b.type === 'markdown' ? (
                  <Markdown key={i} markdown={b.markdown} />
                ) : (
                  <Step key={b.step.id} step={b.step} page={page} />
                ),
              )}
            </section>
          ))}
        </div>
      </div>
    </article>
  );
}

function FiringAlerts({ page }: { page: RunbookPage }) {
  const { t } = useTranslation('runbooks');
  const go = useApp((s) => s.go);
  if (!page.alerts.length) return <p className="muted">{t('noneFiring')}</p>;
  return (
    <section className="runbook-alerts" aria-label={t('firing', { count: page.alerts.length })}>
      <h3>{t('firing', { count: page.alerts.length })}</h3>
      <ul>
        {page.alerts.map((a) => (
          <li key={a.fingerprint}>
            <button
              type="button"
              className="link-button"
              aria-label={t('openAlert', { name: a.alertname })}
              onClick={() => go('alerts', a.fingerprint)}
            >
              <span className={`sev sev-${a.severity}`}>{a.severity}</span> {a.alertname}
            </button>
            {a.summary && (
              <span className="muted" translate="no">
                {' '}
                — {a.summary}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function stepState(run: RunbookStepRun | null, step: RunbookStep): boolean {
  if (!run || run.state !== 'open') return false;
  return run.steps.find((s) => s.stepId === step.id)?.state === 'done';
}

function Step({ step, page }: { step: RunbookStep; page: RunbookPage }) {
  const { t } = useTranslation('runbooks');
  const setPage = useRunbooks((s) => s.setPage);
  // shown at once; the stored state replaces it when the core answers
  const [pending, setPending] = useState<boolean | null>(null);
  const checked = pending ?? stepState(page.stepRun, step);
  const toggle = async (done: boolean) => {
    setPending(done);
    try {
      const stepRun = await vigil().runbookStepSet(page.runbook.id, step.id, done);
      setPage({ ...page, stepRun });
    } catch (err) {
      useApp
        .getState()
        .toast({
          level: 'error',
          title: t('checklist.stepFailed'),
          body: err instanceof Error ? err.message : String(err),
        });
    } finally {
      setPending(null);
    }
  };
  return (
    <div className={`runbook-step${checked ? ' done' : ''}`} translate="no">
      <input
        type="checkbox"
        aria-label={step.text}
        checked={checked}
        aria-busy={pending !== null}
        onChange={(e) => void toggle(e.target.checked)}
      />
      <Markdown markdown={step.markdown} className="step-text" />
    </div>
  );
}

function ChecklistBar({ page, total }: { page: RunbookPage; total: number }) {
  const { t, i18n } = useTranslation('runbooks');
  const setPage = useRunbooks((s) => s.setPage);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const c = page.stepRun;
  const open = c?.state === 'open';
  const done = open ? c.steps.filter((s) => s.state === 'done').length : 0;
  const act = async (fn: () => Promise<RunbookStepRun | null>) => {
    setError(null);
    try {
      const stepRun = await fn();
      setPage({ ...page, stepRun });
      setNote('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section className="checklist-bar" aria-label={t('checklist.label')}>
      {open ? (
        <>
          <progress max={total} value={done} aria-label={t('checklist.progress', { done, total })} />
          <span>{t('checklist.progress', { done, total })}</span>
          <span className="muted">
            {t('checklist.startedBy', { who: c.startedBy, time: formatTime(c.startedAt, i18n.language) })}
          </span>
          <input
            type="text"
            aria-label={t('checklist.note')}
            placeholder={t('checklist.notePlaceholder')}
            value={note}
            maxLength={2000}
            onChange={(e) => setNote(e.target.value)}
          />
          <button
            type="button"
            className="primary"
            onClick={() => void act(() => vigil().runbookStepRunFinish(page.runbook.id, note || undefined))}
          >
            {t('checklist.record')}
          </button>
          <button type="button" onClick={() => void act(() => vigil().runbookStepRunAbandon(page.runbook.id))}>
            {t('checklist.abandon')}
          </button>
        </>
      ) : c?.state === 'recorded' ? (
        <span role="status">
          {t('checklist.recorded', { who: c.startedBy, time: formatTime(c.finishedAt ?? c.startedAt, i18n.language) })}
        </span>
      ) : c?.state === 'abandoned' ? (
        <span role="status">
          {t('checklist.abandoned', { time: formatTime(c.finishedAt ?? c.startedAt, i18n.language) })}
        </span>
      ) : (
        <span className="muted">{t('checklist.none')}</span>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
