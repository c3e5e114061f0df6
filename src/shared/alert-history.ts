/**
 * Reading an alert history entry (alert_events: kind + detail, as the core records them) into what it
 * means, so every view says it in its own language instead of showing the stored English detail
 * ("alert.ack queued by on-call"). Used by the alert detail pane and by the incident timeline.
 *
 * Who resolved an alert: a `resolved` entry is what the platform reported (Alertmanager stopped seeing the
 * alert, or a resolve went through). The acker's name the core once wrote beside it is not its author, so
 * it is dropped here; a person's resolve shows as its own `requested` entry before it.
 */
export const ALERT_REQUESTS = ['ack', 'unack', 'resolve', 'escalate', 'silence'] as const;
export type AlertRequest = (typeof ALERT_REQUESTS)[number];

export type AlertHistoryItem =
  | { code: 'firing' | 'acked' | 'silenced' | 'resolved'; by: string | null; text: string }
  | { code: 'requested'; action: AlertRequest; by: string; text: string }
  | { code: 'other'; by: null; text: string };

const REQUESTED = /^alert\.(ack|unack|resolve|escalate) queued by (.+)$/s;
const SILENCE = /^silence queued by (.+?): (.*)$/s;
const BY = /^by (.+)$/s;

export function readAlertEvent(kind: string, detail: string): AlertHistoryItem {
  if (kind === 'action') {
    const r = REQUESTED.exec(detail);
    if (r) return { code: 'requested', action: r[1] as AlertRequest, by: r[2], text: '' };
    const s = SILENCE.exec(detail);
    if (s) return { code: 'requested', action: 'silence', by: s[1], text: s[2] };
    return { code: 'other', by: null, text: detail };
  }
  if (kind === 'firing' || kind === 'acked' || kind === 'silenced' || kind === 'resolved') {
    const by = BY.exec(detail)?.[1] ?? null;
    // only an ack names its author; on the other states "by" is the acker carried along
    return { code: kind, by: kind === 'acked' ? by : null, text: by || !detail ? '' : detail };
  }
  return { code: 'other', by: null, text: `${kind} ${detail}`.trim() };
}
