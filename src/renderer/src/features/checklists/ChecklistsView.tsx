/**
 * Checklists: the one-click shift self-check, every template (routines with their "due" indicator), the
 * open and finished runs, and the selected run.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localize, type RunSummary, type TemplateSummary } from '@shared/checklists';
import type { Language } from '@shared/domain';
import { vigil } from '@renderer/api';
import { View } from '@renderer/ui';
import { formatAge, formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { attempt } from '@renderer/data/action';
import { useLive } from '@renderer/data/load';
import { RunPanel } from './RunPanel';
import './checklists.css';

const SELF_CHECK = 'shift-self-check';

function RoutineBadge({ tpl }: { tpl: TemplateSummary }) {
  const { t } = useTranslation('checklists');
  const { t: tc } = useTranslation();
  const now = useApp((s) => s.now);
  const r = tpl.routine;
  if (!r) return null;
  return (
    <span className={`badge ${r.due ? 'badge-due' : 'badge-ok'}`}>
      {t(r.due ? `routine.due_${r.period}` : `routine.done_${r.period}`)} ·{' '}
      {r.lastFinishedAt === null ? t('routine.never') : t('routine.last', { age: formatAge(tc, r.lastFinishedAt, now) })}
    </span>
  );
}

function RunList({ label, runs, selected, onSelect }: { label: string; runs: RunSummary[]; selected: string | null; onSelect: (id: string) => void }) {
  const { t, i18n } = useTranslation('checklists');
  const lng = i18n.language as Language;
  return (
    <>
      <h2>{label}</h2>
      {runs.length === 0 ? (
        <p className="muted">{t('runs.none')}</p>
      ) : (
        <ul className="process-list" aria-label={label}>
          {runs.map((r) => (
            <li key={r.id}>
              <button type="button" className="item" aria-current={selected === r.id} onClick={() => onSelect(r.id)}>
                <span className={`badge result-${r.result}`}>{t(`result.label`)}: {r.result}</span>
                {t('runs.item', { title: localize(r.title, lng), time: formatTime(r.startedAt, lng), who: r.startedBy })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function ChecklistsView() {
  const { t, i18n } = useTranslation('checklists');
  const lng = i18n.language as Language;
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const templates = useLive(['checklists'], () => vigil().checklistTemplates(), 'templates');
  const open = useLive(['checklists'], () => vigil().checklistRuns({ state: 'open', limit: 50 }), 'open');
  const finished = useLive(['checklists'], () => vigil().checklistRuns({ state: 'finished', limit: 30 }), 'finished');

  const start = async (templateId: string) => {
    setBusy(true);
    await attempt(async () => setSelected((await vigil().checklistStart({ templateId })).run.id), setError);
    setBusy(false);
  };
  const selfCheck = templates.data?.find((x) => x.id === SELF_CHECK);

  return (
    <View
      title={t('title')}
      actions={
        selfCheck && (
          <button type="button" className="primary" disabled={busy} onClick={() => void start(SELF_CHECK)}>
            {t('selfCheck.run')}
          </button>
        )
      }
    >
      <p className="muted">{t('selfCheck.hint')}</p>
      {(error || templates.error) && (
        <p role="alert" className="error">
          {error ?? templates.error}
        </p>
      )}
      <div className="process-grid">
        <div>
          <RunList label={t('runs.open')} runs={open.data ?? []} selected={selected} onSelect={setSelected} />
          <h2>{t('templates.heading')}</h2>
          <ul className="process-list" aria-label={t('templates.heading')}>
            {templates.data?.map((tpl) => (
              <li key={tpl.id} className="process-card">
                <div>
                  <span className="badge">{t(`templates.kinds.${tpl.kind}`)}</span>
                  <strong>{localize(tpl.title, lng)}</strong>
                </div>
                <p className="step-meta">
                  {t('templates.steps', { count: tpl.stepCount })} · {t('templates.version', { version: tpl.version })}
                  {tpl.origin === 'platform' && ` · ${t('templates.platform')}`}
                </p>
                {tpl.description && <p className="step-meta">{localize(tpl.description, lng)}</p>}
                {tpl.sources.length > 0 && <p className="step-meta">{t('templates.sources', { sources: tpl.sources.join(', ') })}</p>}
                <RoutineBadge tpl={tpl} />
                <div>
                  <button type="button" disabled={busy} onClick={() => void start(tpl.id)}>
                    {t('templates.start', { title: localize(tpl.title, lng) })}
                  </button>
                </div>
              </li>
            ))}
          </ul>
          <RunList label={t('runs.finished')} runs={finished.data ?? []} selected={selected} onSelect={setSelected} />
        </div>
        <div>{selected ? <RunPanel runId={selected} /> : <p className="empty">{t('empty')}</p>}</div>
      </div>
    </View>
  );
}
