/** The app slice of the contract: info, settings, link state, freshness, store recovery. */
import { z } from 'zod';
import { event, method } from '../rpc';
import { DeepLinkSchema, type DeepLink } from '../deep-links';
import {
  CollectionSchema,
  LanguageSchema,
  LinkStateSchema,
  SettingsPatchSchema,
  SettingsSchema,
  StartupStateSchema,
  StorageProblemSchema,
  type AppInfo,
  type Freshness,
  type Language,
  type LinkState,
  type Settings,
  type StartupState,
  type StorageProblem,
  type StoreStatus,
} from '../domain';

export const appMethods = {
  appInfo: method<AppInfo>()(z.tuple([])),
  /** what is still warming up after start (the `startup` event tells each change) and the store's status */
  startup: method<StartupState>()(z.tuple([])),
  settingsGet: method<Settings>()(z.tuple([])),
  settingsSet: method<Settings>()(z.tuple([SettingsPatchSchema])),
  /**
   * the page tells the core the language it shows for the 'auto' setting (from its own locale), so the
   * texts the core writes (toasts, notifications, errors) read in the page's language; answers the core's
   * language now (src/main/core/language.ts)
   */
  pageLanguage: method<{ language: Language }>()(z.tuple([LanguageSchema])),
  linkState: method<LinkState>()(z.tuple([])),
  freshness: method<Freshness>()(z.tuple([])),
  /** moves an unusable database file aside and starts with a fresh one */
  storeRecover: method<StoreStatus>()(z.tuple([])),
  /** a write problem while running (disk full, read-only data folder), or null */
  storageHealth: method<{ problem: StorageProblem | null }>()(z.tuple([])),
  /** "try again" after freeing space: the link stores the platform's data again now; answers the problem as it stands */
  storageRetry: method<{ problem: StorageProblem | null }>()(z.tuple([])),
  /**
   * opens an http(s)/mailto/tel link in the OS, after the vetted-link check; `im: true` also admits the IM
   * clients' deep-link schemes (slack:, dingtalk:, msteams:, wxwork:) for roster contact buttons
   */
  openExternal: method<{ opened: boolean }>()(
    z.tuple([z.string().max(4096), z.object({ im: z.boolean() }).strict().optional()]),
  ),
  /** the OS folder chooser (desktop app only, see appInfo.canPickFolder); path null when cancelled */
  pickFolder: method<{ path: string | null }>()(z.tuple([])),
  /**
   * the vigil:// deep link the desktop app was started with, handed over once (the renderer asks after it
   * subscribed to `openLink`); null when there is none, and always in the browser host
   */
  pendingLink: method<DeepLink | null>()(z.tuple([])),
  /**
   * a part of the console (a view, a pane) failed to render and shows "could not be shown" instead: logged
   * by the core, so the failure is on record and the rest of the console goes on
   */
  partFailed: method<{ logged: boolean }>()(
    z.tuple([z.object({ part: z.string().max(100), message: z.string().max(2000), stack: z.string().max(8000).optional() }).strict()]),
  ),
};

export const appEvents = {
  settingsChanged: event(SettingsSchema),
  /** a start-up task finished, or the store's status changed (a deferred integrity check failed) */
  startup: event(StartupStateSchema),
  linkState: event(LinkStateSchema),
  /** a collection changed; views that show it refetch */
  dataChanged: event(z.object({ collection: CollectionSchema, ids: z.array(z.string()).optional() })),
  /** the user clicked a native notification about this alert (or group) */
  focusAlert: event(z.object({ fingerprint: z.string() })),
  /** a vigil://alert/… or vigil://incident/… link was opened while the app runs: show that alert or incident */
  openLink: event(DeepLinkSchema),
  /** the console could not write its data (disk full, read-only folder), or can again (`problem: null`) */
  storageHealth: event(z.object({ problem: StorageProblemSchema.nullable() })),
  /** a short message for the in-app toast area */
  toast: event(
    z.object({
      id: z.string(),
      level: z.enum(['info', 'success', 'warning', 'error']),
      title: z.string(),
      body: z.string().optional(),
    }),
  ),
};
