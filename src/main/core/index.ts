/**
 * The core factory. Everything that is not Electron lives behind this: the store, settings, the cached
 * collections (and, as features land, the platform link, notifications, checklists, rosters). The Electron
 * shell and the browser host construct one core and wire its handlers and events to their transport.
 *
 * No Electron import anywhere under core/ (a unit test enforces it).
 */
import os from 'node:os';
import path from 'node:path';
import {
  isMethodName,
  parseArgs,
  type EventName,
  type EventPayload,
  type Handlers,
  type MethodName,
} from '@shared/api';
import { DEFAULT_SETTINGS, type Freshness, type LinkState, type StoreStatus } from '@shared/domain';
import type { DeepLink } from '@shared/deep-links';
import { checkExternalUrl, IM_SCHEMES } from '@shared/external-urls';
import { appMethods } from '@shared/contract/app';
import { collectionMethods } from '@shared/contract/collections';
import { ApiError, type Envelope, type SliceHandlers } from '@shared/rpc';
import { createAlertRepo } from './alerts/repo';
import { systemClock, type Clock } from '@node/clock';
import { createCollectionsRepo } from './collections';
import { createContext, type ActionSink, type CoreContext } from './context';
import { createLogger, type Logger } from '@node/log';
import { MemoryNotifier, type Notifier } from './notifier';
import { MemorySecretStore, type SecretStore } from './secrets';
import { createSettingsRepo } from './settings';
import { createLinkModule, type LinkModule, type LinkPlatform } from './link/module';
import { createAlertsModule } from './alerts/module';
import { createKnowledgeModule } from './knowledge/module';
import { createProcessModule } from './process/module';
import { createRosterModule } from './roster/module';
import { moveAside, StoreError, type DB } from '@node/sqlite';
import { openCoreDatabase } from './store/open';

export interface CoreDeps {
  dataDir: string;
  transport: 'electron' | 'browser';
  clock?: Clock;
  notifier?: Notifier;
  secrets?: SecretStore;
  log?: Logger;
  /** overrides the platform URL from settings (command line / environment, or the embedded demo gateway) */
  platform?: LinkPlatform;
  /** path to better_sqlite3.node for the running ABI (the Electron shell passes its own build) */
  nativeBinding?: string;
  /** opens a vetted URL in the OS; absent in the browser host (the page opens it itself) */
  openExternal?: (url: string) => Promise<void>;
  /** shows the OS folder chooser; absent in the browser host (a web page cannot learn a folder's path) */
  pickFolder?: () => Promise<string | null>;
  /** hands over the deep link the desktop app was opened with, once; absent in the browser host */
  takePendingLink?: () => DeepLink | null;
  osLocale?: string;
  version?: string;
}

type AppHandlers = SliceHandlers<typeof appMethods & typeof collectionMethods>;

export type CoreListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Methods that still answer when the database could not be opened. */
const WITHOUT_STORE = new Set<MethodName>([
  'appInfo',
  'storeRecover',
  'openExternal',
  'pickFolder',
  'pendingLink',
  'linkState',
  'settingsGet',
  'freshness',
]);

export interface Core {
  /** the app-level handlers (feature slices are reached through dispatch) */
  readonly handlers: AppHandlers;
  /** validates `rawArgs` against the contract, runs the handler and wraps the outcome; never throws */
  dispatch(name: string, rawArgs: unknown): Promise<Envelope>;
  on(listener: CoreListener): () => void;
  storeStatus(): StoreStatus;
  close(): Promise<void>;
  /** the open database, for tests and benchmarks */
  readonly db: DB | null;
}

/**
 * A notification backend may fail (no D-Bus session, no daemon, a denied permission). That must never take
 * the core down: failures are logged once per distinct reason and swallowed here, for every caller.
 */
function safeNotifier(inner: Notifier, log: Logger): Notifier {
  const reported = new Set<string>();
  const fail = (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    if (reported.has(msg)) return;
    reported.add(msg);
    log.log('warn', 'notify.failed', { err: msg });
  };
  return {
    notify(n) {
      try {
        const r = inner.notify(n);
        return r instanceof Promise ? r.catch(fail) : r;
      } catch (err) {
        fail(err);
      }
    },
  };
}

export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? createLogger();
  const notifier = safeNotifier(deps.notifier ?? new MemoryNotifier(), log);
  const secrets = deps.secrets ?? new MemorySecretStore();
  const file = path.join(deps.dataDir, 'vigil.db');
  const startedAt = clock.now();
  const listeners = new Set<CoreListener>();
  log.addSecret(deps.platform?.token ?? null);

  /** the roster's escalation engine re-evaluates when alerts or incidents change (deferred on the clock) */
  let onAlertsChanged: (() => void) | null = null;
  const emit: CoreContext['emit'] = (name, payload) => {
    if (name === 'dataChanged') {
      const c = (payload as EventPayload<'dataChanged'>).collection;
      if (c === 'alerts' || c === 'incidents') onAlertsChanged?.();
    }
    for (const l of listeners) {
      try {
        l(name, payload);
      } catch (err) {
        log.log('error', 'event.listener_failed', { event: name, err: String(err) });
      }
    }
  };

  let db: DB | null = null;
  let status: StoreStatus;
  let modules: ReturnType<typeof buildModules> | null = null;

  function buildModules(database: DB) {
    const settings = createSettingsRepo(database);
    const ctx = createContext({
      db: database,
      clock,
      log,
      notifier,
      secrets,
      dataDir: deps.dataDir,
      emit,
      settings: settings.read,
      // late-bound: the link is built after the feature modules that read it
      linkState: () => linkRef?.state() ?? null,
    });
    let linkRef: LinkModule | null = null;
    // Feature modules are built first, the link last: it collects their event appliers and hands them
    // an ActionSink through a late-bound reference (actions are only submitted after start()).
    const sink: { current: ActionSink | null } = { current: null };
    const actions: ActionSink = {
      submit: (type, payload, actor) => {
        if (!sink.current) throw new ApiError('not_ready', 'The platform link is not started yet.');
        return sink.current.submit(type, payload, actor);
      },
    };
    const alertsModule = createAlertsModule(ctx, actions);
    const knowledgeModule = createKnowledgeModule(ctx, actions, {
      // "refresh now": ask the platform again (a fresh hello resumes from the cursor)
      requestResync: () => {
        if (!linkRef) return { requested: false, reason: 'The platform link is not started yet.' };
        if (linkRef.state().status === 'disabled') return { requested: false, reason: 'No platform is configured.' };
        linkRef.reconfigure();
        return { requested: true, reason: null };
      },
    });
    const processModule = createProcessModule(ctx, actions);
    const rosterModule = createRosterModule(ctx, actions);
    onAlertsChanged = rosterModule.onAlertsChanged;
    const features = [alertsModule, knowledgeModule, processModule, rosterModule];
    const link = createLinkModule(ctx, {
      platform: deps.platform,
      appliers: features.flatMap((f) => f.appliers ?? []),
    });
    sink.current = link.actions;
    linkRef = link;
    return {
      ctx,
      settings,
      link,
      features,
      alerts: createAlertRepo(database),
      collections: createCollectionsRepo(database),
      freshness: database.prepare('SELECT collection, fetched_at FROM collection_meta'),
      sliceHandlers: {
        ...link.handlers,
        ...alertsModule.handlers,
        ...knowledgeModule.handlers,
        ...processModule.handlers,
        ...rosterModule.handlers,
      },
    };
  }

  function open(): void {
    try {
      db = openCoreDatabase(file, { nativeBinding: deps.nativeBinding });
      modules = buildModules(db);
      status = { ok: true, file };
      for (const f of modules.features) f.start?.();
      modules.link.start?.();
      log.log('info', 'store.opened', { file });
    } catch (err) {
      db = null;
      modules = null;
      const se = err instanceof StoreError ? err : new StoreError('unknown', file, String(err));
      status = { ok: false, file, code: se.code, message: se.message };
      log.log('error', 'store.open_failed', { file, code: se.code, err: se.message });
    }
  }
  open();

  async function stopModules() {
    if (!modules) return;
    await modules.link.stop?.();
    for (const f of modules.features) await f.stop?.();
  }

  function need() {
    if (!modules) {
      const s = status as Extract<StoreStatus, { ok: false }>;
      throw new ApiError('store_unavailable', s.message);
    }
    return modules;
  }

  const linkState = (): LinkState =>
    modules?.link.state() ?? {
      status: 'disabled',
      since: startedAt,
      platformUrl: deps.platform?.url ?? null,
      embedded: false,
      lastError: null,
      lastSyncAt: null,
      cursor: null,
      snapshot: null,
      pendingActions: 0,
      operator: null,
    };

  const handlers: AppHandlers = {
    appInfo: () => ({
      name: 'Vigil',
      version: deps.version ?? '0.0.0',
      dataDir: deps.dataDir,
      transport: deps.transport,
      store: status,
      osLocale: deps.osLocale ?? Intl.DateTimeFormat().resolvedOptions().locale ?? os.platform(),
      startedAt,
      canPickFolder: !!deps.pickFolder,
    }),
    settingsGet: () => (modules ? modules.settings.read() : DEFAULT_SETTINGS),
    settingsSet: (patch) => {
      const m = need();
      const { before, after } = m.settings.write(patch);
      m.ctx.audit(after.operator, 'settings.set', Object.keys(patch));
      emit('settingsChanged', after);
      if (before.platformUrl !== after.platformUrl) {
        m.link.reconfigure();
        emit('linkState', linkState());
      }
      return after;
    },
    linkState,
    freshness: (): Freshness => {
      const out: Freshness = { alerts: null, runbooks: null, dashboards: null, rosters: null };
      if (!modules) return out;
      for (const r of modules.freshness.all() as { collection: string; fetched_at: number }[])
        if (r.collection in out) out[r.collection as keyof Freshness] = r.fetched_at;
      return out;
    },
    storeRecover: () => {
      if (status.ok) return status;
      const movedTo = moveAside(file, clock.now());
      log.log('warn', 'store.moved_aside', { file, movedTo });
      open();
      emit('dataChanged', { collection: 'settings' });
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
    alertsList: () => need().alerts.list(),
    alertHistory: (fp) => need().alerts.history(fp),
    silencesList: () => need().alerts.silences(),
    runbooksList: () => need().collections.runbooksList(),
    runbookGet: (id) => need().collections.runbookGet(id),
    dashboardsList: () => need().collections.dashboardsList(),
    dashboardSeries: (id) => need().collections.dashboardSeries(id),
    rostersList: () => need().collections.rostersList(),
  };

  /** app + collection handlers above, plus each feature module's slice (only with an open store) */
  const table = (): Partial<Handlers> => {
    if (!modules) return handlers;
    const full: Handlers = { ...handlers, ...modules.sliceHandlers };
    return full;
  };

  return {
    handlers,
    get db() {
      return db;
    },
    storeStatus: () => status,
    async dispatch(name, rawArgs) {
      try {
        if (!isMethodName(name)) throw new ApiError('unknown_method', `No such method: ${String(name).slice(0, 80)}`);
        if (!modules && !WITHOUT_STORE.has(name)) need();
        const args = parseArgs(name, rawArgs);
        const fn = table()[name] as ((...a: unknown[]) => unknown) | undefined;
        if (!fn) need();
        const value = await fn!(...(args as unknown[]));
        return { ok: true, value };
      } catch (err) {
        if (err instanceof ApiError) return { ok: false, error: err.toJSON() };
        log.log('error', 'dispatch.failed', { method: String(name), err: String(err) });
        return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
      }
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await stopModules();
      listeners.clear();
      db?.close();
      db = null;
      modules = null;
    },
  };
}
