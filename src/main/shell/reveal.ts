/** Bringing the window up: from the tray, a second start, a deep link, or a click on a notification. */
import type { BrowserWindow } from 'electron';
import { eventChannelOf } from '@shared/api';

export type RevealableWindow = Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'> & {
  webContents: Pick<BrowserWindow['webContents'], 'send'>;
};

export function revealWindow(win: RevealableWindow | null): boolean {
  if (!win || win.isDestroyed()) return false;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  return true;
}

/** A click on an alert's notification: the window comes up with that alert open (`focusAlert`). */
export function revealAlert(win: RevealableWindow | null, fingerprint: string | null): void {
  if (!revealWindow(win) || !fingerprint) return;
  win!.webContents.send(eventChannelOf('focusAlert'), { fingerprint });
}
