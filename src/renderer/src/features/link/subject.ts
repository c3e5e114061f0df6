/** A short human handle for what an action is about, taken from its payload. */
import { formatMatchers, type Matcher } from '@shared/matchers';

export function actionSubject(payload: unknown): string {
  if (!payload || typeof payload !== 'object') return '';
  const p = payload as Record<string, unknown>;
  for (const key of ['fingerprint', 'silenceId', 'incidentId', 'runId', 'handoverId'])
    if (typeof p[key] === 'string') return p[key] as string;
  if (Array.isArray(p.matchers)) return formatMatchers(p.matchers as Matcher[]);
  return '';
}
