/** What the core needs from a notification backend. The shell and the host each supply one. */
import { cutText } from '@shared/alert-view';
import { revealPlain } from '@shared/spoofing';
import type { Logger } from '@node/log';
import { encodeNotifyFailure, type NotifyFailure } from '@shared/notify-failure';

export interface NativeNotification {
  /** stable id; a later notification with the same tag replaces the earlier one where the OS allows */
  tag: string;
  title: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
  /** stays until dismissed (P0/P1) */
  sticky: boolean;
  /** the alert fingerprint to focus when clicked */
  fingerprint?: string;
}

/**
 * A notification backend (the OS one, or a recorder). `notify` throws or rejects when the notification
 * was not shown (no D-Bus session, no daemon, a denied permission): with a NotifyFailureError carrying
 * the reason's code where the backend knows it; any other error counts as `failed` with its message.
 */
export interface Notifier {
  notify(n: NativeNotification): void | Promise<unknown>;
}

/** A notification that was not shown, with why as a code (@shared/notify-failure), worded by the reader. */
export class NotifyFailureError extends Error {
  constructor(readonly failure: NotifyFailure) {
    super(`notification not shown: ${encodeNotifyFailure(failure)}`);
    this.name = 'NotifyFailureError';
  }
}

/** What happened to one notification: shown, or not shown and why (a code, worded where it is read). */
export type NotifyOutcome = { shown: true } | { shown: false; failure: NotifyFailure };

/** The code of any error a backend threw: its own where it says one, `failed` with the first line otherwise. */
export function notifyFailureOf(err: unknown): NotifyFailure {
  if (err instanceof NotifyFailureError) return err.failure;
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0].trim().slice(0, 300);
  return line ? { code: 'failed', detail: line } : { code: 'failed' };
}

/** The notifier every core module gets: never throws, never rejects, and says what happened. */
export interface CoreNotifier extends Notifier {
  notify(n: NativeNotification): Promise<NotifyOutcome>;
}

/** Records notifications; used where no OS notifier exists and in tests. */
export class MemoryNotifier implements Notifier {
  readonly sent: NativeNotification[] = [];
  notify(n: NativeNotification): void {
    this.sent.push(n);
  }
}

/** the longest title and body handed to the OS (a 1 MB summary would not even fit a command line) */
export const NOTIFY_TITLE_CHARS = 200;
export const NOTIFY_BODY_CHARS = 1000;

/**
 * What reaches the OS: hidden characters shown as ⟦U+200B⟧ (a zero-width space cannot make "Disk\u200bFull"
 * pass for "DiskFull" in a notification either), title and body cut to what a notification shows.
 */
function bounded(n: NativeNotification): NativeNotification {
  const cut = (s: string, max: number) => {
    const shown = revealPlain(s.length > max * 4 ? s.slice(0, max * 4) : s);
    return shown.length > max ? `${cutText(shown, max - 1)}…` : shown;
  };
  return { ...n, title: cut(n.title, NOTIFY_TITLE_CHARS), body: cut(n.body, NOTIFY_BODY_CHARS) };
}

/**
 * A notification backend may fail (no D-Bus session, no daemon, a denied permission). That must never take
 * the core down, and it must never be reported as shown: the failure is logged once per distinct reason
 * and answered as `{ shown: false, failure }`, for every caller. createModuleContext (context.ts) wraps every
 * module's notifier with it, in the app and in tests alike, so "Test notification" and the self-check see
 * what the app sees.
 */
export function safeNotifier(inner: Notifier, log: Logger): CoreNotifier {
  const reported = new Set<string>();
  const fail = (err: unknown): NotifyOutcome => {
    const failure = notifyFailureOf(err);
    const reason = encodeNotifyFailure(failure);
    if (!reported.has(reason)) {
      reported.add(reason);
      log.log('warn', 'notify.failed', { err: reason });
    }
    return { shown: false, failure };
  };
  return {
    async notify(n) {
      try {
        await inner.notify(bounded(n));
        return { shown: true };
      } catch (err) {
        return fail(err);
      }
    },
  };
}
