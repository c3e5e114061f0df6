/**
 * The platform link module: the sync client (protocol v1), the durable outbox and the link's slice of the
 * contract. Where it connects, in order: the command line (deps.platform.url), Settings (platformUrl +
 * the 'platformToken' secret), the embedded demo gateway (deps.platform.embedded), else nowhere.
 */
import { v7 as uuidv7 } from 'uuid';
import type { ActionType } from '@shared/actions';
import type { LinkConfig, LinkTarget, linkMethods, OutboxResult } from '@shared/contract/link';
import type { Collection, LinkState } from '@shared/domain';
import type { ActionSink, CoreContext, EventApplier } from '../context';
import type { CoreModule } from '../module';
import { createSyncStore } from './apply';
import { createSyncClient, type ClientOptions, type Target } from './client';
import { createOutbox } from './outbox';
import { probePlatform } from './probe';

export const TOKEN_SECRET = 'platformToken';

/** A gateway started in-process on loopback (the demo platform). */
export interface EmbeddedPlatform {
  url: string;
  token: string;
  close(): Promise<void>;
}

export interface LinkPlatform {
  /** fixed by the command line; beats Settings */
  url?: string | null;
  token?: string | null;
  /** starts the embedded gateway; used only while no URL is configured anywhere */
  embedded?: () => Promise<EmbeddedPlatform>;
}

export interface LinkDeps {
  platform?: LinkPlatform;
  appliers: EventApplier[];
  /** client timing (tests shorten them) */
  timing?: Pick<ClientOptions, 'heartbeatMs' | 'deadAfterMs' | 'connectTimeoutMs' | 'backoffBaseMs' | 'backoffCapMs'>;
  random?: () => number;
}

export type ActionResultListener = (r: OutboxResult) => void;

export interface LinkModule extends CoreModule<typeof linkMethods> {
  actions: ActionSink;
  state(): LinkState;
  /** Settings changed the platform URL: connect to the new one */
  reconfigure(): void;
  /** core modules that show optimistic state learn the confirmed outcome here */
  onActionResult(listener: ActionResultListener): () => void;
}

export function createLinkModule(ctx: CoreContext, deps: LinkDeps): LinkModule {
  const { db, clock, log } = ctx;
  const cli = deps.platform ?? {};
  log.addSecret(cli.token ?? null);
  const outbox = createOutbox(db, () => clock.now());
  const sync = createSyncStore(db, deps.appliers, log, () => clock.now());
  const resultListeners = new Set<ActionResultListener>();
  const clientId = loadClientId();

  let embedded: Promise<EmbeddedPlatform> | null = null;
  let target: LinkTarget = 'none';

  function loadClientId(): string {
    const row = db.prepare("SELECT value FROM link_meta WHERE key = 'clientId'").get() as { value: string } | undefined;
    if (row) return row.value;
    const id = uuidv7();
    db.prepare("INSERT INTO link_meta (key, value) VALUES ('clientId', ?)").run(id);
    return id;
  }

  /** where the link should connect now (may start the embedded gateway) */
  async function resolve(): Promise<(Target & { kind: LinkTarget }) | null> {
    if (cli.url) return { kind: 'cli', url: cli.url, token: cli.token ?? (await ctx.secrets.get(TOKEN_SECRET)) };
    const url = ctx.settings().platformUrl;
    if (url) {
      const token = await ctx.secrets.get(TOKEN_SECRET);
      log.addSecret(token);
      return { kind: 'settings', url, token };
    }
    if (!cli.embedded) return null;
    embedded ??= cli.embedded().catch((err) => {
      embedded = null; // try again on the next attempt
      throw err;
    });
    const e = await embedded;
    log.addSecret(e.token);
    return { kind: 'embedded', url: e.url, token: e.token };
  }

  let last = '';
  function publish() {
    const s = state();
    const key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    ctx.emit('linkState', s);
  }

  const client = createSyncClient({
    clock,
    log,
    sync,
    outbox,
    clientId,
    operator: () => ctx.settings().operator,
    async resolveTarget() {
      const t = await resolve();
      target = t?.kind ?? 'none';
      return t;
    },
    onChange: publish,
    onStored(collections: Set<Collection>) {
      for (const collection of collections) ctx.emit('dataChanged', { collection });
    },
    onResult(r) {
      ctx.emit('dataChanged', { collection: 'outbox', ids: [r.id] });
      ctx.emit('outboxResult', r);
      if (!r.ok)
        log.log('warn', 'link.action_failed', {
          id: r.id,
          type: r.type,
          code: r.error?.code,
          message: r.error?.message,
        });
      for (const l of resultListeners) {
        try {
          l(r);
        } catch (err) {
          log.log('error', 'link.result_listener_failed', { err: String(err) });
        }
      }
    },
    random: deps.random,
    ...deps.timing,
  });

  function state(): LinkState {
    const v = client.view();
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
      const entry = outbox.submit(type, payload, actor);
      ctx.audit(actor, `outbox.${type}`, { id: entry.id });
      outboxChanged([entry.id]);
      client.kick();
      return entry;
    },
  };

  async function config(): Promise<LinkConfig> {
    const hasToken = !!(cli.token || (await ctx.secrets.get(TOKEN_SECRET)));
    return {
      platformUrl: client.view().url ?? cli.url ?? ctx.settings().platformUrl,
      target,
      hasToken: target === 'embedded' ? true : hasToken,
      tokenStore: ctx.secrets.kind,
      lockedByCli: !!cli.url,
    };
  }

  return {
    actions,
    state,
    reconfigure: () => client.reconnect(),
    onActionResult(listener) {
      resultListeners.add(listener);
      return () => resultListeners.delete(listener);
    },
    start: () => client.start(),
    async stop() {
      await client.stop();
      const e = embedded;
      embedded = null;
      if (e) await e.then((x) => x.close()).catch(() => undefined);
    },
    handlers: {
      linkConfig: config,
      async linkSetToken(token) {
        await ctx.secrets.set(TOKEN_SECRET, token);
        log.addSecret(token);
        ctx.audit(ctx.settings().operator, token ? 'link.token_set' : 'link.token_removed');
        client.reconnect();
        return config();
      },
      async linkTest({ url, token }) {
        // an empty URL field means "the embedded gateway" (or whatever the link resolves to now)
        const resolved = url ? { url, token: null } : await resolve().catch(() => null);
        const useUrl = resolved?.url ?? null;
        if (!useUrl) return { ok: false, url: null, code: 'no_url', message: 'No platform URL is set.' };
        const useToken = token ?? resolved?.token ?? (await ctx.secrets.get(TOKEN_SECRET));
        if (!useToken)
          return { ok: false, url: useUrl, code: 'no_token', message: 'No token: enter the platform token first.' };
        log.addSecret(useToken);
        return probePlatform(useUrl, useToken, clock);
      },
      linkReconnect() {
        client.reconnect();
        return state();
      },
      linkStats: () => client.stats(),
      outboxList: () => ({ open: outbox.open(), recent: outbox.recent(20) }),
      outboxRetry(id) {
        const fresh = outbox.retry(id);
        ctx.audit(ctx.settings().operator, 'outbox.retry', { id, as: fresh.id });
        outboxChanged([id, fresh.id]);
        client.kick();
        return fresh;
      },
      outboxDiscard(id) {
        const e = outbox.discard(id);
        ctx.audit(ctx.settings().operator, 'outbox.discard', { id });
        outboxChanged([id]);
        return e;
      },
    },
  };
}
