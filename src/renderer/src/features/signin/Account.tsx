/**
 * Settings → Account: who is signed in and how (personal token, SSO, the shared token whose names are not
 * verified, the demo gateway's OS user), "Sign out", and "Sign in to a platform…".
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';
import { useSignInDialog } from './dialog';
import { useSession } from './session';

export function AccountSettings() {
  const { t } = useTranslation('signin');
  const session = useSession();
  const link = useApp((s) => s.link);
  const operator = useApp((s) => s.settings?.operator ?? '');
  const open = useSignInDialog((s) => s.open);
  const [error, setError] = useState<string | null>(null);
  if (!session) return null;
  const i = session.identity;
  const embedded = !!link?.embedded;
  let text: string;
  if (session.state === 'signed_in' && i)
    text =
      i.via === 'shared'
        ? t('account.shared', { name: session.name ?? operator })
        : embedded
          ? t('account.embedded', { name: i.name, role: t(`role.${i.role}`) })
          : t('account.signedIn', { name: i.name, role: t(`role.${i.role}`), via: t(`via.${i.via}`) });
  else if (session.state === 'signed_out')
    text = `${t('out.banner')} ${t(`out.reason.${session.reason ?? 'signed_out'}`, { name: i?.name ?? '' })}`;
  else if (session.state === 'signing_in') text = t('account.signingIn');
  else text = t('account.local');
  const signOut = async () => {
    try {
      setError(null);
      await vigil().linkSignOut();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <fieldset className="card account" aria-label={t('account.title')}>
      <legend className="card-title">{t('account.title')}</legend>
      <p role="status" className={i?.via === 'shared' ? 'identity banner banner-warn' : 'identity'}>
        {text}
      </p>
      <div className="button-row">
        {session.state === 'signed_in' && !embedded && (
          <button type="button" aria-describedby="sign-out-hint" onClick={() => void signOut()}>
            {t('account.signOut')}
          </button>
        )}
        <button type="button" onClick={open}>
          {t('account.signInOther')}
        </button>
      </div>
      {session.state === 'signed_in' && !embedded && (
        <p id="sign-out-hint" className="muted">
          {t('account.signOutHint')}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
