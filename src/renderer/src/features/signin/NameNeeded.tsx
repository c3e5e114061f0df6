/**
 * Who am I, when nothing can prove it: connected with the shared team token (or without a platform), the
 * records carry the name typed here. While that is still the default ("on-call"), this bar asks for the
 * person's name before anything gets recorded under it — in the page, not a dialog, so the console stays
 * usable at 3 a.m. A personal token, the SSO proxy or the demo gateway's OS user need no such question.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_SETTINGS } from '@shared/domain';
import { useApp } from '@renderer/stores/app';
import { useSession } from './session';

export function NameNeeded() {
  const { t } = useTranslation('signin');
  const session = useSession();
  const operator = useApp((s) => s.settings?.operator);
  const saveSettings = useApp((s) => s.saveSettings);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const typedNameCounts =
    session?.state === 'local' || (session?.state === 'signed_in' && session.identity?.via === 'shared');
  if (!typedNameCounts || operator === undefined || operator.trim() !== DEFAULT_SETTINGS.operator) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const typed = name.trim();
    if (!typed || typed === DEFAULT_SETTINGS.operator) return setError(t('name.empty'));
    try {
      setError(null);
      await saveSettings({ operator: typed.slice(0, 80) });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form role="region" aria-label={t('name.title')} className="banner banner-warn name-needed" onSubmit={(e) => void submit(e)}>
      <strong>{t('name.title')}</strong>{' '}
      {session?.state === 'local' ? t('name.local') : t('name.shared', { name: DEFAULT_SETTINGS.operator })}
      <div className="button-row">
        <label htmlFor={id}>{t('name.label')}</label>
        <input id={id} value={name} maxLength={80} autoComplete="name" onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="primary">
          {t('name.save')}
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
