/**
 * Issue #18: why a notification was not shown is a code (@shared/notify-failure), worded in the reader's
 * language — never the host notifier's English inside zh-CN. Every code in both languages, the stored
 * form read back (a language switch re-words it), and the host's classification of node-notifier errors.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeNotifyFailure,
  encodeNotifyFailure,
  NOTIFY_FAILURE_CODES,
  NotifyFailureSchema,
  notifyFailureMessage,
  notifyFailureReason,
  type NotifyFailure,
} from '@shared/notify-failure';
import { classifyNotifyError } from '@main/host/notifier';
import { NotifyFailureError, notifyFailureOf } from '@core/notifier';

const HAN = /[\u3400-\u9fff]/;
const sample = (code: NotifyFailure['code']): NotifyFailure => (code === 'failed' ? { code, detail: 'exit 3' } : { code });

describe('notification failure codes', () => {
  it.each(NOTIFY_FAILURE_CODES)('%s reads in English in en and in Chinese in zh-CN', (code) => {
    const f = sample(code);
    const en = notifyFailureReason(f, 'en');
    const zh = notifyFailureReason(f, 'zh-CN');
    expect(en).not.toMatch(HAN);
    expect(en.length).toBeGreaterThan(5);
    expect(zh).toMatch(HAN);
    // in zh-CN only data and technical names stay Latin (D-Bus, notify-send, Vigil, the notifier's own words)
    expect(zh.replace(/D-Bus|notify-send|Vigil|exit 3/g, '')).not.toMatch(/[A-Za-z]{2}/);
    expect(notifyFailureMessage(f, 'en')).toContain(en);
    expect(notifyFailureMessage(f, 'zh-CN')).toContain(zh);
    expect(notifyFailureMessage(f, 'zh-CN')).toMatch(/^未能弹出系统通知/);
  });

  it('the stored form keeps the code and reads back to it, for every code', () => {
    for (const code of NOTIFY_FAILURE_CODES) {
      const f = sample(code);
      expect(decodeNotifyFailure(encodeNotifyFailure(f))).toEqual(f);
      expect(NotifyFailureSchema.safeParse(f).success).toBe(true);
    }
    expect(encodeNotifyFailure({ code: 'no_session' })).toBe('no_session');
    expect(decodeNotifyFailure('failed')).toEqual({ code: 'failed' });
    expect(notifyFailureReason({ code: 'failed' }, 'zh-CN')).toBe('通知程序出错，未说明原因');
  });

  it('reading a stored value is total: anything else answers null, never throws', () => {
    for (const v of [null, undefined, 3, {}, '', 'Native notification not shown: there is no D-Bus session', 'no_session: extra', 'NO_SESSION', 'failedx'])
      expect(decodeNotifyFailure(v)).toBeNull();
    expect(NotifyFailureSchema.safeParse({ code: 'nope' }).success).toBe(false);
    expect(NotifyFailureSchema.safeParse({ code: 'no_session', extra: 1 }).success).toBe(false);
  });

  it('the host classifies what node-notifier says into a code', () => {
    expect(classifyNotifyError(new Error('Command failed: notify-send\nCannot autolaunch D-Bus without X11 $DISPLAY'))).toEqual({ code: 'no_session' });
    expect(classifyNotifyError(new Error('GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not provided by any .service files'))).toEqual({ code: 'no_daemon' });
    expect(classifyNotifyError(new Error('notify-send must be installed on the system.'))).toEqual({ code: 'not_installed' });
    expect(classifyNotifyError(new Error('Notifications are not allowed for this application'))).toEqual({ code: 'denied' });
    expect(classifyNotifyError(new Error('exit 3\nmore'))).toEqual({ code: 'failed', detail: 'exit 3' });
    expect(classifyNotifyError(new NotifyFailureError({ code: 'denied' }))).toEqual({ code: 'denied' });
  });

  it('the core reads any error a backend throws as a code', () => {
    expect(notifyFailureOf(new NotifyFailureError({ code: 'no_daemon' }))).toEqual({ code: 'no_daemon' });
    expect(notifyFailureOf(new Error('boom\nstack'))).toEqual({ code: 'failed', detail: 'boom' });
    expect(notifyFailureOf('')).toEqual({ code: 'failed' });
  });
});
