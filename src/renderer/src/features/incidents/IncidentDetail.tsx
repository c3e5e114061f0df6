/**
 * The war-room for one incident: timers, status, severity, change freeze, roles, linked alerts, the
 * timeline, status updates, the war-room checklists, closing and the postmortem.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SEVERITIES, type Language, type Severity } from '@shared/domain';
import {
  ROLES,
  entryText,
  formatDuration,
  type IncidentDetail as Detail,
  type Role,
  type Roles,
  type TargetClock,
} from '@shared/incidents';
import { vigil } from '@renderer/api';
import { formatTime } from '@renderer/format';
import { RunPanel } from '../checklists/RunPanel';
import { attempt } from '../checklists/live';
import { CloseForm } from './CloseForm';
import { AlertPicker } from './DeclareForm';
import { Postmortem } from './Postmortem';
import { StatusComposer } from './StatusComposer';
import { usePeople } from './people';
import { useGate } from '../signin/Gate';

/** Ticks every second while shown, so countdowns move. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

function Timer({ label, clock }: { label: string; clock: TargetClock }) {
  const { t, i18n } = useTranslation('incidents');
  const lng = i18n.language as Language;
  const now = useNow();
  const time = formatTime(clock.dueAt, lng);
  let text: string;
  let late: boolean;
  if (clock.metAt !== null) {
    late = clock.metAt > clock.dueAt;
    text = t(late ? 'detail.metLate' : 'detail.metOnTime', { time: formatTime(clock.metAt, lng) });
  } else if (now >= clock.dueAt) {
    late = true;
    text = t('detail.overdue', { time, late: formatDuration(now - clock.dueAt, lng) });
  } else {
    late = false;
    text = t('detail.dueIn', { time, left: formatDuration(clock.dueAt - now, lng) });
  }
  return (
    <p role="timer" aria-label={label} className={late ? 'timer-late' : 'timer-ok'}>
      <strong>{label}:</strong> {text}
    </p>
  );
}

function RolesForm({ roles, id, disabled }: { roles: Roles; id: string; disabled: boolean }) {
  const { t } = useTranslation('incidents');
  const { t: ts } = useTranslation('signin');
  const people = usePeople();
  const gate = useGate('incident.update');
  const [draft, setDraft] = useState<Record<Role, string>>({
    commander: roles.commander ?? '',
    techLead: roles.techLead ?? '',
    comms: roles.comms ?? '',
    onCall: roles.onCall ?? '',
  });
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch = Object.fromEntries(ROLES.map((r) => [r, draft[r].trim() || null])) as Roles;
    void attempt(() => vigil().incidentUpdate(id, { roles: patch }), setError);
  };
  return (
    <form className="stack" onSubmit={submit} aria-label={t('detail.roles')}>
      {/* roles go to people the platform or a roster knows (the core refuses anyone else) */}
      <div className="row">
        {ROLES.map((r) => {
          const options = draft[r] && !people.includes(draft[r]) ? [draft[r], ...people] : people;
          return (
            <label key={r}>
              {t(`roles.${r}`)}
              <select value={draft[r]} disabled={disabled || !gate.ok} title={gate.props.title} onChange={(e) => setDraft({ ...draft, [r]: e.target.value })}>
                <option value="">{ts('roles.none')}</option>
                {options.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
          );
        })}
        <button type="submit" {...gate.props} disabled={disabled || !gate.ok}>
          {t('detail.saveRoles')}
        </button>
        {gate.note}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

function TimelineForm({ id }: { id: string }) {
  const { t } = useTranslation('incidents');
  const [kind, setKind] = useState<'note' | 'action' | 'decision'>('note');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await attempt(() => vigil().incidentTimelineAdd(id, { kind, text }), setError)) setText('');
  };
  return (
    <form className="row" onSubmit={submit}>
      <label>
        {t('timeline.kind')}
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          {(['note', 'action', 'decision'] as const).map((k) => (
            <option key={k} value={k}>
              {t(`timeline.kinds.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <label style={{ flex: 1 }}>
        {t('timeline.text')}
        <input value={text} maxLength={10_000} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="submit" disabled={!text.trim()}>
        {t('timeline.add')}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}

export function IncidentDetail({ detail }: { detail: Detail }) {
  const { t, i18n } = useTranslation('incidents');
  const lng = i18n.language as Language;
  const inc = detail.incident;
  const closed = inc.status === 'closed';
  const [closing, setClosing] = useState(false);
  const [link, setLink] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();
  const patch = (p: Parameters<ReturnType<typeof vigil>['incidentUpdate']>[1]) => void attempt(() => vigil().incidentUpdate(inc.id, p), setError);

  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>
        <span className={`sev sev-${inc.severity}`}>{inc.severity}</span> {inc.id}: {inc.title}
      </h2>
      <p className="step-meta">
        {t('detail.declared', { time: formatTime(inc.declaredAt, lng), who: inc.declaredBy })} · {t(`statuses.${inc.status}`)}
      </p>
      <Timer label={t('detail.respond')} clock={detail.respond} />
      <Timer label={t('detail.resolve')} clock={detail.resolve} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!closed && (
        <div className="row process-card">
          {inc.respondedAt === null && (
            <button type="button" className="primary" onClick={() => patch({ respond: true })}>
              {t('detail.acknowledge')}
            </button>
          )}
          <label>
            {t('detail.status')}
            <select value={inc.status} onChange={(e) => patch({ status: e.target.value as 'investigating' | 'mitigated' | 'resolved' })}>
              {(['investigating', 'mitigated', 'resolved'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`statuses.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('detail.severity')}
            <select value={inc.severity} onChange={(e) => patch({ severity: e.target.value as Severity })}>
              {SEVERITIES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label title={t('detail.freezeHint')}>
            <input type="checkbox" checked={inc.changeFreeze} onChange={(e) => patch({ changeFreeze: e.target.checked })} /> {t('detail.freeze')}
          </label>
        </div>
      )}

      <section className="process-card" aria-label={t('detail.roles')}>
        <h3>{t('detail.roles')}</h3>
        <RolesForm key={JSON.stringify(inc.roles)} roles={inc.roles} id={inc.id} disabled={closed} />
      </section>

      <section className="process-card" aria-label={t('detail.alerts')}>
        <h3>{t('detail.alerts')}</h3>
        {inc.fingerprints.length ? <p>{inc.fingerprints.join(', ')}</p> : <p className="muted">{t('detail.noLinked')}</p>}
        {!closed && (
          <>
            <AlertPicker selected={link} onChange={setLink} exclude={inc.fingerprints} />
            {link.length > 0 && (
              <button
                type="button"
                onClick={() => {
                  patch({ fingerprints: [...inc.fingerprints, ...link] });
                  setLink([]);
                }}
              >
                {t('detail.linkSelected')}
              </button>
            )}
          </>
        )}
      </section>

      {!closed && <StatusComposer detail={detail} />}

      <section className="process-card" aria-labelledby={`${headingId}-tl`}>
        <h3 id={`${headingId}-tl`}>{t('timeline.heading')}</h3>
        <ol className="timeline" aria-label={t('timeline.heading')}>
          {detail.timeline.map((e) => (
            <li key={e.id}>
              <span>{formatTime(e.at, lng)}</span>
              <span className="badge">{t(`timeline.kinds.${e.kind}`)}</span>
              <span>
                <pre>{entryText(e, lng)}</pre>
                <span className="step-meta">{e.derived ? t('timeline.derived') : e.author}</span>
              </span>
            </li>
          ))}
        </ol>
        {!closed && <TimelineForm id={inc.id} />}
      </section>

      {detail.runIds.length > 0 && (
        <section aria-label={t('detail.checklists')}>
          <h3>{t('detail.checklists')}</h3>
          {detail.runIds.map((id) => (
            <RunPanel key={id} runId={id} headingLevel={3} />
          ))}
        </section>
      )}

      {!closed &&
        (closing ? (
          <CloseForm incident={inc} onCancel={() => setClosing(false)} />
        ) : (
          <button type="button" onClick={() => setClosing(true)}>
            {t('detail.close')}
          </button>
        ))}
      {closed && <Postmortem incident={inc} />}
    </section>
  );
}
