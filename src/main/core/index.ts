/**
 * The core factory. Everything that is not Electron lives behind this: the store, the event bus, the app
 * module and the feature modules (link, alerts, knowledge, process, roster). The Electron shell and the
 * browser host construct one core and wire `dispatch` and `on` to their transport.
 *
 * `initialize` brings the store up in named phases (phases.ts): open the store → build the modules →
 * bind them → start them; then the core answers, and the start-up work that would delay the first screen
 * (the store's integrity check, the modules' warm-up jobs) runs after it, in slices or off the thread
 * (warmup.ts). No Electron import anywhere under core/ (a unit test enforces it).
 */
import path from 'node:path';
import { isMethodName, parseArgs, type Handlers, type MethodName } from '@shared/api';
import type { AlertPage } from '@shared/contract/alerts';
import type { DeepLink } from '@shared/deep-links';
import type { StartupState, StoreStatus, WarmupTask } from '@shared/domain';
import { ApiError, type Envelope } from '@shared/rpc';
import { systemClock, type Clock } from '@node/clock';
import { createLogger, type Logger } from '@node/log';
import { moveAside, StoreError, type DB } from '@node/sqlite';
import { ANSWERS_WITHOUT_STORE, createAppModule, storeUnavailable } from './app/module';
import { isLastPageJson } from './alerts/pages';
import { createBus, type AnyListener, type CoreEvents } from './bus';
import type { LinkPlatform } from './link/module';
import { MemoryNotifier, type Notifier } from './notifier';
import { createPageLanguage } from './language';
import { bindModules, buildModules, openStore, startModules, stopModules, warmupJobs, type CoreEnv, type Modules } from './phases';
import { MemorySecretStore, type SecretStore } from './secrets';
import { createStorageWatch } from './storage';
import { integrityJob } from './store/integrity';
import { startWarmup, warmupGate, type Warmup } from './warmup';

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

/** the transport's view of the bus: every event, to forward to the renderer */
export type CoreListener = AnyListener<CoreEvents>;

export interface Core {
  /** validates `rawArgs` against the contract, runs the handler and wraps the outcome; never throws */
  dispatch(name: string, rawArgs: unknown): Promise<Envelope>;
  /**
   * dispatch, answered as the envelope's JSON text (for a transport that sends JSON): the same envelope,
   * produced without building objects where a module answers the method as text (CoreModule.json)
   */
  dispatchJson(name: string, rawArgs: unknown): Promise<string>;
  on(listener: CoreListener): () => void;
  storeStatus(): StoreStatus;
  /** resolves once the start-up work after opening the store has finished (tests and benchmarks) */
  warmedUp(): Promise<void>;
  close(): Promise<void>;
  /** the open database, for tests and benchmarks */
  readonly db: DB | null;
}

/** what every phase builds from: the bus, the storage watch (one per core) and the injected backends */
function coreEnv(deps: CoreDeps, clock: Clock, log: Logger): CoreEnv {
  const bus = createBus<CoreEvents>(log);
  return {
    storage: createStorageWatch({ bus, clock, log, dataDir: deps.dataDir }),
    clock,
    log,
    notifier: deps.notifier ?? new MemoryNotifier(),
    secrets: deps.secrets ?? new MemorySecretStore(),
    dataDir: deps.dataDir,
    bus,
    platform: deps.platform,
    pageLanguage: createPageLanguage(),
  };
}

/**
 * How long the deferred start-up work waits for the renderer's next page of alerts (the first, or the
 * next one of its load) before it starts anyway (a host whose page nobody opens, a shell whose renderer is
 * slow, a load that stopped half way).
 */
export const FIRST_SCREEN_WAIT_MS = 3000;
/** the warm-up starts by then even while pages are still being asked for (a very large cache, a slow page) */
export const FIRST_LOAD_MAX_MS = 30_000;

/** a method's answer as JSON text from its module's fast path (the alert pages), or null: dispatch answers */
function fastJson(modules: Modules | null, name: string, rawArgs: unknown): string | null {
  const fast = isMethodName(name) ? (modules?.json[name] as ((...a: unknown[]) => string | null) | undefined) : undefined;
  if (!fast) return null;
  try {
    return fast(...(parseArgs(name as MethodName, rawArgs) as unknown[]));
  } catch {
    return null; // refused arguments or a failure: dispatch answers it with the right error
  }
}

export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? createLogger();
  const file = path.join(deps.dataDir, 'vigil.db');
  const startedAt = clock.now();
  const env = coreEnv(deps, clock, log);
  const { bus, storage } = env;
  log.addSecret(deps.platform?.token ?? null);

  let db: DB | null = null;
  let modules: Modules | null = null;
  let warmup: Warmup | null = null;
  /**
   * The warm-up's gate (warmupGate): it opens when the console's first load of the alerts is complete (the
   * page without a next one was answered), FIRST_SCREEN_WAIT_MS after the last page asked for (or after
   * start when none is), at FIRST_LOAD_MAX_MS, or when someone waits for the warm-up. Until then the thread
   * and the second core are the first screen's (the page's bundle, the pages).
   */
  let releaseWarmup: () => void = () => {};
  let pageServed: (last: boolean) => void = () => {};
  let status: StoreStatus = { ok: false, file, code: 'unknown', message: 'The store is not open yet.' };
  const startup = (pending: WarmupTask[] = warmup?.pending() ?? []): StartupState => ({ warmingUp: pending, store: status });

  const app = createAppModule({
    store: {
      status: () => status,
      current: () => modules,
      recover() {
        // a damaged file is moved aside; a folder that was unwritable or full is simply tried again
        if (!status.ok && (status.code === 'corrupt' || status.code === 'migration_mismatch' || status.code === 'unknown')) {
          const movedTo = moveAside(file, clock.now());
          log.log('warn', 'store.moved_aside', { file, movedTo });
        }
        initialize();
        return status;
      },
    },
    bus,
    storage,
    log,
    dataDir: deps.dataDir,
    transport: deps.transport,
    version: deps.version,
    osLocale: deps.osLocale,
    pageLanguage: env.pageLanguage,
    startedAt,
    startup: () => startup(),
    platformUrl: deps.platform?.url,
    openExternal: deps.openExternal,
    pickFolder: deps.pickFolder,
    takePendingLink: deps.takePendingLink,
  });
  /** what dispatch answers from: the app's methods, and every slice's while the store is open */
  let table: Partial<Handlers> = app.handlers;

  /** the store is unusable (found by the deferred integrity check): the modules stop, the app module stays */
  async function storeFailed(of: DB, se: StoreError): Promise<void> {
    if (db !== of) return; // recovered or closed meanwhile
    log.log('error', 'store.open_failed', { file, code: se.code, err: se.message });
    status = { ok: false, file, code: se.code, message: se.message };
    const m = modules;
    warmup?.stop();
    warmup = null;
    modules = null;
    table = app.handlers;
    db = null;
    bus.emit('startup', startup([]));
    if (m) await stopModules(m);
    of.close();
  }

  /** brings the store up, phase by phase (phases.ts); on any failure the store is reported unavailable */
  function initialize(): void {
    let opened: DB | null = null;
    try {
      opened = openStore(file, deps.nativeBinding);
      db = opened;
      const built = buildModules(opened, env);
      bindModules(built);
      const full: Handlers = { ...app.handlers, ...built.handlers };
      modules = built;
      table = full;
      status = { ok: true, file };
      startModules(built);
      log.log('info', 'store.opened', { file });
      const integrity = integrityJob({ file, nativeBinding: deps.nativeBinding, log, db: opened, current: () => db === opened, failed: (se) => storeFailed(opened!, se) });
      const gate = warmupGate(clock, FIRST_SCREEN_WAIT_MS, FIRST_LOAD_MAX_MS);
      releaseWarmup = gate.release;
      pageServed = (last) => (last ? gate.release() : gate.loading());
      warmup = startWarmup([integrity, ...warmupJobs(built)], {
        log,
        clock,
        after: gate.after,
        changed: (pending) => {
          if (db && db === opened) bus.emit('startup', startup(pending));
        },
      });
    } catch (err) {
      opened?.close();
      db = null;
      modules = null;
      warmup = null;
      table = app.handlers;
      const se = err instanceof StoreError ? err : new StoreError('unknown', file, String(err));
      status = { ok: false, file, code: se.code, message: se.message };
      log.log('error', 'store.open_failed', { file, code: se.code, err: se.message });
    }
  }
  initialize();

  return {
    get db() {
      return db;
    },
    storeStatus: () => status,
    warmedUp: async () => {
      // a recovery starts a new warm-up: wait for the current one
      releaseWarmup();
      while (warmup) {
        const w = warmup;
        await w.done();
        if (warmup === w) break;
      }
    },
    async dispatch(name, rawArgs) {
      try {
        if (!isMethodName(name)) throw new ApiError('unknown_method', `No such method: ${String(name).slice(0, 80)}`);
        if (!modules && !ANSWERS_WITHOUT_STORE.has(name)) throw storeUnavailable(status);
        const args = parseArgs(name, rawArgs);
        const fn = table[name] as ((...a: unknown[]) => unknown) | undefined;
        if (!fn) throw storeUnavailable(status);
        const value = await fn(...(args as unknown[]));
        if (name === 'alertsPage') pageServed((value as AlertPage).next === null);
        return { ok: true, value };
      } catch (err) {
        if (err instanceof ApiError) return { ok: false, error: err.toJSON() };
        if (storage.failed(err))
          return {
            ok: false,
            error: { code: 'storage_failed', message: `Vigil cannot write its data in ${deps.dataDir}: ${err instanceof Error ? err.message : String(err)}` },
          };
        log.log('error', 'dispatch.failed', { method: String(name), err: String(err) });
        return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
      }
    },
    async dispatchJson(name, rawArgs) {
      const text = fastJson(modules, name, rawArgs);
      if (text === null) return JSON.stringify(await this.dispatch(name, rawArgs));
      if (name === 'alertsPage') pageServed(isLastPageJson(text));
      return `{"ok":true,"value":${text}}`;
    },
    on: (listener) => bus.onAny(listener),
    async close() {
      releaseWarmup();
      warmup?.stop();
      warmup = null;
      if (modules) await stopModules(modules);
      bus.clear();
      db?.close();
      db = null;
      modules = null;
      table = app.handlers;
    },
  };
}
