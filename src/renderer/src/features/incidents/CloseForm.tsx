/** Closing an incident: what the recorded data cannot say by itself, for the postmortem. */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SEVERITIES, type Language, type Severity } from '@shared/domain';
import type { ActionItem, Incident } from '@shared/incidents';
import { vigil } from '@renderer/api';
import { useAction } from '@renderer/data/action';
import { DateField, Field, FieldRow, FormCard, InlineError, Select } from '@renderer/ui';

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);
export const LANGUAGE_OPTIONS: { value: Language; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'zh-CN', label: '简体中文' },
];

function ActionItems({ items, setItems, fallback }: { items: ActionItem[]; setItems: (x: ActionItem[]) => void; fallback: Severity }) {
  const { t } = useTranslation('incidents');
  const setItem = (i: number, patch: Partial<ActionItem>) => setItems(items.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <fieldset>
      <legend>{t('close.actions')}</legend>
      {items.map((it, i) => (
        <FieldRow key={i}>
          <Field label={`${t('close.what')} ${i + 1}`} grow>
            <input value={it.what} maxLength={500} onChange={(e) => setItem(i, { what: e.target.value })} />
          </Field>
          <Field label={`${t('close.owner')} ${i + 1}`}>
            <input value={it.owner} maxLength={80} onChange={(e) => setItem(i, { owner: e.target.value })} />
          </Field>
          <DateField label={`${t('close.due')} ${i + 1}`} optional value={it.due} onChange={(due) => setItem(i, { due })} />
          <Field label={`${t('close.priority')} ${i + 1}`}>
            <Select value={it.priority} onChange={(priority: Severity) => setItem(i, { priority })} options={SEVERITIES.map((s) => ({ value: s, label: s }))} />
          </Field>
          <button type="button" className="field-row-button" onClick={() => setItems(items.filter((_, j) => j !== i))}>
            {t('close.removeAction', { n: i + 1 })}
          </button>
        </FieldRow>
      ))}
      <div>
        <button type="button" onClick={() => setItems([...items, { what: '', owner: '', due: '', priority: fallback }])}>
          {t('close.addAction')}
        </button>
      </div>
    </fieldset>
  );
}

export function CloseForm({ incident, onCancel }: { incident: Incident; onCancel: () => void }) {
  const { t, i18n } = useTranslation('incidents');
  const [f, setF] = useState({ rootCause: '', usersAffected: '', businessImpact: '', dataImpact: '', wentWell: '', toImprove: '', lessons: '', reviewMeeting: '' });
  const [items, setItems] = useState<ActionItem[]>([]);
  const [lng, setLng] = useState<Language>(i18n.language === 'zh-CN' ? 'zh-CN' : 'en');
  const action = useAction();
  const field = (k: keyof typeof f, label: string, multiline = false) => (
    <Field label={label}>
      {multiline ? (
        <textarea rows={3} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />
      ) : (
        <input value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} />
      )}
    </Field>
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const review = {
      rootCause: f.rootCause,
      usersAffected: f.usersAffected,
      businessImpact: f.businessImpact,
      dataImpact: f.dataImpact,
      wentWell: lines(f.wentWell),
      toImprove: lines(f.toImprove),
      actionItems: items.filter((x) => x.what.trim()),
      lessons: f.lessons,
      reviewMeeting: f.reviewMeeting,
    };
    void action.run(() => vigil().incidentClose(incident.id, review, lng));
  };

  return (
    <FormCard title={t('close.heading')} level={3} onSubmit={submit} className="close-form">
      {field('rootCause', t('close.rootCause'), true)}
      <FieldRow>
        {field('usersAffected', t('close.usersAffected'))}
        {field('businessImpact', t('close.businessImpact'))}
        {field('dataImpact', t('close.dataImpact'))}
      </FieldRow>
      {field('wentWell', t('close.wentWell'), true)}
      {field('toImprove', t('close.toImprove'), true)}
      <ActionItems items={items} setItems={setItems} fallback={incident.severity} />
      {field('lessons', t('close.lessons'), true)}
      <FieldRow>
        {field('reviewMeeting', t('close.meeting'))}
        <Field label={t('close.language')}>
          <Select value={lng} onChange={setLng} options={LANGUAGE_OPTIONS} />
        </Field>
      </FieldRow>
      <InlineError error={action.error} />
      <div className="form-buttons">
        <button type="submit" className="primary" disabled={action.busy}>
          {t('close.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('close.cancel')}
        </button>
      </div>
    </FormCard>
  );
}
