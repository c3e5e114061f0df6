/**
 * For other views (the alert detail pane, the command palette): open the runbook an alert links to.
 * A cached runbook opens in the Runbooks view — it works offline; an http(s) runbook_url Vigil has no
 * copy of opens externally through the vetted opener.
 */
import type { RunbookLink } from '@shared/runbooks';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';
import { openExternalLink, type OpenOutcome } from '@renderer/components/openLink';

export type OpenRunbookOutcome =
  | { kind: 'local'; runbookId: string }
  | { kind: 'external'; url: string; how: OpenOutcome }
  | { kind: 'none'; reason: string };

/** What the alert links to, without opening it (for a button label). */
export function runbookLinkForAlert(fingerprint: string): Promise<RunbookLink> {
  return vigil().runbookForAlert(fingerprint);
}

export async function openRunbookLink(link: RunbookLink): Promise<OpenRunbookOutcome> {
  if (link.kind === 'local') {
    useApp.getState().go('runbooks', link.runbook.id);
    return { kind: 'local', runbookId: link.runbook.id };
  }
  if (link.kind === 'external') return { kind: 'external', url: link.url, how: await openExternalLink(link.url) };
  return link;
}

export async function openRunbookForAlert(fingerprint: string): Promise<OpenRunbookOutcome> {
  return openRunbookLink(await runbookLinkForAlert(fingerprint));
}
