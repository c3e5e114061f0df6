/**
 * Shift handover: the draft Vigil builds from this desk's history of the shift, the outgoing engineer's
 * notes and watch items, and the searchable history where the incoming engineer signs.
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { localize } from '@shared/checklists';
import type { Language } from '@shared/domain';
import type { Handover, HandoverDraft } from '@shared/handover';
import { vigil } from '@renderer/api';
import { DateField, EmptyState, Field, FieldRow, FormCard, InlineError, TimeField, View } from '@renderer/ui';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { useAction } from '@renderer/data/action';
import { useLive } from '@renderer/data/load';
import { usePeople } from '../incidents/people';
import '../checklists/checklists.css';
import { useGate } from '../signin/Gate';
import { useMyName } from '../signin/session';

/** The shift start as a local date and time of day ('YYYY-MM-DD', 'HH:mm'), and back. */
const toLocalParts = (ms: number): { date: string; time: string } => {
  const iso = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
};
const fromLocalParts = (date: string, time: string) => new Date(`${date}T${time}`).getTime();

function Section({ title, items }: { title: string; items: ReactNode[] }) {
  const { t } = useTranslation('handover');
  return (
    <section aria-label={title} className="draft-section">
      <h4>{title}</h4>
      {items.length ? (
        <ul>
          {items.map((x, i) => (
            <li key={i}>{x}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('draft.none')}</p>
      )}
    </section>
  );
}

export function DraftContents({ draft }: { draft: HandoverDraft }) {
  const { t, i18n } = useTranslation('handover');
  const { t: ti } = useTranslation('incidents');
  const { t: tl } = useTranslation('link');
  const lng = i18n.language as Language;
  const time = (ms: number) => formatTime(ms, lng);
  const alert = (a: HandoverDraft['alerts']['fired'][number], withBy = false) =>
    `${t('draft.alertItem', { name: a.alertname, severity: a.severity, time: time(a.at) })}${withBy && a.by ? ` · ${t('draft.ackedBy', { who: a.by })}` : ''}`;
  return (
    <div className="draft">
      <p className="meta">{t('draft.window', { start: time(draft.shiftStart), end: time(draft.shiftEnd), next: time(draft.nextShiftEnd) })}</p>
      <Section title={t('draft.open', { count: draft.alerts.open.length })} items={draft.alerts.open.map((a) => alert(a, true))} />
      <Section title={t('draft.fired', { count: draft.alerts.fired.length })} items={draft.alerts.fired.map((a) => alert(a))} />
      <Section title={t('draft.acked', { count: draft.alerts.acked.length })} items={draft.alerts.acked.map((a) => alert(a, true))} />
      <Section
        title={t('draft.incidents', { count: draft.incidents.length })}
        items={draft.incidents.map(
          (i) =>
            `${t('draft.incidentItem', { id: i.id, severity: i.severity, title: i.title, status: ti(`statuses.${i.status}`) })}${i.changeFreeze ? ` · ${t('draft.freeze')}` : ''}`,
        )}
      />
      <Section
        title={t('draft.expiring', { count: draft.expiring.length })}
        items={draft.expiring.map((x) =>
          t('draft.expiringItem', { kind: t(`draft.kinds.${x.kind}`), what: x.what, time: time(x.endsAt), by: x.createdBy, comment: x.comment }),
        )}
      />
      <Section
        title={t('draft.checklists', { count: draft.checklists.length })}
        items={draft.checklists.map((r) =>
          t('draft.runItem', { title: localize(r.title, lng), result: t(`draft.results.${r.result}`), who: r.startedBy, time: time(r.startedAt) }),
        )}
      />
      <p>{t('draft.outbox', { pending: draft.outbox.pending, failed: draft.outbox.failed })}</p>
      {draft.outbox.items.length > 0 && (
        <ul>
          {draft.outbox.items.map((o) => (
            <li key={o.id}>
              {tl(`action.${o.type}`)} · {tl(`outbox.state.${o.state}`)} · {time(o.createdAt)}
              {o.lastError ? ` · ${o.lastError}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function HandOverForm() {
  const { t } = useTranslation('handover');
  // the signed-in person's name: who the platform says is handing over
  const operator = useMyName();
  const gate = useGate('handover.submit');
  const toast = useApp((s) => s.toast);
  const people = usePeople();
  const listId = useId();
  const [start, setStart] = useState<number | undefined>(undefined);
  const draft = useLive(['alerts', 'incidents', 'checklists', 'handovers'], () => vigil().handoverDraft(start ? { shiftStart: start } : {}), String(start ?? ''));
  const [incoming, setIncoming] = useState('');
  const [notes, setNotes] = useState('');
  const [watch, setWatch] = useState<string[]>([]);
  const [item, setItem] = useState('');
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft.data) return;
    const ok = await action.run(() => vigil().handoverSubmit({ shiftStart: draft.data!.shiftStart, ...(incoming.trim() ? { incoming } : {}), notes, watchItems: watch }));
    if (ok) {
      toast({ level: 'success', title: t('form.submitted') });
      setNotes('');
      setWatch([]);
      setIncoming('');
      setStart(undefined);
    }
  };

  const addWatch = () => {
    setWatch([...watch, item.trim()]);
    setItem('');
  };
  const parts = draft.data ? toLocalParts(draft.data.shiftStart) : null;
  return (
    <FormCard title={t('draft.heading')} onSubmit={submit}>
      <FieldRow>
        <DateField label={t('draft.shiftStartDate')} value={parts?.date ?? ''} onChange={(date) => parts && setStart(fromLocalParts(date, parts.time))} />
        <TimeField label={t('draft.shiftStart')} value={parts?.time ?? ''} onChange={(time) => parts && setStart(fromLocalParts(parts.date, time))} />
        <button type="button" className="field-row-button" onClick={draft.reload}>
          {t('draft.refresh')}
        </button>
      </FieldRow>
      <InlineError error={draft.error} />
      {draft.data && <DraftContents draft={draft.data} />}
      <h3>{t('form.heading')}</h3>
      <datalist id={listId}>
        {people.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <Field label={t('form.incoming')}>
        <input list={listId} value={incoming} maxLength={80} onChange={(e) => setIncoming(e.target.value)} />
      </Field>
      <Field label={t('form.notes')}>
        <textarea rows={4} maxLength={20_000} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </Field>
      <FieldRow>
        <Field label={t('form.watch')} grow>
          <input
            value={item}
            maxLength={1000}
            onChange={(e) => setItem(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && item.trim()) {
                e.preventDefault();
                addWatch();
              }
            }}
          />
        </Field>
        <button type="button" className="field-row-button" disabled={!item.trim()} onClick={addWatch}>
          {t('form.addWatch')}
        </button>
      </FieldRow>
      {watch.length > 0 && (
        <ul aria-label={t('form.watch')} className="watch-list">
          {watch.map((w, i) => (
            <li key={i}>
              {w}{' '}
              <button type="button" className="small" onClick={() => setWatch(watch.filter((_, j) => j !== i))}>
                {t('form.removeWatch', { item: w })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <InlineError error={action.error} />
      <div className="form-buttons">
        <button type="submit" className="primary" {...gate.props} disabled={!draft.data || action.busy || !gate.ok}>
          {t('form.submit', { who: operator })}
        </button>
        {gate.note}
      </div>
    </FormCard>
  );
}

function Record({ h }: { h: Handover }) {
  const { t, i18n } = useTranslation('handover');
  const lng = i18n.language as Language;
  const operator = useMyName();
  const gate = useGate('handover.sign');
  const toast = useApp((s) => s.toast);
  const headingId = useId();
  const [note, setNote] = useState('');
  const action = useAction();
  return (
    <article className="card" aria-labelledby={headingId}>
      <h3 id={headingId} className="card-title">
        {t('record.heading', { from: h.outgoing, time: formatTime(h.submittedAt, lng) })}
      </h3>
      <p className="meta">{t('record.shift', { start: formatTime(h.shiftStart, lng), end: formatTime(h.shiftEnd, lng) })}</p>
      {h.notes && (
        <>
          <h4>{t('record.notes')}</h4>
          <p className="message" translate="no">
            {h.notes}
          </p>
        </>
      )}
      {h.watchItems.length > 0 && (
        <>
          <h4>{t('record.watch')}</h4>
          <ul>
            {h.watchItems.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </>
      )}
      <DraftContents draft={h.draft} />
      {h.state === 'signed' ? (
        <p role="status">
          {t('record.signedBy', { who: h.signedBy, time: formatTime(h.signedAt!, lng) })}
          {h.signNote ? ` — ${h.signNote}` : ''}
        </p>
      ) : h.outgoing === operator ? (
        <p className="muted">{t('record.ownHandover')}</p>
      ) : (
        <FieldRow>
          <Field label={t('record.signNote')} grow>
            <input value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          </Field>
          <button
            type="button"
            className="primary field-row-button"
            {...gate.props}
            disabled={action.busy || !gate.ok}
            onClick={() =>
              void action.run(async () => {
                await vigil().handoverSign({ id: h.id, ...(note.trim() ? { note } : {}) });
                toast({ level: 'success', title: t('record.signed') });
              })
            }
          >
            {t('record.sign', { who: operator })}
          </button>
          {gate.note}
        </FieldRow>
      )}
      <InlineError error={action.error} />
    </article>
  );
}

function History() {
  const { t, i18n } = useTranslation('handover');
  const lng = i18n.language as Language;
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const list = useLive(['handovers'], () => vigil().handoversList({ ...(query.trim() ? { text: query } : {}), limit: 100 }), query);
  const items = list.data ?? [];
  // The one picked, else the oldest still waiting for a signature, else the newest.
  const current = items.find((h) => h.id === selected) ?? [...items].reverse().find((h) => h.state === 'submitted') ?? items[0] ?? null;
  return (
    <section aria-label={t('history.heading')} className="history-pane">
      <h2>{t('history.heading')}</h2>
      <Field label={t('history.search')}>
        <input type="search" value={query} maxLength={200} onChange={(e) => setQuery(e.target.value)} />
      </Field>
      <InlineError error={list.error} />
      {items.length === 0 ? (
        <EmptyState title={t('history.none')} />
      ) : (
        <ul className="item-list" aria-label={t('history.heading')}>
          {items.map((h) => (
            <li key={h.id}>
              <button type="button" className="item" aria-current={current?.id === h.id} onClick={() => setSelected(h.id)}>
                {t('history.item', { time: formatTime(h.submittedAt, lng), from: h.outgoing, to: h.signedBy ?? h.incoming ?? t('history.nobody'), state: t(`history.states.${h.state}`) })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {current && <Record key={`${current.id}:${current.state}`} h={current} />}
    </section>
  );
}

export function HandoverView() {
  const { t } = useTranslation('handover');
  return (
    <View title={t('title')}>
      <div className="handover-grid">
        <HandOverForm />
        <History />
      </div>
    </View>
  );
}
