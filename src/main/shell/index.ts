/**
 * The Electron main process: thin. Takes the single-instance lock, builds the core with Electron's
 * pieces (userData dir, safeStorage secrets, shell.openExternal, the Electron-ABI SQLite binding) and wires
 * it to the window over IPC.
 */
import { app, BrowserWindow, dialog, shell } from 'electron';
import { eventChannelOf } from '@shared/api';
import type { Settings } from '@shared/domain';
import { resolveLanguage } from '@shared/texts';
import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedGateway } from '@gateway/embedded';
import { createCore, type Core } from '@core';
import type { LinkPlatform } from '@core/link/module';
import { createLogger } from '@node/log';
import { wireIpc } from './ipc';
import { SafeStorageSecretStore } from './safe-storage-secrets';
import { ElectronNotifier } from './notifier';
import { createTray } from './tray';
import { createMainWindow } from './window';

const log = createLogger();
let win: BrowserWindow | null = null;
let core: Core | null = null;

/**
 * In development `npm start` builds better-sqlite3 for Electron's ABI into .native/ and passes it here, leaving
 * node_modules built for Node. A packaged app has its own copy rebuilt by electron-builder.
 */
function nativeBinding(): string | undefined {
  const fromEnv = process.env.VIGIL_NATIVE_BINDING;
  return fromEnv && fs.existsSync(fromEnv) ? fromEnv : undefined;
}

function start(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.whenReady().then(() => {
    const dataDir = process.env.VIGIL_DATA_DIR ?? app.getPath('userData');
    // A click on a notification brings the window up on that alert.
    const notifier = new ElectronNotifier(log, (fingerprint) => {
      if (!win) return;
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      if (fingerprint) win.webContents.send(eventChannelOf('focusAlert'), { fingerprint });
    });
    // With no platform URL in Settings, the link starts the demo gateway in-process (on first use).
    const platform: LinkPlatform = {
      embedded: () => startEmbeddedGateway({ dataDir, log }),
    };
    core = createCore({
      dataDir,
      transport: 'electron',
      log,
      notifier,
      platform,
      secrets: new SafeStorageSecretStore(dataDir),
      nativeBinding: nativeBinding(),
      openExternal: (url) => shell.openExternal(url),
      pickFolder: async () => {
        const options = { properties: ['openDirectory' as const] };
        const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      osLocale: app.getLocale(),
      version: app.getVersion(),
    });
    const devUrl = process.env.ELECTRON_RENDERER_URL;
    win = createMainWindow({
      dataDir,
      preload: path.join(__dirname, '../preload/index.js'),
      rendererIndex: path.join(__dirname, '../renderer/index.html'),
      devUrl,
    });
    win.on('closed', () => (win = null));
    wireIpc(core, () => win, devUrl);
    let trayLang: 'en' | 'zh-CN' = 'en';
    const followLanguage = (lang: Settings['language']) => (trayLang = resolveLanguage(lang, app.getLocale()));
    followLanguage('auto');
    void core.dispatch('settingsGet', []).then((r) => r.ok && followLanguage((r.value as Settings).language));
    core.on((name, payload) => name === 'settingsChanged' && followLanguage((payload as Settings).language));
    createTray({ core, getWindow: () => win, quit: () => app.quit(), language: () => trayLang });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    void core?.close();
  });
}

start();
