/**
 * Native notifications through node-notifier: the browser host's notifier and the Electron shell's
 * fallback. On Linux node-notifier runs notify-send, which calls org.freedesktop.Notifications.Notify on
 * the D-Bus session bus; urgency and expiry map onto notify-send's -u and -t.
 *
 * When no notification daemon answers (a headless jump host, no D-Bus session) the console still works:
 * one clear log line says so, later failures are not logged again until notifications work once more.
 */
import type { Logger } from '@node/log';
import { NotifyFailureError, type NativeNotification, type Notifier } from '@core/notifier';
import { NOTIFY_FAILURE_TEXT, notifyFailureReason, type NotifyFailure } from '@shared/notify-failure';

/** The part of node-notifier we use, so tests can hand in a recorder. */
export interface NotifierBackend {
  notify(options: Record<string, unknown>, cb: (err: Error | null, response: string) => void): unknown;
}

/** seconds a non-sticky notification stays up (notify-send takes seconds through node-notifier) */
const EXPIRE_S = { critical: 0, normal: 15, low: 8 } as const;

/** Notification servers render a subset of HTML in the body: escape it so alert text stays text. */
export function escapeBodyMarkup(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The notify-send options for one notification (exported for the unit test of the mapping). */
export function toNotifySendOptions(n: NativeNotification, appName = 'Vigil'): Record<string, unknown> {
  return {
    title: n.title,
    // notify-send refuses an empty body through node-notifier; a single space shows nothing
    message: escapeBodyMarkup(n.body) || ' ',
    urgency: n.urgency,
    // 0 = never expires: P0/P1 stay until dismissed
    'expire-time': n.sticky ? 0 : EXPIRE_S[n.urgency],
    'app-name': appName,
    category: 'vigil.alert',
  };
}

/** Why node-notifier failed, as a code (@shared/notify-failure); the core words it in the reader's language. */
export function classifyNotifyError(err: unknown): NotifyFailure {
  if (err instanceof NotifyFailureError) return err.failure;
  const msg = err instanceof Error ? err.message : String(err);
  if (/notify-send must be installed|ENOENT|not found/i.test(msg)) return { code: 'not_installed' };
  if (/org\.freedesktop\.Notifications|ServiceUnknown|NoReply|not provided by any/i.test(msg)) return { code: 'no_daemon' };
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|dbus|DISPLAY/i.test(msg)) return { code: 'no_session' };
  if (/not allowed|permission|denied|not authori[sz]ed/i.test(msg)) return { code: 'denied' };
  const line = msg.split('\n')[0].trim().slice(0, 300);
  return line ? { code: 'failed', detail: line } : { code: 'failed' };
}

let nodeNotifier: Promise<NotifierBackend> | null = null;
/** node-notifier, loaded with the first notification: starting the console does not wait for it (~150 ms) */
function loadNodeNotifier(): Promise<NotifierBackend> {
  nodeNotifier ??= import('node-notifier').then((m) => ((m as { default?: unknown }).default ?? m) as NotifierBackend);
  // a failed load is tried again with the next notification
  nodeNotifier.catch(() => (nodeNotifier = null));
  return nodeNotifier;
}

export class NodeNotifier implements Notifier {
  private failing = false;
  constructor(
    private readonly log: Logger,
    private readonly backendOverride: NotifierBackend | null = null,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}


  notify(n: NativeNotification): Promise<void> {
    const options =
      this.platform === 'linux' || this.platform.endsWith('bsd')
        ? toNotifySendOptions(n)
        : { title: n.title, message: n.body || ' ', sound: n.urgency === 'critical', wait: false, timeout: n.sticky ? false : EXPIRE_S[n.urgency] };
    const backend = this.backendOverride ? Promise.resolve(this.backendOverride) : loadNodeNotifier();
    return backend.then(
      (b) => this.send(b, options),
      (err) => Promise.reject(this.failed(err)),
    );
  }

  private send(backend: NotifierBackend, options: Parameters<NotifierBackend['notify']>[0]): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        backend.notify(options, (err) => {
          if (err) return reject(this.failed(err));
          if (this.failing) this.log.log('info', 'notify.available', { detail: 'native notifications work again' });
          this.failing = false;
          resolve();
        });
      } catch (err) {
        reject(this.failed(err));
      }
    });
  }

  private failed(err: unknown): NotifyFailureError {
    const failure = classifyNotifyError(err);
    // the log is kept in English (as the audit trail); what a person reads is worded by the core
    if (!this.failing)
      this.log.log('warn', 'notify.unavailable', { code: failure.code, detail: NOTIFY_FAILURE_TEXT.in('en').notShown({ reason: notifyFailureReason(failure, 'en') }) });
    this.failing = true;
    return new NotifyFailureError(failure);
  }
}
