/** The link's slice of the contract (src/shared/contract/link.ts): configuration, token, probe, outbox. */
import type { LinkConfig, LinkTarget, linkMethods } from '@shared/contract/link';
import type { LinkState } from '@shared/domain';
import type { SliceHandlers } from '@shared/rpc';
import type { CoreContext } from '../context';
import { operator } from '../settings';
import type { SyncClient } from './client';
import type { Outbox } from './outbox';
import { probePlatform } from './probe';
import { TOKEN_SECRET, type LinkPlatform, type TargetResolver } from './target';

export interface LinkHandlerDeps {
  ctx: CoreContext;
  cli: LinkPlatform;
  targets: TargetResolver;
  outbox: Outbox;
  client(): SyncClient;
  state(): LinkState;
  /** the kind of target the link resolved last */
  target(): LinkTarget;
  /** outbox rows changed: tell the renderer, publish the pending count */
  outboxChanged(ids: string[]): void;
}

export function createLinkHandlers(d: LinkHandlerDeps): SliceHandlers<typeof linkMethods> {
  const { ctx, cli, outbox } = d;
  const { log } = ctx;

  async function config(): Promise<LinkConfig> {
    const hasToken = !!(cli.token || (await ctx.secrets.get(TOKEN_SECRET)));
    const target = d.target();
    return {
      platformUrl: d.client().view().url ?? cli.url ?? ctx.settings().platformUrl,
      target,
      hasToken: target === 'embedded' ? true : hasToken,
      tokenStore: ctx.secrets.kind,
      lockedByCli: !!cli.url,
    };
  }

  return {
    linkConfig: config,
    async linkSetToken(token) {
      await ctx.secrets.set(TOKEN_SECRET, token);
      log.addSecret(token);
      ctx.audit(operator(ctx), token ? 'link.token_set' : 'link.token_removed');
      d.client().reconnect();
      return config();
    },
    async linkTest({ url, token }) {
      // an empty URL field means "the embedded gateway" (or whatever the link resolves to now)
      const resolved = url ? { url, token: null } : await d.targets.resolve().catch(() => null);
      const useUrl = resolved?.url ?? null;
      if (!useUrl) return { ok: false, url: null, code: 'no_url', message: 'No platform URL is set.' };
      const useToken = token ?? resolved?.token ?? (await ctx.secrets.get(TOKEN_SECRET));
      if (!useToken) return { ok: false, url: useUrl, code: 'no_token', message: 'No token: enter the platform token first.' };
      log.addSecret(useToken);
      return probePlatform(useUrl, useToken, ctx.clock);
    },
    linkReconnect() {
      d.client().reconnect();
      return d.state();
    },
    linkStats: () => d.client().stats(),
    outboxList: () => ({ open: outbox.open(), recent: outbox.recent(20) }),
    outboxRetry(id) {
      const fresh = outbox.retry(id);
      ctx.audit(operator(ctx), 'outbox.retry', { id, as: fresh.id });
      d.outboxChanged([id, fresh.id]);
      d.client().kick();
      return fresh;
    },
    outboxDiscard(id) {
      const e = outbox.discard(id);
      ctx.audit(operator(ctx), 'outbox.discard', { id });
      d.outboxChanged([id]);
      return e;
    },
  };
}
