/** The status bar's "who am I": the signed-in person and role, the shared token's unverified name, or signed out. */
import { useTranslation } from 'react-i18next';
import { useApp } from '@renderer/stores/app';
import { useSession } from './session';

export function SessionBadge() {
  const { t } = useTranslation('signin');
  const session = useSession();
  const operator = useApp((s) => s.settings?.operator ?? '');
  if (!session) return null;
  const i = session.identity;
  const text =
    session.state === 'signed_in' && i
      ? i.via === 'shared'
        ? t('badge.shared', { name: operator })
        : t('badge.signedIn', { name: i.name, role: t(`role.${i.role}`) })
      : session.state === 'signed_out'
        ? t('badge.signedOut')
        : session.state === 'signing_in'
          ? t('badge.signingIn')
          : t('badge.local', { name: operator });
  return (
    <span
      role="status"
      aria-label={t('badge.label')}
      className={`who who-${session.state}${i?.via === 'shared' ? ' who-shared' : ''}`}
    >
      {text}
    </span>
  );
}
