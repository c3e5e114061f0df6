import { useTranslation } from 'react-i18next';
import { useApp } from '@renderer/stores/app';

/** Settings only the desktop app acts on (start at login). Hidden in the browser host, which cannot. */
export function DesktopSettings({ startAtLogin, onChange }: { startAtLogin: boolean; onChange: (v: boolean) => void }) {
  const { t } = useTranslation('desktop');
  const transport = useApp((s) => s.info?.transport);
  if (transport !== 'electron') return null;
  return (
    <fieldset>
      <legend>{t('title')}</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={startAtLogin}
          aria-describedby="start-at-login-hint"
          onChange={(e) => onChange(e.target.checked)}
        />
        {t('startAtLogin')}
      </label>
      <p id="start-at-login-hint" className="muted">
        {t('startAtLoginHint')}
      </p>
    </fieldset>
  );
}
