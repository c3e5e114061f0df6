/**
 * The desktop notifier: Electron's Notification where the OS supports it (it reports clicks, so a click
 * focuses the window on that alert), node-notifier otherwise or when Electron's attempt fails.
 */
import { Notification } from 'electron';
import type { Logger } from '@node/log';
import type { NativeNotification, Notifier } from '@core/notifier';
import { NodeNotifier } from '../host/notifier';

export class ElectronNotifier implements Notifier {
  /** shown notifications by tag: a newer one with the same tag replaces the older, and keeps its click handler alive */
  private readonly shown = new Map<string, Notification>();
  private readonly fallback: NodeNotifier;

  constructor(
    log: Logger,
    private readonly onClick: (fingerprint: string | null) => void,
  ) {
    this.fallback = new NodeNotifier(log);
  }

  notify(n: NativeNotification): Promise<void> {
    if (!Notification.isSupported()) return this.fallback.notify(n);
    return new Promise((resolve) => {
      const note = new Notification({
        title: n.title,
        body: n.body,
        urgency: n.urgency,
        timeoutType: n.sticky ? 'never' : 'default',
        silent: n.urgency === 'low',
      });
      note.on('click', () => this.onClick(n.fingerprint ?? null));
      note.on('close', () => {
        if (this.shown.get(n.tag) === note) this.shown.delete(n.tag);
      });
      note.on('failed', () => {
        this.shown.delete(n.tag);
        void this.fallback.notify(n).catch(() => undefined);
      });
      this.shown.get(n.tag)?.close();
      this.shown.set(n.tag, note);
      note.show();
      resolve();
    });
  }
}
