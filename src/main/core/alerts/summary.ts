/** An alert's one-line summary as notifications show it: used by the policy and read back by the repo. */
import type { Alert } from '@shared/alerts';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function summaryOf(a: Pick<Alert, 'annotations' | 'labels' | 'fingerprint'>): string {
  const text = a.annotations.summary || a.annotations.description || a.annotations.message || a.labels.instance || a.fingerprint;
  return clip(text.replace(/\s+/g, ' ').trim(), 200);
}
