/** What the core needs from a notification backend. The shell and the host each supply one. */
import type { Logger } from '@node/log';

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

export interface Notifier {
  notify(n: NativeNotification): void | Promise<void>;
}

/** Records notifications; used where no OS notifier exists and in tests. */
export class MemoryNotifier implements Notifier {
  readonly sent: NativeNotification[] = [];
  notify(n: NativeNotification): void {
    this.sent.push(n);
  }
}

/**
 * A notification backend may fail (no D-Bus session, no daemon, a denied permission). That must never take
 * the core down: failures are logged once per distinct reason and swallowed here, for every caller.
 * createModuleContext (context.ts) wraps every module's notifier with it, in the app and in tests alike.
 */
export function safeNotifier(inner: Notifier, log: Logger): Notifier {
  const reported = new Set<string>();
  const fail = (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    if (reported.has(msg)) return;
    reported.add(msg);
    log.log('warn', 'notify.failed', { err: msg });
  };
  return {
    notify(n) {
      try {
        const r = inner.notify(n);
        return r instanceof Promise ? r.catch(fail) : r;
      } catch (err) {
        fail(err);
      }
    },
  };
}
