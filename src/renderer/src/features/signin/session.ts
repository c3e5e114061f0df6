/**
 * Who is signed in, for the views: the session from the link state, and `useCan(action)` — whether the
 * person may take an action here and, when not, the reason the disabled control shows.
 */
import { useTranslation } from 'react-i18next';
import type { Session } from '@shared/domain';
import { requiredRole, roleAllows } from '@shared/identity';
import { useApp } from '@renderer/stores/app';

export const useSession = (): Session | null => useApp((s) => s.link?.session ?? null);

export type Can = { ok: true; reason: null } | { ok: false; reason: string };

/** whether the signed-in person may take `action` (an action type such as "alert.ack"), and why not */
export function useCan(action: string): Can {
  const { t } = useTranslation('signin');
  const session = useSession();
  if (!session || session.state === 'local') return { ok: true, reason: null };
  if (session.state === 'signed_out') return { ok: false, reason: t('cannot.signedOut') };
  if (session.state === 'signing_in' || !session.identity) return { ok: false, reason: t('cannot.signingIn') };
  const { role } = session.identity;
  if (roleAllows(role, action)) return { ok: true, reason: null };
  return {
    ok: false,
    reason: t('cannot.role', {
      name: session.name ?? session.identity.name,
      role: t(`role.${role}`),
      needed: t(`role.${requiredRole(action)}`),
    }),
  };
}

/** the name records made here carry now (the signed-in person's), or '' while nobody is signed in */
export const useMyName = (): string =>
  useApp((s) => s.link?.session.name ?? (s.link ? '' : (s.settings?.operator ?? '')));
