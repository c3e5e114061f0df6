import { useTranslation } from 'react-i18next';
import { useApp } from '@renderer/stores/app';
import { Card, CheckField } from '@renderer/ui';

/** Settings only the desktop app acts on (start at login). Hidden in the browser host, which cannot. */
export function DesktopSettings({ startAtLogin, onChange }: { startAtLogin: boolean; onChange: (v: boolean) => void }) {
  const { t } = useTranslation('desktop');
  const transport = useApp((s) => s.info?.transport);
  if (transport !== 'electron') return null;
  return (
    <Card title={t('title')}>
      <CheckField label={t('startAtLogin')} checked={startAtLogin} onChange={onChange} hint={t('startAtLoginHint')} />
    </Card>
  );
}
