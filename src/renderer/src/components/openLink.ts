/**
 * Opens a link from content (a runbook, an alert annotation) through the vetted opener in the core. The
 * browser host cannot reach the OS and answers {opened:false}; the page then opens it itself, in a new tab
 * without an opener. A link the vetting refuses is reported and not opened at all.
 */
import i18next from 'i18next';
import { isSafeExternalUrl } from '@shared/external-urls';
import { vigil } from '../api';
import { useApp } from '../stores/app';

export type OpenOutcome = 'opened' | 'window' | 'refused';

export async function openExternalLink(url: string): Promise<OpenOutcome> {
  try {
    const r = await vigil().openExternal(url);
    if (r.opened) return 'opened';
    // the same check the core ran, so the page never opens what the core would refuse
    if (!isSafeExternalUrl(url)) throw new Error(url);
    window.open(url, '_blank', 'noopener,noreferrer');
    return 'window';
  } catch (err) {
    useApp
      .getState()
      .toast({
        level: 'error',
        title: i18next.t('common:markdown.linkRefused'),
        body: err instanceof Error ? err.message : String(err),
      });
    return 'refused';
  }
}
