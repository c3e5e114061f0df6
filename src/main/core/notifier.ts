/** What the core needs from a notification backend. The shell and the host each supply one. */
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
