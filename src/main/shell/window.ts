/**
 * The one BrowserWindow: secure preferences, strict CSP, navigation and window.open denied, state remembered.
 * The renderer comes from app://vigil (app-protocol.ts), or from the dev server in development.
 */
import { BrowserWindow, screen, session, shell } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { checkExternalUrl } from '@shared/external-urls';
import { APP_INDEX_URL } from './app-protocol';
import { CSP, secureWebPreferences } from './security';

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

function loadState(file: string): WindowState {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as WindowState;
    const visible = screen.getAllDisplays().some((d) => {
      const b = d.workArea;
      return s.x !== undefined && s.y !== undefined && s.x >= b.x - 50 && s.y >= b.y - 50 && s.x < b.x + b.width && s.y < b.y + b.height;
    });
    return visible ? s : { width: s.width, height: s.height, maximized: s.maximized };
  } catch {
    return { width: 1360, height: 860, maximized: false };
  }
}

export function createMainWindow(opts: {
  dataDir: string;
  preload: string;
  devUrl?: string;
  /** started at login: stay in the tray until the person opens the window */
  startHidden?: boolean;
}): BrowserWindow {
  const stateFile = path.join(opts.dataDir, 'window-state.json');
  const state = loadState(stateFile);
  const win = new BrowserWindow({
    ...state,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Vigil',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(opts.preload),
  });
  if (state.maximized) win.maximize();

  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => cb(permission === 'notifications'));

  // No navigation away from the app, no new windows; vetted links go to the OS browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    const check = checkExternalUrl(url);
    if (check.ok) void shell.openExternal(check.url);
    return { action: 'deny' };
  });

  const save = () => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    fs.writeFileSync(stateFile, JSON.stringify({ ...b, maximized: win.isMaximized() }));
  };
  win.on('close', save);
  if (!opts.startHidden) win.once('ready-to-show', () => win.show());

  void win.loadURL(opts.devUrl ?? APP_INDEX_URL);
  return win;
}
