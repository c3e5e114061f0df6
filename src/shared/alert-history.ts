/**
 * An alert's history entries in words. An entry is stored as a code (`kind`: firing, resolved, acked,
 * silenced, action) and parameters (who acked it; which action was queued, by whom, with what comment),
 * and read in the reader's language. `detail` keeps an English line for readers that know no codes;
 * entries written before parameters were stored carry only that line, and their parameters are read
 * back from it (the writer's fixed wording).
 *
 * Who resolved an alert: a `resolved` entry is what the platform reported (Alertmanager stopped seeing the
 * alert, or a resolve went through). The acker's name the writer keeps beside every state entry is not its
 * author, so only an `acked` entry names a person; a person's resolve is its own queued action before it.
 */
import type { AlertEvent } from './alerts';
import type { Language } from './domain';
import { defineTexts } from './texts';

export const alertHistoryText = defineTexts('alert-history', {
  en: {
    kinds: { firing: 'firing', resolved: 'resolved', acked: 'acked', silenced: 'silenced', inhibited: 'inhibited', unacked: 'unacked', action: 'request' },
    by: 'by {{name}}',
    /** a resolve as the platform reported it */
    reported: 'reported by the platform',
    /** what a person asked for */
    actions: {
      'alert.ack': 'ack',
      'alert.unack': 'ack removal',
      'alert.resolve': 'resolve',
      'alert.escalate': 'escalation',
      'silence.create': 'silence',
    },
    queued: '{{action}} requested by {{by}}',
    queuedWithComment: '{{action}} requested by {{by}}: {{comment}}',
  },
  'zh-CN': {
    kinds: { firing: '告警中', resolved: '已恢复', acked: '已确认', silenced: '已静默', inhibited: '被抑制', unacked: '已取消确认', action: '操作' },
    by: '（{{name}}）',
    reported: '（由平台上报）',
    actions: {
      'alert.ack': '确认',
      'alert.unack': '取消确认',
      'alert.resolve': '标记解决',
      'alert.escalate': '升级',
      'silence.create': '静默',
    },
    queued: '{{by}} 已提交{{action}}请求',
    queuedWithComment: '{{by}} 已提交{{action}}请求：{{comment}}',
  },
});

export type HistoryAction = keyof typeof alertHistoryText.en.actions;
type HistoryKind = keyof typeof alertHistoryText.en.kinds;

/** The parameters of an entry. */
export interface AlertEventParams {
  /** who acked the alert (state entries) */
  by?: string;
  /** the action queued (action entries), by `actor`, with `comment` for a silence */
  action?: string;
  actor?: string;
  comment?: string;
}

/** the action as the stored line names it (its code; a silence as "silence"), the writer's fixed wording */
const lineName = (action: HistoryAction): string => (action === 'silence.create' ? 'silence' : action);

/**
 * What the writer stores for a queued action: the parameters and the English line beside them. The line is
 * a storage format (older entries are read back from it), not a text: it does not follow the en table.
 */
export function queuedEntry(action: HistoryAction, actor: string, comment?: string): { detail: string; params: AlertEventParams } {
  const line = `${lineName(action)} queued by ${actor}`;
  return comment === undefined ? { detail: line, params: { action, actor } } : { detail: `${line}: ${comment}`, params: { action, actor, comment } };
}

/** The entry's parameters: the stored ones, else read back from the English line older entries carry. */
export function alertEventParams(e: Pick<AlertEvent, 'kind' | 'detail'> & { params?: AlertEventParams | null }): AlertEventParams {
  if (e.params) return e.params;
  const by = /^by (.+)$/s.exec(e.detail);
  // on any other state the name is the acker carried along, not who caused it
  if (by) return e.kind === 'acked' ? { by: by[1] } : {};
  if (e.kind !== 'action') return {};
  const silence = /^silence queued by (.+?): (.*)$/s.exec(e.detail);
  if (silence) return { action: 'silence.create', actor: silence[1], comment: silence[2] };
  const queued = /^(\S+) queued by (.+)$/s.exec(e.detail);
  return queued ? { action: queued[1], actor: queued[2] } : {};
}

/** The entry in `lng`: its kind and its detail (an entry in no known form shows its line as written). */
export function alertEventText(e: Pick<AlertEvent, 'kind' | 'detail'> & { params?: AlertEventParams | null }, lng: Language): { kind: string; detail: string } {
  const t = alertHistoryText.in(lng);
  const kind = e.kind in t.kinds ? t.kinds[e.kind as HistoryKind]() : e.kind;
  const p = alertEventParams(e);
  if (p.action !== undefined) {
    const action = p.action in t.actions ? t.actions[p.action as HistoryAction]() : p.action;
    const by = p.actor ?? '';
    return { kind, detail: p.comment !== undefined ? t.queuedWithComment({ action, by, comment: p.comment }) : t.queued({ action, by }) };
  }
  if (p.by !== undefined) return { kind, detail: t.by({ name: p.by }) };
  if (e.kind === 'resolved') return { kind, detail: t.reported() };
  // a state entry's line is only its acker ("by …"), said above or not at all
  if (e.kind in t.kinds && /^by .+$/s.test(e.detail)) return { kind, detail: '' };
  return { kind, detail: e.detail };
}
