/** Tray icon with a menu to open the window. Counts and mute arrive with the alert console. */
import { Menu, Tray, nativeImage, type BrowserWindow } from 'electron';
import path from 'node:path';

export function createTray(iconDir: string, getWindow: () => BrowserWindow | null, quit: () => void): Tray {
  const tray = new Tray(nativeImage.createFromPath(path.join(iconDir, 'tray-ok.png')));
  tray.setToolTip('Vigil');
  const show = () => {
    const w = getWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  };
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Vigil', click: show },
      { type: 'separator' },
      { label: 'Quit', click: quit },
    ]),
  );
  tray.on('click', show);
  return tray;
}
