/**
 * How the core comes up on one database, as named phases (createCore runs them in this order):
 *
 *   1. openStore     open (and migrate) the SQLite file
 *   2. buildModules  one context for every module, then the link, then the feature modules, which get the
 *                    link's ActionSink and state
 *   3. bindModules   the link gets the feature modules' event appliers (the only late step)
 *   4. startModules  timers and connections: the features first, the link last (nothing arrives from the
 *                    platform before every module listens)
 *   5. warmupJobs    what the modules do after that, while the core already answers (warmup.ts)
 *
 * and goes down with stopModules (the link first, so no platform event lands in a stopping module).
 */
import type { Handlers, MethodName } from '@shared/api';
import type { appMethods } from '@shared/contract/app';
import type { knowledgeMethods } from '@shared/contract/knowledge';
import type { MethodTable } from '@shared/rpc';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { DB } from '@node/sqlite';
import { createAlertsModule, type AlertsModule } from './alerts/module';
import { createFreshnessReader, type OpenStore } from './app/module';
import type { CoreBus } from './bus';
import { createModuleContext } from './context';
import type { PageLanguage } from './language';
import { createKnowledgeModule } from './knowledge/module';
import { createLinkModule, type LinkPlatform } from './link/module';
import type { CoreModule } from './module';
import type { Notifier } from './notifier';
import { createProcessModule, type ProcessModule } from './process/module';
import { createRosterModule, type RosterModule } from './roster/module';
import { createPeopleDirectory } from './roster/people';
import type { SecretStore } from './secrets';
import type { StorageWatch } from './storage';
import { createSettingsRepo } from './settings';
import { openCoreDatabase } from './store/open';
import type { WarmupJob } from './warmup';

/** What every database's modules are built from (fixed for the core's lifetime). */
export interface CoreEnv {
  clock: Clock;
  log: Logger;
  /** the notification backend as injected; createModuleContext wraps it */
  notifier: Notifier;
  secrets: SecretStore;
  dataDir: string;
  bus: CoreBus;
  /** write problems while running; the link and dispatch report to it */
  storage: StorageWatch;
  platform?: LinkPlatform;
  /** what the page said its 'auto' language is (language.ts), for every database's context */
  pageLanguage: PageLanguage;
}

export interface FeatureModules {
  alerts: AlertsModule;
  knowledge: CoreModule<typeof knowledgeMethods>;
  process: ProcessModule;
  roster: RosterModule;
}

/** what the phases call on every module */
type Lifecycle = Omit<CoreModule<MethodTable>, 'handlers'>;
const lifecycles = (m: Modules): Lifecycle[] => Object.values(m.features);

/** Every method's handler except the app module's (which answers with or without a store). */
export type StoreHandlers = Omit<Handlers, keyof typeof appMethods>;

export interface Modules extends OpenStore {
  features: FeatureModules;
  handlers: StoreHandlers;
  /** the methods some module also answers as JSON text (CoreModule.json) */
  json: Partial<Record<MethodName, (...args: never[]) => string | null>>;
}

/**
 * Phase 1: the database file, opened and migrated (throws StoreError). Its integrity check is deferred:
 * the core runs it off the thread once it answers (index.ts).
 */
export function openStore(file: string, nativeBinding?: string): DB {
  return openCoreDatabase(file, { nativeBinding, integrity: 'deferred' });
}

/** Phase 2: the context and every module on `db`; nothing runs yet. */
export function buildModules(db: DB, env: CoreEnv): Modules {
  const settings = createSettingsRepo(db);
  // who is signed in is the link's to say; the context asks it once the link exists
  let link: ReturnType<typeof createLinkModule> | null = null;
  const ctx = createModuleContext({
    db,
    clock: env.clock,
    log: env.log,
    notifier: env.notifier,
    secrets: env.secrets,
    dataDir: env.dataDir,
    bus: env.bus,
    storage: env.storage,
    settings: settings.read,
    pageLanguage: env.pageLanguage,
    me: () => link?.me() ?? null,
  });
  link = createLinkModule(ctx, {
    platform: env.platform,
    saveSettings(patch) {
      const { after } = settings.write(patch);
      env.bus.emit('settingsChanged', after);
    },
  });
  // incident roles go to people the platform or a roster knows; the roster module stores the platform's
  const people = createPeopleDirectory(db, () => env.clock.now());
  const features: FeatureModules = {
    alerts: createAlertsModule(ctx, link.actions),
    knowledge: createKnowledgeModule(ctx, link.actions, { requestResync: link.requestResync }),
    process: createProcessModule(ctx, link.actions, { linkState: link.state, knownPerson: people.isKnown }),
    roster: createRosterModule(ctx, link.actions, { people }),
  };
  const { alerts, knowledge, process, roster } = features;
  return {
    ctx,
    settings,
    link,
    features,
    freshness: createFreshnessReader(db),
    handlers: { ...link.handlers, ...alerts.handlers, ...knowledge.handlers, ...process.handlers, ...roster.handlers },
    json: { ...alerts.json },
  };
}

/** Phase 3: the link stores platform events through the feature modules' appliers. */
export function bindModules(m: Modules): void {
  m.link.bind(lifecycles(m).flatMap((f) => f.appliers ?? []));
}

/** Phase 4: timers and connections. */
export function startModules(m: Modules): void {
  for (const f of lifecycles(m)) f.start?.();
  m.link.start?.();
}

/** Phase 5: the modules' start-up work that runs while the core already answers. */
export function warmupJobs(m: Modules): WarmupJob[] {
  return lifecycles(m).flatMap((f) => f.warmup?.() ?? []);
}

export async function stopModules(m: Modules): Promise<void> {
  await m.link.stop?.();
  for (const f of lifecycles(m)) await f.stop?.();
}
