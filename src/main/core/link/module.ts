/**
 * The platform link module: the sync client (protocol v1), the durable outbox and the link's slice of the
 * contract (handlers.ts). Where it connects: target.ts.
 *
 * The core builds it before the feature modules, which send actions through its `actions` (the outbox)
 * and read its `state()`. Who is signed in (session.ts) is the link's to say, from the platform's welcome:
 * `me()` is what the core context's `me`/`operator` read, and what every queued action is attributed to. The feature modules' event appliers reach it in the core's bind phase
 * (`bind(appliers)`, once, before `start()`): that is when the sync store and the client are made.
 */
import { v7 as uuidv7 } from 'uuid';
import type { ActionType } from '@shared/actions';
import { requiredRole, roleAllows } from '@shared/identity';
import { ApiError } from '@shared/rpc';
import type { RefreshOutcome } from '@shared/contract/knowledge';
import type { LinkTarget, linkMethods } from '@shared/contract/link';
import type { Collection, LinkState, SettingsPatch } from '@shared/domain';
import { meName, type ActionSink, type CoreContext, type EventApplier, type Me } from '../context';
import type { CoreModule } from '../module';
import { createSyncStore, type SyncStore } from './apply';
import { createSyncClient, type ClientOptions, type SyncClient } from './client';
import { createLinkHandlers } from './handlers';
import { createOutbox } from './outbox';
import { createConsoleSession, type ConsoleSession } from './session';
import { identityText } from './texts';
import { createTargetResolver, type LinkPlatform } from './target';

/** (the shell and the host name the platform they hand the core through this module) */
export type { LinkPlatform } from './target';

export interface LinkDeps {
  platform?: LinkPlatform;
  /** stores settings as settingsSet does (sign-in keeps the URL, CA file and sign-in mode it tested) */
  saveSettings?: (patch: SettingsPatch) => void;
  /** client timing (tests shorten them) */
  timing?: Pick<
    ClientOptions,
    'heartbeatMs' | 'deadAfterMs' | 'connectTimeoutMs' | 'backoffBaseMs' | 'backoffCapMs' | 'storeBackoffBaseMs' | 'storeBackoffCapMs'
  >;
  random?: () => number;
}

export interface LinkModule extends CoreModule<typeof linkMethods> {
  /** the outbox: how feature modules send actions (usable once bound) */
  actions: ActionSink;
  state(): LinkState;
  /** Settings changed the platform URL: connect to the new one */
  reconfigure(): void;
  /** "refresh now": a fresh hello resumes from the cursor (refused while no platform is configured) */
  requestResync(): RefreshOutcome;
  /** hands the link the feature modules' event appliers; called once, before start() */
  bind(appliers: readonly EventApplier[]): void;
  /** who is signed in at this console (null: nobody) */
  me(): Me | null;
}

/** the person an action is queued as now, or the refusal that says why none (in the core's language) */
function refusingNobody(ctx: CoreContext, session: ConsoleSession): (type: ActionType) => Me {
  return (type) => {
    const say = identityText.in(ctx.language());
    const me = session.me();
    if (!me)
      throw new ApiError('signed_out', session.state().state === 'signing_in' ? say.signingIn() : say.signedOut());
    if (me.via !== 'local' && !roleAllows(me.role, type))
      throw new ApiError(
        'forbidden',
        say.forbidden({ name: me.name, role: say.role[me.role](), needed: say.role[requiredRole(type)]() }),
      );
    return me;
  };
}

/** An action's outcome from the platform: the outbox changed, modules with optimistic state learn it. */
function resultReporter(ctx: CoreContext): ClientOptions['onResult'] {
  return (r) => {
    ctx.emit('dataChanged', { collection: 'outbox', ids: [r.id] });
    // modules that show optimistic state learn the confirmed outcome here (ctx.on('outboxResult'))
    ctx.emit('outboxResult', r);
    if (!r.ok) ctx.log.log('warn', 'link.action_failed', { id: r.id, type: r.type, code: r.error?.code, message: r.error?.message });
  };
}

export function createLinkModule(ctx: CoreContext, deps: LinkDeps = {}): LinkModule {
  const { db, clock, log } = ctx;
  const cli = deps.platform ?? {};
  const targets = createTargetResolver(ctx, cli);
  const outbox = createOutbox(db, () => clock.now());
  const clientId = loadClientId();
  let target: LinkTarget = 'none';
  let bound: { sync: SyncStore; client: SyncClient } | null = null;
  let unsubscribe: (() => void) | null = null;
  const session = createConsoleSession({
    db,
    settings: ctx.settings,
    log,
    key: targets.key,
    onChange: () => bound && publish(),
  });

  function loadClientId(): string {
    const row = db.prepare("SELECT value FROM link_meta WHERE key = 'clientId'").get() as { value: string } | undefined;
    if (row) return row.value;
    const id = uuidv7();
    db.prepare("INSERT INTO link_meta (key, value) VALUES ('clientId', ?)").run(id);
    return id;
  }

  function wired() {
    if (!bound) throw new Error('The platform link is used before the core bound it (bind(appliers)).');
    return bound;
  }
  const client = () => wired().client;

  let last = '';
  function publish() {
    const s = state();
    const key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    ctx.emit('linkState', s);
  }

  function bind(appliers: readonly EventApplier[]) {
    if (bound) throw new Error('The platform link is bound once.');
    const sync = createSyncStore(db, appliers, log, () => clock.now());
    const c = createSyncClient({
      clock,
      log,
      sync,
      outbox,
      clientId,
      operator: () => ctx.settings().operator,
      async resolveTarget() {
        const t = await targets.resolve();
        target = t?.kind ?? 'none';
        return t;
      },
      targets,
      onChange: publish,
      onStored(collections: Set<Collection>) {
        for (const collection of collections) ctx.emit('dataChanged', { collection });
      },
      onResult: resultReporter(ctx),
      // a full disk or a read-only data folder: the console says so (banner), the link backs off
      onStoreFailed: (err) => ctx.storage.failed(err),
      onStoreOk: () => ctx.storage.ok(),
      onIdentity: (identity) => session.proven(identity),
      onRefused: (reason) => session.refused(reason),
      random: deps.random,
      ...deps.timing,
    });
    bound = { sync, client: c };
  }

  function state(): LinkState {
    const { sync, client: c } = wired();
    const v = c.view();
    const cur = sync.read();
    return {
      status: v.status,
      since: v.since,
      platformUrl: v.url,
      embedded: target === 'embedded',
      lastError: v.lastError,
      lastSyncAt: v.lastSyncAt,
      cursor: cur?.cursor ?? null,
      snapshot: v.snapshot,
      pendingActions: outbox.waiting(),
      operator: v.operator,
      session: (() => {
        const me = session.me();
        return { ...session.state(), name: me ? meName(me) : null, heldActions: outbox.held(me) };
      })(),
    };
  }

  const outboxChanged = (ids: string[]) => {
    ctx.emit('dataChanged', { collection: 'outbox', ids });
    publish();
  };

  const actingAs = refusingNobody(ctx, session);

  const actions: ActionSink = {
    // the actor a module passes is what ctx.operator() said; the outbox records who the session says, to the letter
    submit<T extends ActionType>(type: T, payload: unknown) {
      const c = client();
      const me = actingAs(type);
      const actor = meName(me);
      const entry = outbox.submit(type, payload, actor, { login: me.login, via: me.via });
      ctx.audit(actor, `outbox.${type}`, { id: entry.id });
      outboxChanged([entry.id]);
      c.kick();
      return entry;
    },
  };

  return {
    actions,
    state,
    bind,
    reconfigure: () => client().reconnect(),
    me: () => session.me(),
    requestResync() {
      if (state().status === 'disabled') return { requested: false, reason: 'No platform is configured.' };
      client().reconnect();
      return { requested: true, reason: null };
    },
    start() {
      // the shared token's name is the typed one: a new name in Settings is a new name on the link state
      unsubscribe = ctx.on('settingsChanged', () => publish());
      client().start();
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = null;
      await bound?.client.stop();
      await targets.close();
    },
    handlers: createLinkHandlers({
      ctx,
      cli,
      targets,
      outbox,
      session,
      actingAs,
      saveSettings: (patch) => {
        if (!deps.saveSettings) throw new ApiError('not_available', 'Settings cannot be saved here.');
        deps.saveSettings(patch);
      },
      client,
      state,
      target: () => target,
      outboxChanged,
    }),
  };
}
