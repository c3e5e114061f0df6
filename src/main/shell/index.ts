/**
 * The Electron main process: thin. Takes the single-instance lock, serves the renderer from app://vigil,
 * builds the core with Electron's pieces (userData dir, safeStorage secrets, shell.openExternal, the
 * Electron-ABI SQLite binding), wires it to the window over IPC, and keeps the app there when the pager goes
 * off: in the tray when the window is closed, started at login, updated only when the person chooses,
 * reachable through vigil:// links.
 */
import { app, BrowserWindow, dialog, net, protocol, shell } from 'electron';
import { eventChannelOf, type EventName, type EventPayload } from '@shared/api';
import { deepLinkArg } from '@shared/deep-links';
import type { Settings } from '@shared/domain';
import { resolveLanguage } from '@shared/texts';
import fs from 'node:fs';
import path from 'node:path';
import { createCore, type Core } from '@core';
import type { LinkPlatform } from '@core/link/module';
import { systemClock } from '@node/clock';
import { createLogger } from '@node/log';
import { handleAppProtocol, registerAppScheme } from './app-protocol';
import { applyAutostart, launchTarget, startedAtLogin, xdgConfigHome } from './autostart';
import { createLinkDelivery, registerProtocolClient } from './deep-links';
import { wireIpc } from './ipc';
import { keepRunningOnClose } from './keep-running';
import { ElectronNotifier } from './notifier';
import { revealAlert, revealWindow } from './reveal';
import { SafeStorageSecretStore } from './safe-storage-secrets';
import { shellText, type ShellLanguage } from './text';
import { createTray, type TrayHandle } from './tray';
import { wireUpdates } from './update-wiring';
import type { UpdaterLike } from './updater';
import { createMainWindow } from './window';

const log = createLogger();
let win: BrowserWindow | null = null;
let core: Core | null = null;
let tray: TrayHandle | null = null;
/** set when the app is really quitting; until then closing the window hides it to the tray */
let quitting = false;
let language: ShellLanguage = 'en';

function send<E extends EventName>(name: E, payload: EventPayload<E>): void {
  if (win && !win.isDestroyed()) win.webContents.send(eventChannelOf(name), payload);
}

const links = createLinkDelivery({
  send: (link) => send('openLink', link),
  focus: () => revealWindow(win),
  refused: (reason) => {
    log.log('warn', 'deeplink.refused', { reason });
    send('toast', { id: 'deeplink-refused', level: 'warning', title: shellText.in(language).badLink() });
  },
});

/**
 * In development `npm start` builds better-sqlite3 for Electron's ABI into .native/ and passes it here, leaving
 * node_modules built for Node. A packaged app has its own copy rebuilt by electron-builder.
 */
function nativeBinding(): string | undefined {
  const fromEnv = process.env.VIGIL_NATIVE_BINDING;
  return fromEnv && fs.existsSync(fromEnv) ? fromEnv : undefined;
}

/** electron-updater, loaded only when a feed is configured: without update.json none of it runs. */
function loadElectronUpdater(): UpdaterLike {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { autoUpdater } = require('electron-updater') as typeof import('electron-updater');
  return autoUpdater;
}

function followLanguage(lang: Settings['language']): void {
  language = resolveLanguage(lang, app.getLocale());
}

/** Start at login follows the setting; the outcome is logged (a dev checkout never registers itself). */
function syncAutostart(enabled: boolean): void {
  const r = applyAutostart(enabled, {
    platform: process.platform,
    target: launchTarget({ packaged: app.isPackaged, execPath: process.execPath, env: process.env }),
    loginItems: app,
    configHome: xdgConfigHome(),
  });
  if (r.applied) log.log('info', 'autostart.applied', { enabled: r.enabled, where: r.where });
  else log.log('info', 'autostart.skipped', { reason: r.reason });
}

function buildCore(dataDir: string, notifier: ElectronNotifier): Core {
  // A token in the environment is used for this run only (kept in memory): the way in where no keychain exists.
  const token = process.env.VIGIL_PLATFORM_TOKEN || null;
  log.addSecret(token);
  // With no platform URL in Settings, the link starts the demo gateway in-process (on first use).
  const platform: LinkPlatform = {
    token,
    // loaded on first use: the gateway's code (and its metrics library) is not needed to start
    embedded: async () => (await import('@gateway/embedded')).startEmbeddedGateway({ dataDir, log }),
  };
  return createCore({
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
    takePendingLink: () => links.take(),
    osLocale: app.getLocale(),
    version: app.getVersion(),
  });
}

function ready(): void {
  const rendererRoot = path.join(__dirname, '../renderer');
  handleAppProtocol(protocol, {
    root: rendererRoot,
    log: (reason, url) => log.log('warn', 'app_protocol.refused', { reason, url }),
  });
  const dataDir = process.env.VIGIL_DATA_DIR ?? app.getPath('userData');
  const startLink = deepLinkArg(process.argv);
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  // The window first: its renderer process starts loading while the core opens the store, and it shows
  // at its first paint (the page's boot screen, then the cached alerts as soon as the core answers). No
  // call from the page can arrive before this function returns, so the IPC wired below is in time.
  win = createMainWindow({
    dataDir,
    preload: path.join(__dirname, '../preload/index.js'),
    devUrl,
    startHidden: !startLink && startedAtLogin(process.argv, process.platform, app),
  });
  // A click on a notification brings the window up on that alert.
  const notifier = new ElectronNotifier(log, (fingerprint) => revealAlert(win, fingerprint));
  const c = buildCore(dataDir, notifier);
  core = c;
  // a (re)loading page has not subscribed yet: deep links wait for it to ask
  win.webContents.on('did-start-loading', () => links.rendererReset());
  win.on('closed', () => (win = null));
  keepRunningOnClose(win, {
    dataDir,
    quitting: () => quitting,
    tell: () => {
      const t = shellText.in(language);
      void notifier.notify({
        tag: 'vigil-keep-running',
        title: t.keepRunningTitle(),
        body: t.keepRunningBody(),
        urgency: 'low',
        sticky: false,
      });
    },
  });
  wireIpc(c, () => win, devUrl);

  followLanguage('auto');
  let autostart: boolean | null = null;
  const onSettings = (s: Settings) => {
    followLanguage(s.language);
    if (s.startAtLogin !== autostart) syncAutostart((autostart = s.startAtLogin));
  };
  void c.dispatch('settingsGet', []).then((r) => r.ok && onSettings(r.value as Settings));
  c.on((name, payload) => name === 'settingsChanged' && onSettings(payload as Settings));

  const updates = wireUpdates({
    core: c,
    dataDir,
    resourcesDir: app.isPackaged ? process.resourcesPath : null,
    packaged: app.isPackaged,
    clock: systemClock,
    log,
    notifier,
    language: () => language,
    prepareQuit: () => (quitting = true),
    loadUpdater: loadElectronUpdater,
    fetch: (url) => net.fetch(url),
    changed: () => tray?.render(),
  });
  tray = createTray({
    core: c,
    getWindow: () => win,
    quit: () => app.quit(),
    language: () => language,
    updates: updates?.tray,
  });
  if (startLink) links.open(startLink);
}

function start(): void {
  // before ready: app:// must be a privileged (standard, secure) scheme from the first request
  registerAppScheme(protocol);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // started again (from the launcher, or by a vigil:// link on Windows and Linux): this instance comes up
  app.on('second-instance', (_e, argv) => {
    const link = deepLinkArg(argv);
    if (link) links.open(link);
    else revealWindow(win);
  });
  // macOS hands links over as an event, possibly before the app is ready (then they wait in `links`)
  app.on('open-url', (e, url) => {
    e.preventDefault();
    links.open(url);
  });
  app.on('activate', () => revealWindow(win));
  registerProtocolClient(app);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (ev) => ev.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.whenReady().then(ready);

  // The window hides instead of closing (keep-running.ts), so this fires only on the way out; without a
  // listener Electron would quit here by default.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', () => {
    quitting = true;
    void core?.close();
  });
}

start();
