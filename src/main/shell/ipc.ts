/** Registers one ipcMain handler per contract method and forwards core events to the window. */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { channelOf, eventChannelOf, methodNames } from '@shared/api';
import type { Core } from '@core';
import { APP_ORIGIN } from './app-protocol';

/** The origin of a URL, or null. Custom schemes are compared by scheme://host, which is what Chromium uses for standard schemes. */
export function originOf(url: string): string | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(url);
  if (!m || m[2].includes('@')) return null;
  const scheme = m[1].toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  }
  return `${scheme}://${m[2].toLowerCase()}`;
}

/**
 * Only our own page may call the core: the top frame of our window, showing app://vigil (or, in development,
 * the dev server's origin). A subframe, another window or webContents, a page that navigated elsewhere, or
 * a destroyed frame is refused.
 */
export function trustedSender(e: IpcMainInvokeEvent, win: BrowserWindow | null, devUrl: string | undefined): boolean {
  const frame = e.senderFrame;
  if (!frame || !win || win.isDestroyed()) return false;
  if (e.sender.id !== win.webContents.id) return false;
  if (frame.parent !== null) return false;
  const origin = originOf(frame.url);
  if (!origin) return false;
  if (origin === APP_ORIGIN) return true;
  return !!devUrl && origin === originOf(devUrl);
}

export function wireIpc(core: Core, getWindow: () => BrowserWindow | null, devUrl?: string): () => void {
  for (const name of methodNames) {
    ipcMain.handle(channelOf(name), (e, ...args: unknown[]) => {
      if (!trustedSender(e, getWindow(), devUrl))
        return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
      return core.dispatch(name, args);
    });
  }
  const off = core.on((name, payload) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(eventChannelOf(name), payload);
  });
  return () => {
    off();
    for (const name of methodNames) ipcMain.removeHandler(channelOf(name));
  };
}
