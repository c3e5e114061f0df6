/**
 * For other views (the alert detail pane, the command palette): open the runbook an alert links to.
 * A cached runbook opens in the Runbooks view — it works offline; an http(s) runbook_url Vigil has no
 * copy of opens externally through the vetted opener.
 */
import type { RunbookRef } from '@shared/runbooks';
import { vigil } from '@renderer/api';
import { useApp } from '@renderer/stores/app';
import { openExternalLink, type OpenOutcome } from '@renderer/components/openLink';

export type OpenRunbookOutcome =
  | { kind: 'local'; runbookId: string }
  | { kind: 'external'; url: string; how: OpenOutcome }
  | { kind: 'none'; reason: string };

/** The runbook the alert points at, without opening it (for a button label). */
export function runbookRefForAlert(fingerprint: string): Promise<RunbookRef> {
  return vigil().runbookForAlert(fingerprint);
}

export async function openRunbookRef(ref: RunbookRef): Promise<OpenRunbookOutcome> {
  if (ref.kind === 'local') {
    useApp.getState().go('runbooks', ref.runbook.id);
    return { kind: 'local', runbookId: ref.runbook.id };
  }
  if (ref.kind === 'external') return { kind: 'external', url: ref.url, how: await openExternalLink(ref.url) };
  return ref;
}

export async function openRunbookForAlert(fingerprint: string): Promise<OpenRunbookOutcome> {
  return openRunbookRef(await runbookRefForAlert(fingerprint));
}
