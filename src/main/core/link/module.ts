/**
 * The platform link module: the sync client (protocol v1), the durable outbox and the link's slice of the
 * contract (handlers.ts). Where it connects: target.ts.
 *
 * The core builds it before the feature modules, which send actions through its `actions` (the outbox)
 * and read its `state()`. The feature modules' event appliers reach it in the core's bind phase
 * (`bind(appliers)`, once, before `start()`): that is when the sync store and the client are made.
 */
import { v7 as uuidv7 } from 'uuid';
import type { ActionType } from '@shared/actions';
import type { RefreshOutcome } from '@shared/contract/knowledge';
import type { LinkTarget, linkMethods } from '@shared/contract/link';
import type { Collection, LinkState } from '@shared/domain';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';
import { createSyncStore, type SyncStore } from './apply';
import { createSyncClient, type ClientOptions, type SyncClient } from './client';
import { createLinkHandlers } from './handlers';
import { createOutbox } from './outbox';
import { createTargetResolver, type LinkPlatform } from './target';

/** (the shell and the host name the platform they hand the core through this module) */
export type { LinkPlatform } from './target';

export interface LinkDeps {
  platform?: LinkPlatform;
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
}

export function createLinkModule(ctx: CoreContext, deps: LinkDeps = {}): LinkModule {
  const { db, clock, log } = ctx;
  const cli = deps.platform ?? {};
  const targets = createTargetResolver(ctx, cli);
  const outbox = createOutbox(db, () => clock.now());
  const clientId = loadClientId();
  let target: LinkTarget = 'none';
  let bound: { sync: SyncStore; client: SyncClient } | null = null;

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
      onChange: publish,
      onStored(collections: Set<Collection>) {
        for (const collection of collections) ctx.emit('dataChanged', { collection });
      },
      onResult(r) {
        ctx.emit('dataChanged', { collection: 'outbox', ids: [r.id] });
        // modules that show optimistic state learn the confirmed outcome here (ctx.on('outboxResult'))
        ctx.emit('outboxResult', r);
        if (!r.ok) log.log('warn', 'link.action_failed', { id: r.id, type: r.type, code: r.error?.code, message: r.error?.message });
      },
      // a full disk or a read-only data folder: the console says so (banner), the link backs off
      onStoreFailed: (err) => ctx.storage.failed(err),
      onStoreOk: () => ctx.storage.ok(),
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
    };
  }

  const outboxChanged = (ids: string[]) => {
    ctx.emit('dataChanged', { collection: 'outbox', ids });
    publish();
  };

  const actions: ActionSink = {
    submit<T extends ActionType>(type: T, payload: unknown, actor: string) {
      const c = client();
      const entry = outbox.submit(type, payload, actor);
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
    requestResync() {
      if (state().status === 'disabled') return { requested: false, reason: 'No platform is configured.' };
      client().reconnect();
      return { requested: true, reason: null };
    },
    start: () => client().start(),
    async stop() {
      await bound?.client.stop();
      await targets.close();
    },
    handlers: createLinkHandlers({ ctx, cli, targets, outbox, client, state, target: () => target, outboxChanged }),
  };
}
