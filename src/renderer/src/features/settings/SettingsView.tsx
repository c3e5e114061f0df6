import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SEVERITIES, type Settings } from '@shared/domain';
import { useApp } from '@renderer/stores/app';
import { LinkSettings } from '../link/LinkSettings';
import { OutboxPanel } from '../link/OutboxPanel';
import { DesktopSettings } from './DesktopSettings';
import { AccountSettings } from '../signin/Account';
import { useSession } from '../signin/session';

/** Reads and writes settings through the contract. Errors from the core are shown next to the form. */
export function SettingsView() {
  const { t } = useTranslation();
  const { t: ts } = useTranslation('signin');
  const session = useSession();
  const settings = useApp((s) => s.settings);
  const info = useApp((s) => s.info);
  const save = useApp((s) => s.saveSettings);
  const toast = useApp((s) => s.toast);
  const [draft, setDraft] = useState<Settings | null>(settings);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(settings), [settings]);
  if (!draft) return <p>{t('loading')}</p>;

  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setDraft({ ...draft, [k]: v });
  // Language and theme apply at once; the rest is saved with the button.
  const applyNow = async (patch: Partial<Settings>) => {
    setDraft({ ...draft, ...patch });
    try {
      await save(patch);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await save({
        notifyMinSeverity: draft.notifyMinSeverity,
        notifyRepeatMinutes: draft.notifyRepeatMinutes,
        notifyResolved: draft.notifyResolved,
        quietHours: draft.quietHours,
        operator: draft.operator,
        timeZone: draft.timeZone,
        platformUrl: draft.platformUrl,
        startAtLogin: draft.startAtLogin,
      });
      setError(null);
      toast({ level: 'success', title: t('settings.saved') });
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <section className="view settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <form onSubmit={onSubmit}>
        <AccountSettings />
        <fieldset>
          <label>
            {t('settings.language')}
            <select value={draft.language} onChange={(e) => void applyNow({ language: e.target.value as Settings['language'] })}>
              <option value="auto">{t('settings.languageAuto', { locale: navigator.language })}</option>
              <option value="en">English</option>
              <option value="zh-CN">简体中文</option>
            </select>
          </label>
          <label>
            {t('settings.theme')}
            <select value={draft.theme} onChange={(e) => void applyNow({ theme: e.target.value as Settings['theme'] })}>
              <option value="system">{t('settings.themeSystem')}</option>
              <option value="light">{t('settings.themeLight')}</option>
              <option value="dark">{t('settings.themeDark')}</option>
            </select>
          </label>
          {/* a personal token or SSO names the person; the typed name counts only with the shared token */}
          <label>
            {session?.identity && session.identity.via !== 'shared'
              ? ts('account.operatorLocked', { name: session.identity.name })
              : session?.identity?.via === 'shared'
                ? ts('account.operatorShared')
                : t('settings.operator')}
            {session?.identity && session.identity.via !== 'shared' ? (
              <input value={session.identity.name} disabled readOnly />
            ) : (
              <input value={draft.operator} maxLength={80} onChange={(e) => set('operator', e.target.value)} />
            )}
          </label>
          <label>
            {t('settings.timeZone')}
            <input value={draft.timeZone} onChange={(e) => set('timeZone', e.target.value)} />
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('settings.notifications')}</legend>
          <label>
            {t('settings.notifyMinSeverity')}
            <select value={draft.notifyMinSeverity} onChange={(e) => set('notifyMinSeverity', e.target.value as Settings['notifyMinSeverity'])}>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('settings.notifyRepeat')}
            <input
              type="number"
              min={0}
              max={240}
              value={draft.notifyRepeatMinutes}
              onChange={(e) => set('notifyRepeatMinutes', Number(e.target.value))}
            />
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.notifyResolved} onChange={(e) => set('notifyResolved', e.target.checked)} />
            {t('settings.notifyResolved')}
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('settings.quietHours')}</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.quietHours.enabled}
              onChange={(e) => set('quietHours', { ...draft.quietHours, enabled: e.target.checked })}
            />
            {t('settings.quietEnabled')}
          </label>
          <label>
            {t('settings.quietStart')}
            <input type="time" value={draft.quietHours.start} onChange={(e) => set('quietHours', { ...draft.quietHours, start: e.target.value })} />
          </label>
          <label>
            {t('settings.quietEnd')}
            <input type="time" value={draft.quietHours.end} onChange={(e) => set('quietHours', { ...draft.quietHours, end: e.target.value })} />
          </label>
        </fieldset>
        <DesktopSettings startAtLogin={draft.startAtLogin} onChange={(v) => set('startAtLogin', v)} />
        <fieldset>
          <legend>{t('settings.platform')}</legend>
          <LinkSettings url={draft.platformUrl} onUrlChange={(url) => set('platformUrl', url)} />
          <OutboxPanel />
        </fieldset>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          {t('settings.save')}
        </button>
      </form>
      {info && (
        <p className="muted about">
          {t('settings.version', { version: info.version, transport: info.transport, dir: info.dataDir })}
        </p>
      )}
    </section>
  );
}
