/**
 * Wires the update service to the app: update.json → electron-updater, the signature check over Electron's
 * network stack, the "not now" rule kept current from the core's events, and the notifications that say an
 * update is ready or must wait. Returns null (and loads nothing) when no feed is configured.
 */
import path from 'node:path';
import type { Core } from '@core';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { Notifier } from '@core/notifier';
import type { EventPayload } from '@shared/api';
import { checkDownloadSignature, loadUpdateConfig, writeUpdaterConfig, type FetchLike } from './update-feed';
import { queryInstallVerdict, type InstallVerdict } from './update-policy';
import { createUpdateService, type UpdaterLike, type UpdateService } from './updater';
import { shellText, whyNotNow, type ShellLanguage } from './text';
import type { TrayUpdates } from './tray';

export interface UpdateWiringDeps {
  core: Core;
  dataDir: string;
  /** where a team's installer ships update.json (process.resourcesPath when packaged) */
  resourcesDir: string | null;
  packaged: boolean;
  clock: Clock;
  log: Logger;
  notifier: Notifier;
  language(): ShellLanguage;
  prepareQuit(): void;
  /** electron-updater's autoUpdater, loaded only when a feed is configured */
  loadUpdater(): UpdaterLike;
  fetch: FetchLike;
  /** the tray draws again */
  changed(): void;
}

export interface UpdateWiring {
  service: UpdateService;
  tray: TrayUpdates;
}

export function wireUpdates(deps: UpdateWiringDeps): UpdateWiring | null {
  const { log } = deps;
  const found = loadUpdateConfig([deps.dataDir, ...(deps.resourcesDir ? [deps.resourcesDir] : [])]);
  if (!found.config) {
    if (found.error)
      log.log('warn', 'update.config_invalid', {
        file: found.file,
        err: found.error,
        detail: 'updates are off until update.json is fixed',
      });
    return null;
  }
  const config = found.config;
  if (!deps.packaged) {
    log.log('info', 'update.skipped', {
      detail: 'update.json found, but only an installed (packaged) Vigil updates itself',
    });
    return null;
  }
  const configPath = writeUpdaterConfig(config, path.join(deps.dataDir, 'updater'));
  let verdict: InstallVerdict | null = null;
  let toldReady: string | null = null;
  const text = () => shellText.in(deps.language());

  const refreshVerdict = async () => {
    verdict = await queryInstallVerdict(deps.core);
    deps.changed();
  };
  const service = createUpdateService({
    clock: deps.clock,
    updater: deps.loadUpdater(),
    configPath,
    verify: (file) => checkDownloadSignature({ config, file, fetch: deps.fetch }),
    verdict: () => queryInstallVerdict(deps.core),
    prepareQuit: deps.prepareQuit,
    log: (level, action, fields) => log.log(level, action, fields),
    onChange: (s) => {
      deps.changed();
      if (s.phase !== 'ready') return;
      void refreshVerdict();
      if (toldReady === s.version) return;
      toldReady = s.version;
      void deps.notifier.notify({
        tag: 'vigil-update',
        title: text().updateReadyTitle({ version: s.version }),
        body: text().updateReadyBody(),
        urgency: 'low',
        sticky: false,
      });
    },
  });
  // the rule follows the alerts and incidents while an update waits
  deps.core.on((name, payload) => {
    if (service.state().phase !== 'ready') return;
    const collection = name === 'dataChanged' ? (payload as EventPayload<'dataChanged'>).collection : null;
    if (name === 'alertCounts' || collection === 'incidents') void refreshVerdict();
  });
  log.log('info', 'update.enabled', { feed: config.url, config: found.file });
  service.start();

  return {
    service,
    tray: {
      state: service.state,
      verdict: () => verdict,
      check: () => void service.check(),
      install: () =>
        void service.installNow().then((r) => {
          if (r.ok || r.reason === 'no_update') return;
          const s = service.state();
          const t = text();
          const body = t.updateWaits({ version: s.phase === 'ready' ? s.version : '', why: whyNotNow(t, r) });
          void deps.notifier.notify({
            tag: 'vigil-update',
            title: t.notNowTitle(),
            body,
            urgency: 'normal',
            sticky: false,
          });
          void refreshVerdict();
        }),
    },
  };
}
