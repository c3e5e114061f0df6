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
import { ViewFrame } from '@renderer/components/CollectionView';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { attempt, useLive } from '../checklists/live';
import { usePeople } from '../incidents/people';
import '../checklists/checklists.css';
import { useGate } from '../signin/Gate';
import { useMyName } from '../signin/session';

/** datetime-local works in local time without a zone: convert both ways explicitly. */
const toLocalInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocalInput = (v: string) => new Date(v).getTime();

function Section({ title, items }: { title: string; items: ReactNode[] }) {
  const { t } = useTranslation('handover');
  return (
    <section aria-label={title}>
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
  const lng = i18n.language as Language;
  const time = (ms: number) => formatTime(ms, lng);
  const alert = (a: HandoverDraft['alerts']['fired'][number], withBy = false) =>
    `${t('draft.alertItem', { name: a.alertname, severity: a.severity, time: time(a.at) })}${withBy && a.by ? ` · ${t('draft.ackedBy', { who: a.by })}` : ''}`;
  return (
    <div>
      <p className="step-meta">{t('draft.window', { start: time(draft.shiftStart), end: time(draft.shiftEnd), next: time(draft.nextShiftEnd) })}</p>
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
              {o.type} · {o.state} · {time(o.createdAt)}
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
  const headingId = useId();
  const [start, setStart] = useState<number | undefined>(undefined);
  const draft = useLive(['alerts', 'incidents', 'checklists', 'handovers'], () => vigil().handoverDraft(start ? { shiftStart: start } : {}), String(start ?? ''));
  const [incoming, setIncoming] = useState('');
  const [notes, setNotes] = useState('');
  const [watch, setWatch] = useState<string[]>([]);
  const [item, setItem] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft.data) return;
    const ok = await attempt(
      () => vigil().handoverSubmit({ shiftStart: draft.data!.shiftStart, ...(incoming.trim() ? { incoming } : {}), notes, watchItems: watch }),
      setError,
    );
    if (ok) {
      toast({ level: 'success', title: t('form.submitted') });
      setNotes('');
      setWatch([]);
      setIncoming('');
      setStart(undefined);
    }
  };

  return (
    <form className="process-card stack" aria-labelledby={headingId} onSubmit={submit}>
      <h2 id={headingId}>{t('draft.heading')}</h2>
      <div className="row">
        <label>
          {t('draft.shiftStart')}
          <input
            type="datetime-local"
            value={draft.data ? toLocalInput(draft.data.shiftStart) : ''}
            onChange={(e) => e.target.value && setStart(fromLocalInput(e.target.value))}
          />
        </label>
        <button type="button" onClick={draft.reload}>
          {t('draft.refresh')}
        </button>
      </div>
      {draft.error && (
        <p role="alert" className="error">
          {draft.error}
        </p>
      )}
      {draft.data && <DraftContents draft={draft.data} />}
      <h3>{t('form.heading')}</h3>
      <datalist id={listId}>
        {people.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <label>
        {t('form.incoming')}
        <input list={listId} value={incoming} maxLength={80} onChange={(e) => setIncoming(e.target.value)} />
      </label>
      <label>
        {t('form.notes')}
        <textarea rows={4} maxLength={20_000} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <div className="row">
        <label style={{ flex: 1 }}>
          {t('form.watch')}
          <input
            value={item}
            maxLength={1000}
            onChange={(e) => setItem(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && item.trim()) {
                e.preventDefault();
                setWatch([...watch, item.trim()]);
                setItem('');
              }
            }}
          />
        </label>
        <button
          type="button"
          disabled={!item.trim()}
          onClick={() => {
            setWatch([...watch, item.trim()]);
            setItem('');
          }}
        >
          {t('form.addWatch')}
        </button>
      </div>
      {watch.length > 0 && (
        <ul aria-label={t('form.watch')}>
          {watch.map((w, i) => (
            <li key={i}>
              {w}{' '}
              <button type="button" onClick={() => setWatch(watch.filter((_, j) => j !== i))}>
                {t('form.removeWatch', { item: w })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" {...gate.props} disabled={!draft.data || !gate.ok}>
        {t('form.submit', { who: operator })}
      </button>
      {gate.note}
    </form>
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
  const [error, setError] = useState<string | null>(null);
  return (
    <article className="process-card stack" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('record.heading', { from: h.outgoing, time: formatTime(h.submittedAt, lng) })}</h3>
      <p className="step-meta">{t('record.shift', { start: formatTime(h.shiftStart, lng), end: formatTime(h.shiftEnd, lng) })}</p>
      {h.notes && (
        <>
          <h4>{t('record.notes')}</h4>
          <p className="message">{h.notes}</p>
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
        <div className="row">
          <label style={{ flex: 1 }}>
            {t('record.signNote')}
            <input value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button
            type="button"
            className="primary"
            {...gate.props}
            onClick={() =>
              void attempt(async () => {
                await vigil().handoverSign({ id: h.id, ...(note.trim() ? { note } : {}) });
                toast({ level: 'success', title: t('record.signed') });
              }, setError)
            }
          >
            {t('record.sign', { who: operator })}
          </button>
          {gate.note}
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
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
    <section aria-label={t('history.heading')}>
      <h2>{t('history.heading')}</h2>
      <label>
        {t('history.search')}
        <input type="search" value={query} maxLength={200} onChange={(e) => setQuery(e.target.value)} />
      </label>
      {list.error && <p role="alert">{list.error}</p>}
      {items.length === 0 ? (
        <p className="muted">{t('history.none')}</p>
      ) : (
        <ul className="process-list" aria-label={t('history.heading')}>
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
  return (
    <ViewFrame ns="handover">
      <div className="process-grid" style={{ gridTemplateColumns: '1fr 1fr' }}>
        <HandOverForm />
        <History />
      </div>
    </ViewFrame>
  );
}
