/**
 * vigil:// links opened while the app runs (`openLink`) or the one it was started with (`pendingLink`, asked
 * once we listen) take the person straight to that alert or incident.
 */
import type { DeepLink } from '@shared/deep-links';
import { vigil } from './api';
import { useApp } from './stores/app';

export function openDeepLink(link: DeepLink): void {
  useApp.getState().go(link.kind === 'alert' ? 'alerts' : 'incidents', link.id);
}

export function bindDeepLinks(): () => void {
  const api = vigil();
  const off = api.on('openLink', openDeepLink);
  void api.pendingLink().then(
    (link) => link && openDeepLink(link),
    () => undefined,
  );
  return off;
}
