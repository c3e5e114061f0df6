/**
 * Checklists: the one-click shift self-check, every template (routines with their "due" indicator), the
 * open and finished runs, and the selected run.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localize, type RunResult, type RunSummary, type TemplateSummary } from '@shared/checklists';
import type { Language } from '@shared/domain';
import { vigil } from '@renderer/api';
import { Badge, EmptyState, InlineError, ListDetail, View, type Tone } from '@renderer/ui';
import { formatAge, formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { useAction } from '@renderer/data/action';
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
    <Badge tone={r.due ? 'warn' : 'ok'}>
      {t(r.due ? `routine.due_${r.period}` : `routine.done_${r.period}`)} ·{' '}
      {r.lastFinishedAt === null ? t('routine.never') : t('routine.last', { age: formatAge(tc, r.lastFinishedAt, now) })}
    </Badge>
  );
}

const RESULT_TONE: Record<RunResult, Tone> = { green: 'ok', red: 'danger', pending: 'warn' };

function RunList({ label, runs, selected, onSelect }: { label: string; runs: RunSummary[]; selected: string | null; onSelect: (id: string) => void }) {
  const { t, i18n } = useTranslation('checklists');
  const lng = i18n.language as Language;
  return (
    <section className="list-section" aria-label={label}>
      <h2 className="section-title">{label}</h2>
      {runs.length === 0 ? (
        <p className="muted">{t('runs.none')}</p>
      ) : (
        <ul className="item-list" aria-label={label}>
          {runs.map((r) => (
            <li key={r.id}>
              <button type="button" className="item" aria-current={selected === r.id} onClick={() => onSelect(r.id)}>
                <Badge tone={RESULT_TONE[r.result]}>{t(`result.badge.${r.result}`)}</Badge>
                <span className="item-main">
                  <span className="item-title">{localize(r.title, lng)}</span>
                  <span className="meta">{t('runs.item', { time: formatTime(r.startedAt, lng), who: r.startedBy })}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Templates({ templates, busy, start }: { templates: TemplateSummary[]; busy: boolean; start: (id: string) => void }) {
  const { t, i18n } = useTranslation('checklists');
  const lng = i18n.language as Language;
  return (
    <section className="list-section" aria-label={t('templates.heading')}>
      <h2 className="section-title">{t('templates.heading')}</h2>
      <ul className="template-list" aria-label={t('templates.heading')}>
        {templates.map((tpl) => (
          <li key={tpl.id} className="card template">
            <div className="template-head">
              <Badge>{t(`templates.kinds.${tpl.kind}`)}</Badge>
              <strong>{localize(tpl.title, lng)}</strong>
            </div>
            <p className="meta">
              {t('templates.steps', { count: tpl.stepCount })} · {t('templates.version', { version: tpl.version })}
              {tpl.origin === 'platform' && ` · ${t('templates.platform')}`}
            </p>
            {tpl.description && <p className="meta">{localize(tpl.description, lng)}</p>}
            {tpl.sources.length > 0 && (
              <p className="meta">
                {t('templates.sources')} <span translate="no">{tpl.sources.join(', ')}</span>
              </p>
            )}
            <RoutineBadge tpl={tpl} />
            <div>
              <button type="button" className="small" disabled={busy} onClick={() => start(tpl.id)}>
                {t('templates.start', { title: localize(tpl.title, lng) })}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ChecklistsView() {
  const { t } = useTranslation('checklists');
  const [selected, setSelected] = useState<string | null>(null);
  const action = useAction();
  const templates = useLive(['checklists'], () => vigil().checklistTemplates(), 'templates');
  const open = useLive(['checklists'], () => vigil().checklistRuns({ state: 'open', limit: 50 }), 'open');
  const finished = useLive(['checklists'], () => vigil().checklistRuns({ state: 'finished', limit: 30 }), 'finished');

  const start = (templateId: string) => void action.run(async () => setSelected((await vigil().checklistStart({ templateId })).run.id));
  const selfCheck = templates.data?.find((x) => x.id === SELF_CHECK);
  const runSelfCheck = selfCheck && (
    <button type="button" className="primary" disabled={action.busy} onClick={() => start(SELF_CHECK)}>
      {t('selfCheck.run')}
    </button>
  );

  return (
    <View title={t('title')} meta={t('selfCheck.hint')} actions={runSelfCheck}>
      <InlineError error={action.error ?? templates.error} />
      <ListDetail
        listLabel={t('runs.list')}
        list={
          <>
            <RunList label={t('runs.open')} runs={open.data ?? []} selected={selected} onSelect={setSelected} />
            <Templates templates={templates.data ?? []} busy={action.busy} start={start} />
            <RunList label={t('runs.finished')} runs={finished.data ?? []} selected={selected} onSelect={setSelected} />
          </>
        }
        detail={
          selected ? (
            <RunPanel runId={selected} />
          ) : (
            <EmptyState
              title={t('empty')}
              body={t('emptyHint')}
              action={
                selfCheck && (
                  <button type="button" disabled={action.busy} onClick={() => start(SELF_CHECK)}>
                    {t('selfCheck.runNow')}
                  </button>
                )
              }
            />
          )
        }
      />
    </View>
  );
}
