/**
 * Why a native notification was not shown, as a code: the host's and the shell's notifiers say it, the
 * core stores it (the self-check's notification step keeps the code as its reading) and words it in the
 * reader's language at the moment it is read, so switching the language re-words a stored reason too.
 *
 *   no_session     no D-Bus session / no desktop session (a headless jump host, an SSH session)
 *   no_daemon      a session, but no notification daemon answers on it
 *   not_installed  notify-send (or the platform's notifier) is missing
 *   denied         the OS refuses notifications to Vigil (a permission, focus assist)
 *   failed         anything else: `detail` carries the notifier's own first line, as data
 */
import { z } from 'zod';
import { defineTexts } from './texts';
import type { Language } from './domain';

export const NOTIFY_FAILURE_CODES = ['no_session', 'no_daemon', 'not_installed', 'denied', 'failed'] as const;
export type NotifyFailureCode = (typeof NOTIFY_FAILURE_CODES)[number];

export const NotifyFailureSchema = z
  .object({
    code: z.enum(NOTIFY_FAILURE_CODES),
    /** only for `failed`: what the notifier said (its first line, bounded) */
    detail: z.string().max(300).optional(),
  })
  .strict();
export type NotifyFailure = z.infer<typeof NotifyFailureSchema>;

const DETAIL_CHARS = 300;

/** The stored form (a checklist step's reading): `no_session`, or `failed: <detail>`. */
export function encodeNotifyFailure(f: NotifyFailure): string {
  return f.code === 'failed' && f.detail ? `failed: ${f.detail.slice(0, DETAIL_CHARS)}` : f.code;
}

/**
 * Reads a stored reason back. Total: anything that is not one of ours (a reading stored before the codes
 * existed, a damaged row) answers null, and the caller shows it as it is.
 */
export function decodeNotifyFailure(value: unknown): NotifyFailure | null {
  if (typeof value !== 'string') return null;
  const m = /^(no_session|no_daemon|not_installed|denied|failed)(?::\s?([\s\S]*))?$/.exec(value);
  if (!m) return null;
  const code = m[1] as NotifyFailureCode;
  if (code !== 'failed') return m[2] === undefined ? { code } : null;
  const detail = m[2]?.slice(0, DETAIL_CHARS);
  return detail ? { code, detail } : { code };
}

export const NOTIFY_FAILURE_TEXT = defineTexts('notify-failure', {
  en: {
    no_session: 'there is no desktop session (no D-Bus session bus) where Vigil runs',
    no_daemon: 'no notification service answers in the desktop session',
    not_installed: 'notify-send is not installed',
    denied: 'the system does not allow Vigil to show notifications',
    failed: 'the notifier failed: {{detail}}',
    failedBare: 'the notifier failed without saying why',
    notShown: 'Native notification not shown: {{reason}}. Alerts still appear in the Vigil window.',
  },
  'zh-CN': {
    no_session: 'Vigil 所在的机器没有桌面会话（没有 D-Bus 会话总线）',
    no_daemon: '桌面会话中没有通知服务响应',
    not_installed: '未安装 notify-send',
    denied: '系统不允许 Vigil 显示通知',
    failed: '通知程序出错：{{detail}}',
    failedBare: '通知程序出错，未说明原因',
    notShown: '未能弹出系统通知：{{reason}}。告警仍会显示在 Vigil 窗口中。',
  },
});

/** The reason in `lng` ("there is no desktop session…"). */
export function notifyFailureReason(f: NotifyFailure, lng: Language): string {
  const t = NOTIFY_FAILURE_TEXT.in(lng);
  if (f.code === 'failed') return f.detail ? t.failed({ detail: f.detail }) : t.failedBare();
  return t[f.code]();
}

/** The whole sentence for a toast: "Native notification not shown: <reason>. Alerts still appear…". */
export function notifyFailureMessage(f: NotifyFailure, lng: Language): string {
  return NOTIFY_FAILURE_TEXT.in(lng).notShown({ reason: notifyFailureReason(f, lng) });
}
