/** Registers one ipcMain handler per contract method and forwards core events to the window. */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { channelOf, eventChannelOf, methodNames } from '@shared/api';
import type { Core } from '@core';

/** Only our own page (file:// in production, the dev server in development) may call the core. */
function trustedSender(e: IpcMainInvokeEvent, devUrl: string | undefined): boolean {
  const url = e.senderFrame?.url ?? '';
  if (url.startsWith('file://')) return true;
  return !!devUrl && url.startsWith(devUrl);
}

export function wireIpc(core: Core, getWindow: () => BrowserWindow | null, devUrl?: string): () => void {
  for (const name of methodNames) {
    ipcMain.handle(channelOf(name), (e, ...args: unknown[]) => {
      if (!trustedSender(e, devUrl)) return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
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
