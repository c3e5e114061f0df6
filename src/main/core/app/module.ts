/**
 * The app module (slice: src/shared/contract/app.ts): app info, settings, the link state, freshness, store
 * recovery, opening vetted links and the folder chooser. Unlike the feature modules it lives as long as
 * the core, not as long as one open database: most of its methods answer while the store is unavailable
 * (ANSWERS_WITHOUT_STORE), which is how the console shows "the database is damaged — recover".
 */
import type { DeepLink } from '@shared/deep-links';
import os from 'node:os';
import type { MethodName } from '@shared/api';
import type { appMethods } from '@shared/contract/app';
import { DEFAULT_SETTINGS, type Freshness, type LinkState, type StartupState, type StoreStatus } from '@shared/domain';
import { checkExternalUrl, IM_SCHEMES } from '@shared/external-urls';
import { ApiError, type SliceHandlers } from '@shared/rpc';
import type { Logger } from '@node/log';
import type { DB } from '@node/sqlite';
import type { CoreBus } from '../bus';
import type { CoreContext } from '../context';
import { languageOf, type PageLanguage } from '../language';
import type { LinkModule } from '../link/module';
import type { SettingsRepo } from '../settings';
import type { StorageWatch } from '../storage';

/** Methods that still answer when the database could not be opened. */
export const ANSWERS_WITHOUT_STORE: ReadonlySet<MethodName> = new Set<MethodName>([
  'appInfo',
  'startup',
  'storeRecover',
  'openExternal',
  'pickFolder',
  'pendingLink',
  'linkState',
  'settingsGet',
  'freshness',
  'storageHealth',
  'storageRetry',
  'partFailed',
]);

/** The refusal for a method that needs the database while it is unavailable. */
export function storeUnavailable(status: StoreStatus): ApiError {
  return new ApiError('store_unavailable', status.ok ? 'The store is not open.' : status.message);
}

/** What the app module uses of an open database (built by the core's build phase). */
export interface OpenStore {
  ctx: CoreContext;
  settings: SettingsRepo;
  link: LinkModule;
  freshness(): Freshness;
}

/** The core's store, as the app module sees it. */
export interface StoreAccess {
  status(): StoreStatus;
  /** the open database's pieces; null while the store is unavailable */
  current(): OpenStore | null;
  /** moves an unusable database file aside and opens a fresh one; answers the new status */
  recover(): StoreStatus;
}

export interface AppModuleDeps {
  store: StoreAccess;
  bus: CoreBus;
  /** write problems while running (disk full, read-only folder) */
  storage: StorageWatch;
  /** where a part of the console that failed to render is recorded */
  log: Logger;
  dataDir: string;
  transport: 'electron' | 'browser';
  version?: string;
  osLocale?: string;
  /** what the page said its 'auto' language is; the core's texts follow it (language.ts) */
  pageLanguage: PageLanguage;
  startedAt: number;
  /** what is still warming up after start, and the store's status */
  startup(): StartupState;
  /** the command-line platform URL, shown while there is no link */
  platformUrl?: string | null;
  /** opens a vetted URL in the OS; absent in the browser host (the page opens it itself) */
  openExternal?: (url: string) => Promise<void>;
  /** shows the OS folder chooser; absent in the browser host */
  pickFolder?: () => Promise<string | null>;
  /** hands over the deep link the desktop app was opened with, once; absent in the browser host */
  takePendingLink?: () => DeepLink | null;
}

export interface AppModule {
  handlers: SliceHandlers<typeof appMethods>;
}

/** The cached collections' last write times (collection_meta), for the "as of N min ago" labels. */
export function createFreshnessReader(db: DB): () => Freshness {
  const stmt = db.prepare('SELECT collection, fetched_at FROM collection_meta');
  return () => {
    const out: Freshness = { alerts: null, runbooks: null, dashboards: null, rosters: null };
    for (const r of stmt.all() as { collection: string; fetched_at: number }[])
      if (r.collection in out) out[r.collection as keyof Freshness] = r.fetched_at;
    return out;
  };
}

export function createAppModule(deps: AppModuleDeps): AppModule {
  const { store, bus } = deps;
  const need = (): OpenStore => {
    const open = store.current();
    if (!open) throw storeUnavailable(store.status());
    return open;
  };

  const linkState = (): LinkState =>
    store.current()?.link.state() ?? {
      status: 'disabled',
      since: deps.startedAt,
      platformUrl: deps.platformUrl ?? null,
      embedded: false,
      lastError: null,
      lastSyncAt: null,
      cursor: null,
      snapshot: null,
      pendingActions: 0,
      operator: null,
      session: { state: 'local', identity: null, reason: null, name: null, heldActions: 0 },
    };

  const handlers: AppModule['handlers'] = {
    appInfo: () => ({
      name: 'Vigil',
      version: deps.version ?? '0.0.0',
      dataDir: deps.dataDir,
      transport: deps.transport,
      store: store.status(),
      osLocale: deps.osLocale ?? Intl.DateTimeFormat().resolvedOptions().locale ?? os.platform(),
      startedAt: deps.startedAt,
      canPickFolder: !!deps.pickFolder,
    }),
    startup: () => deps.startup(),
    pageLanguage: (lng) => {
      deps.pageLanguage.set(lng);
      return { language: languageOf(store.current()?.settings.read() ?? DEFAULT_SETTINGS, deps.pageLanguage) };
    },
    settingsGet: () => store.current()?.settings.read() ?? DEFAULT_SETTINGS,
    settingsSet: (patch) => {
      const m = need();
      const { before, after } = m.settings.write(patch);
      m.ctx.audit(m.ctx.auditName(), 'settings.set', Object.keys(patch));
      bus.emit('settingsChanged', after);
      const platform = (x: typeof after) => [x.platformUrl, x.platformCaFile, x.platformSignIn].join('\n');
      if (platform(before) !== platform(after)) {
        m.link.reconfigure();
        bus.emit('linkState', linkState());
      }
      return after;
    },
    linkState,
    freshness: () => store.current()?.freshness() ?? { alerts: null, runbooks: null, dashboards: null, rosters: null },
    storeRecover: () => {
      if (store.status().ok) return store.status();
      const status = store.recover();
      bus.emit('dataChanged', { collection: 'settings' });
      return status;
    },
    openExternal: async (url, opts) => {
      const check = checkExternalUrl(url, opts?.im ? IM_SCHEMES : []);
      if (!check.ok) throw new ApiError('unsafe_link', `Refused to open link: ${check.reason}`);
      if (!deps.openExternal) return { opened: false };
      await deps.openExternal(check.url);
      return { opened: true };
    },
    pickFolder: async () => {
      if (!deps.pickFolder) throw new ApiError('unavailable', 'There is no folder chooser here: type the folder path instead');
      return { path: await deps.pickFolder() };
    },
    pendingLink: () => deps.takePendingLink?.() ?? null,
    partFailed: (f) => {
      deps.log.log('error', 'renderer.part_failed', f);
      return { logged: true };
    },
    storageHealth: () => ({ problem: deps.storage.current() }),
    storageRetry: () => {
      // the link stores the platform's data again now (its next successful write clears the problem)
      store.current()?.link.requestResync();
      return { problem: deps.storage.current() };
    },
  };

  return { handlers };
}
