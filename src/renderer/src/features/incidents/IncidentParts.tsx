/** Parts of the war-room (IncidentDetail.tsx puts them together). */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Language } from '@shared/domain';
import { ROLES, entryText, formatDuration, type IncidentDetail as Detail, type LinkedAlert, type Role, type Roles, type TargetClock } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { useAction } from '@renderer/data/action';
import { formatTime } from '@renderer/format';
import { useApp } from '@renderer/stores/app';
import { Badge, Card, Dialog, DialogButtons, Field, FieldRow, InlineError, LabelChips, Select, SeverityBadge, type Tone } from '@renderer/ui';
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

export function Timer({ label, clock }: { label: string; clock: TargetClock }) {
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
    <p role="timer" aria-label={label} className={`timer ${late ? 'tone-danger' : 'tone-ok'}`}>
      <strong>{label}:</strong> {text}
    </p>
  );
}

export function RolesForm({ roles, id, readOnly }: { roles: Roles; id: string; readOnly: boolean }) {
  const { t } = useTranslation('incidents');
  const { t: ts } = useTranslation('signin');
  const people = usePeople();
  const gate = useGate('incident.update');
  const headingId = useId();
  const [draft, setDraft] = useState<Record<Role, string>>({ commander: roles.commander ?? '', techLead: roles.techLead ?? '', comms: roles.comms ?? '', onCall: roles.onCall ?? '' });
  const action = useAction();
  if (readOnly)
    return (
      <Card title={t('detail.roles')} level={3}>
        <dl className="kv">
          {ROLES.map((r) => (
            <div key={r}>
              <dt>{t(`roles.${r}`)}</dt>
              <dd>{roles[r] ?? t('unassigned')}</dd>
            </div>
          ))}
        </dl>
      </Card>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch = Object.fromEntries(ROLES.map((r) => [r, draft[r].trim() || null])) as Roles;
    void action.run(() => vigil().incidentUpdate(id, { roles: patch }));
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby={headingId}>
      <h3 id={headingId} className="card-title">
        {t('detail.roles')}
      </h3>
      {/* roles go to people the platform or a roster knows (the core refuses anyone else) */}
      <FieldRow>
        {ROLES.map((r) => {
          const options = draft[r] && !people.includes(draft[r]) ? [draft[r], ...people] : people;
          return (
            <Field key={r} label={t(`roles.${r}`)}>
              <Select
                value={draft[r]}
                disabled={!gate.ok}
                onChange={(v) => setDraft({ ...draft, [r]: v })}
                options={[{ value: '', label: ts('roles.none') }, ...options.map((p) => ({ value: p, label: p }))]}
              />
            </Field>
          );
        })}
      </FieldRow>
      <div className="form-buttons">
        <button type="submit" {...gate.props} disabled={action.busy || !gate.ok}>
          {t('detail.saveRoles')}
        </button>
        {gate.note}
      </div>
      <InlineError error={action.error} />
    </form>
  );
}

/** where a status update went: red when a channel did not get it, green when every channel did */
function commsTone(params: Record<string, string>): Tone {
  if (params.none) return 'warn';
  let states: string[] = [];
  try {
    const v: unknown = JSON.parse(params.deliveries ?? '[]');
    if (Array.isArray(v)) states = v.map((d) => String((d as { state?: unknown }).state));
  } catch {
    return 'neutral';
  }
  if (states.includes('dead')) return 'danger';
  return states.length && states.every((x) => x === 'sent') ? 'ok' : 'neutral';
}

export function Timeline({ detail, readOnly }: { detail: Detail; readOnly: boolean }) {
  const { t, i18n } = useTranslation('incidents');
  const lng = i18n.language as Language;
  return (
    <Card title={t('timeline.heading')} level={3}>
      <ol className="timeline" aria-label={t('timeline.heading')}>
        {detail.timeline.map((e) => (
          <li key={e.id}>
            <span className="meta">{formatTime(e.at, lng)}</span>
            <Badge tone={e.system?.code === 'comms' ? commsTone(e.system.params) : e.kind === 'alert' ? 'warn' : e.kind === 'decision' ? 'accent' : 'neutral'}>
              {t(`timeline.kinds.${e.kind}`)}
            </Badge>
            <span>
              <span className="message" translate={e.system ? undefined : 'no'}>
                {entryText(e, lng)}
              </span>
              <span className="meta"> — {e.derived ? t('timeline.derived') : e.author}</span>
            </span>
          </li>
        ))}
      </ol>
      {!readOnly && <TimelineForm id={detail.incident.id} />}
    </Card>
  );
}

function TimelineForm({ id }: { id: string }) {
  const { t } = useTranslation('incidents');
  const [kind, setKind] = useState<'note' | 'action' | 'decision'>('note');
  const [text, setText] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => vigil().incidentTimelineAdd(id, { kind, text }))) setText('');
  };
  return (
    <form onSubmit={submit} className="form">
      <FieldRow>
        <Field label={t('timeline.kind')}>
          <Select value={kind} onChange={setKind} options={(['note', 'action', 'decision'] as const).map((k) => ({ value: k, label: t(`timeline.kinds.${k}`) }))} />
        </Field>
        <Field label={t('timeline.text')} grow>
          <input value={text} maxLength={10_000} onChange={(e) => setText(e.target.value)} />
        </Field>
        <button type="submit" className="field-row-button" disabled={!text.trim()}>
          {t('timeline.add')}
        </button>
      </FieldRow>
      <InlineError error={action.error} />
    </form>
  );
}

/** The linked alerts by name and key labels; the fingerprint is only a detail (a tooltip, or when the alert is gone). */
export function LinkedAlerts({ alerts }: { alerts: LinkedAlert[] }) {
  const { t } = useTranslation('incidents');
  const go = useApp((s) => s.go);
  if (!alerts.length) return <p className="muted">{t('detail.noLinked')}</p>;
  return (
    <ul className="linked-alerts" aria-label={t('detail.alerts')}>
      {alerts.map((a) => (
        <li key={a.fingerprint} title={t('detail.fingerprint', { fp: a.fingerprint })}>
          {a.alertname ? (
            <>
              {a.severity && <SeverityBadge severity={a.severity} />}
              <button type="button" className="link" onClick={() => go('alerts', a.fingerprint)}>
                {a.alertname}
              </button>
              <LabelChips labels={a.labels} />
              {a.state === 'resolved' && <Badge tone="ok">{t('detail.alertResolved')}</Badge>}
            </>
          ) : (
            <span className="muted">
              <span className="mono">{a.fingerprint.slice(0, 12)}</span> · {t('detail.alertGone')}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

export function ReopenDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation('incidents');
  const [reason, setReason] = useState('');
  const action = useAction();
  return (
    <Dialog title={t('reopen.title', { id })} description={t('reopen.body')} onClose={onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await action.run(() => vigil().incidentReopen(id, reason))) onClose();
        }}
      >
        <Field label={t('reopen.reason')}>
          <textarea autoFocus rows={2} required maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
        <InlineError error={action.error} />
        <DialogButtons>
          <button type="button" onClick={onClose}>
            {t('reopen.cancel')}
          </button>
          <button type="submit" className="primary" disabled={!reason.trim() || action.busy}>
            {t('reopen.submit')}
          </button>
        </DialogButtons>
      </form>
    </Dialog>
  );
}
