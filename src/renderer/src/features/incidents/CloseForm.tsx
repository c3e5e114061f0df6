/** Closing an incident: what the recorded data cannot say by itself, for the postmortem. */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SEVERITIES, type Language, type Severity } from '@shared/domain';
import type { ActionItem, Incident } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { attempt } from '@renderer/data/action';

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);

export function CloseForm({ incident, onCancel }: { incident: Incident; onCancel: () => void }) {
  const { t, i18n } = useTranslation('incidents');
  const headingId = useId();
  const [f, setF] = useState({ rootCause: '', usersAffected: '', businessImpact: '', dataImpact: '', wentWell: '', toImprove: '', lessons: '', reviewMeeting: '' });
  const [items, setItems] = useState<ActionItem[]>([]);
  const [lng, setLng] = useState<Language>(i18n.language === 'zh-CN' ? 'zh-CN' : 'en');
  const [error, setError] = useState<string | null>(null);
  const field = (k: keyof typeof f, label: string, multiline = false) => (
    <label>
      {label}
      {multiline ? (
        <textarea rows={3} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />
      ) : (
        <input value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />
      )}
    </label>
  );
  const setItem = (i: number, patch: Partial<ActionItem>) => setItems(items.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void attempt(
      () =>
        vigil().incidentClose(
          incident.id,
          {
            rootCause: f.rootCause,
            usersAffected: f.usersAffected,
            businessImpact: f.businessImpact,
            dataImpact: f.dataImpact,
            wentWell: lines(f.wentWell),
            toImprove: lines(f.toImprove),
            actionItems: items.filter((x) => x.what.trim()),
            lessons: f.lessons,
            reviewMeeting: f.reviewMeeting,
          },
          lng,
        ),
      setError,
    );
  };

  return (
    <form className="process-card stack" aria-labelledby={headingId} onSubmit={submit}>
      <h3 id={headingId}>{t('close.heading')}</h3>
      {field('rootCause', t('close.rootCause'), true)}
      <div className="row">
        {field('usersAffected', t('close.usersAffected'))}
        {field('businessImpact', t('close.businessImpact'))}
        {field('dataImpact', t('close.dataImpact'))}
      </div>
      {field('wentWell', t('close.wentWell'), true)}
      {field('toImprove', t('close.toImprove'), true)}
      <fieldset>
        <legend>{t('close.actions')}</legend>
        {items.map((it, i) => (
          <div className="row" key={i}>
            <label>
              {t('close.what')} {i + 1}
              <input value={it.what} maxLength={500} onChange={(e) => setItem(i, { what: e.target.value })} />
            </label>
            <label>
              {t('close.owner')} {i + 1}
              <input value={it.owner} maxLength={80} onChange={(e) => setItem(i, { owner: e.target.value })} />
            </label>
            <label>
              {t('close.due')} {i + 1}
              <input type="date" value={it.due} onChange={(e) => setItem(i, { due: e.target.value })} />
            </label>
            <label>
              {t('close.priority')} {i + 1}
              <select value={it.priority} onChange={(e) => setItem(i, { priority: e.target.value as Severity })}>
                {SEVERITIES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <button type="button" onClick={() => setItems(items.filter((_, j) => j !== i))}>
              {t('close.removeAction', { n: i + 1 })}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setItems([...items, { what: '', owner: '', due: '', priority: incident.severity }])}>
          {t('close.addAction')}
        </button>
      </fieldset>
      {field('lessons', t('close.lessons'), true)}
      {field('reviewMeeting', t('close.meeting'))}
      <label>
        {t('close.language')}
        <select value={lng} onChange={(e) => setLng(e.target.value as Language)}>
          <option value="en">English</option>
          <option value="zh-CN">简体中文</option>
        </select>
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary">
          {t('close.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('close.cancel')}
        </button>
      </div>
    </form>
  );
}
