import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SEVERITIES, type Language, type Settings } from '@shared/domain';
import { errorText } from '@renderer/data/load';
import { useApp } from '@renderer/stores/app';
import { Card, CheckField, Field, FieldRow, InlineError, RadioGroup, Select, TimeField, View } from '@renderer/ui';
import { LinkSettings } from '../link/LinkSettings';
import { OutboxPanel } from '../link/OutboxPanel';
import { DesktopSettings } from './DesktopSettings';
import { testNotification } from '../alerts/test-notification';
import { AccountSettings } from '../signin/Account';
import { useSession } from '../signin/session';

/** "Test notification", with what happened said beside the button (and why not, in the page's language). */
function TestNotification() {
  const { t, i18n } = useTranslation();
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const r = await testNotification(i18n.language as Language);
      setSaid(r.delivered ? { ok: true, text: t('settings.testNotifyOk') } : { ok: false, text: t('settings.testNotifyFailed', { reason: r.reason }) });
    } catch (e) {
      setSaid({ ok: false, text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="test-notify">
      <button type="button" onClick={() => void run()} disabled={busy}>
        {t('settings.testNotify')}
      </button>
      <p role="status" className={said ? (said.ok ? 'ok-text' : 'error-text') : undefined}>
        {said?.text}
      </p>
    </div>
  );
}

/** Reads and writes settings through the contract. Language and theme apply at once; the rest is saved with the button. */
export function SettingsView() {
  const { t } = useTranslation();
  const { t: ts } = useTranslation('signin');
  const session = useSession();
  const proven = session?.identity && session.identity.via !== 'shared' ? session.identity.name : null;
  const settings = useApp((s) => s.settings);
  const info = useApp((s) => s.info);
  const save = useApp((s) => s.saveSettings);
  const toast = useApp((s) => s.toast);
  const [draft, setDraft] = useState<Settings | null>(settings);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(settings), [settings]);
  if (!draft) return <p>{t('loading')}</p>;

  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setDraft({ ...draft, [k]: v });
  const applyNow = async (patch: Partial<Settings>) => {
    setDraft({ ...draft, ...patch });
    try {
      await save(patch);
      setError(null);
    } catch (e) {
      setError(errorText(e));
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
      setError(errorText(err));
    }
  };

  return (
    <View title={t('settings.title')} className="settings">
      <form className="settings-form" onSubmit={onSubmit}>
        <AccountSettings />
        <Card title={t('settings.appearance')}>
          <FieldRow>
            <Field label={t('settings.language')} className="field-fit">
              <Select
                value={draft.language}
                onChange={(language) => void applyNow({ language })}
                options={[
                  { value: 'auto', label: t('settings.languageAuto', { locale: navigator.language }) },
                  { value: 'en', label: 'English' },
                  { value: 'zh-CN', label: '简体中文' },
                ]}
              />
            </Field>
          </FieldRow>
          <RadioGroup
            label={t('settings.theme')}
            value={draft.theme}
            onChange={(theme) => void applyNow({ theme })}
            hint={t('settings.themeHint')}
            options={[
              { value: 'system', label: t('settings.themeSystem') },
              { value: 'light', label: t('settings.themeLight') },
              { value: 'dark', label: t('settings.themeDark') },
            ]}
          />
        </Card>
        <Card title={t('settings.you')}>
          <FieldRow>
            {/* a personal token or SSO names the person; the typed name counts only with the shared token */}
            {proven ? (
              <Field label={ts('account.operatorLocked', { name: proven })}>
                <input value={proven} disabled readOnly />
              </Field>
            ) : (
              <Field label={session?.identity?.via === 'shared' ? ts('account.operatorShared') : t('settings.operator')} hint={t('settings.operatorHint')}>
                <input value={draft.operator} maxLength={80} onChange={(e) => set('operator', e.target.value)} />
              </Field>
            )}
            <Field label={t('settings.timeZone')} hint={t('settings.timeZoneHint')}>
              <input value={draft.timeZone} onChange={(e) => set('timeZone', e.target.value)} />
            </Field>
          </FieldRow>
        </Card>
        <Card title={t('settings.notifications')}>
          <FieldRow>
            <Field label={t('settings.notifyMinSeverity')}>
              <Select value={draft.notifyMinSeverity} onChange={(v) => set('notifyMinSeverity', v)} options={SEVERITIES.map((s) => ({ value: s, label: s }))} />
            </Field>
            <Field label={t('settings.notifyRepeat')}>
              <input type="number" min={0} max={240} value={draft.notifyRepeatMinutes} onChange={(e) => set('notifyRepeatMinutes', Number(e.target.value))} />
            </Field>
          </FieldRow>
          <CheckField label={t('settings.notifyResolved')} checked={draft.notifyResolved} onChange={(v) => set('notifyResolved', v)} />
          <TestNotification />
        </Card>
        <Card title={t('settings.quietHours')}>
          <CheckField label={t('settings.quietEnabled')} checked={draft.quietHours.enabled} onChange={(enabled) => set('quietHours', { ...draft.quietHours, enabled })} />
          <FieldRow>
            <TimeField label={t('settings.quietStart')} value={draft.quietHours.start} onChange={(start) => set('quietHours', { ...draft.quietHours, start })} />
            <TimeField label={t('settings.quietEnd')} value={draft.quietHours.end} onChange={(end) => set('quietHours', { ...draft.quietHours, end })} />
          </FieldRow>
        </Card>
        <DesktopSettings startAtLogin={draft.startAtLogin} onChange={(v) => set('startAtLogin', v)} />
        <Card title={t('settings.platform')}>
          <LinkSettings url={draft.platformUrl} onUrlChange={(url) => set('platformUrl', url)} />
        </Card>
        <InlineError error={error} />
        <div className="form-buttons settings-save">
          <button type="submit" className="primary">
            {t('settings.save')}
          </button>
        </div>
      </form>
      <OutboxPanel />
      {info && <p className="meta about">{t('settings.version', { version: info.version, transport: t(`settings.transports.${info.transport}`), dir: info.dataDir })}</p>}
    </View>
  );
}
