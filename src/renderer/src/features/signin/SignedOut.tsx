/**
 * The signed-out state: a banner that says why (a revoked or expired token, a sign-out) and what happens to
 * queued actions, with "Sign in"; and the sign-in dialog, opened by itself when a console pointed at a
 * platform has nobody signed in (a first launch against a platform, a revoked token), and from the banner
 * or Settings. "Not now" leaves the cached data readable; actions stay disabled with the reason.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '@renderer/ui';
import { SignIn } from './SignIn';
import { useSession } from './session';
import { useSignInDialog } from './dialog';

export function SignedOutBanner() {
  const { t } = useTranslation('signin');
  const session = useSession();
  const open = useSignInDialog((s) => s.open);
  if (!session || session.state !== 'signed_out') return null;
  const who = session.identity?.name ?? '';
  return (
    <div role="alert" className="banner banner-warn signed-out">
      <strong>{t('out.banner')}</strong> {t(`out.reason.${session.reason ?? 'signed_out'}`, { name: who })}
      {session.heldActions > 0 && (
        <div>
          {who
            ? t('out.held', { count: session.heldActions, name: who })
            : t('out.heldOther', { count: session.heldActions })}
        </div>
      )}
      <div>
        <button type="button" className="primary" onClick={open}>
          {t('out.signIn')}
        </button>
      </div>
    </div>
  );
}

/** The sign-in dialog; opens by itself once per signed-out spell. */
export function SignInDialog() {
  const { t } = useTranslation('signin');
  const session = useSession();
  const { shown, open, close } = useSignInDialog();
  const [offered, setOffered] = useState<string | null>(null);
  const spell = session?.state === 'signed_out' ? `${session.reason}:${session.identity?.login ?? ''}` : null;
  useEffect(() => {
    if (spell && spell !== offered) {
      setOffered(spell);
      open();
    }
    if (!spell) setOffered(null);
  }, [spell, offered, open]);
  if (!shown) return null;
  return (
    <Dialog title={t('form.title')} onClose={close} className="signin-dialog">
      <SignIn onDone={close} onLater={close} />
    </Dialog>
  );
}
