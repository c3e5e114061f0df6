/**
 * The link's slice of the contract (src/shared/contract/link.ts): configuration, sign-in and sign-out,
 * token, probe, outbox.
 */
import type { ActionType } from '@shared/actions';
import type { LinkConfig, LinkTarget, LinkTestResult, linkMethods } from '@shared/contract/link';
import { platformUrls, type LinkState, type SettingsPatch } from '@shared/domain';
import { ApiError, type SliceHandlers } from '@shared/rpc';
import { meName, type CoreContext, type Me } from '../context';
import type { SyncClient } from './client';
import type { Outbox } from './outbox';
import { probePlatform } from './probe';
import type { ConsoleSession } from './session';
import { TOKEN_SECRET, type LinkPlatform, type TargetResolver } from './target';

export interface LinkHandlerDeps {
  ctx: CoreContext;
  cli: LinkPlatform;
  targets: TargetResolver;
  outbox: Outbox;
  session: ConsoleSession;
  /** the person an action is taken as now, or the refusal (signed out, role) */
  actingAs(type: ActionType): Me;
  /** stores settings the way settingsSet does (and tells the renderer) */
  saveSettings(patch: SettingsPatch): void;
  client(): SyncClient;
  state(): LinkState;
  /** the kind of target the link resolved last */
  target(): LinkTarget;
  /** outbox rows changed: tell the renderer, publish the pending count */
  outboxChanged(ids: string[]): void;
}

/**
 * Probes each gateway of a platform URL setting in order: with 'any' the first that works is the answer
 * (else the last failure), with 'all' the first failure is (else the first success).
 */
async function probeEach(
  text: string,
  need: 'any' | 'all',
  probe: (url: string) => Promise<LinkTestResult>,
): Promise<LinkTestResult> {
  let first: LinkTestResult | null = null;
  let last: LinkTestResult | null = null;
  for (const url of platformUrls(text)) {
    last = await probe(url);
    first ??= last;
    if (need === 'any' ? last.ok : !last.ok) return last;
  }
  return (need === 'any' ? last : first) ?? { ok: false, url: null, code: 'no_url', message: 'No platform URL is set.' };
}

export function createLinkHandlers(d: LinkHandlerDeps): SliceHandlers<typeof linkMethods> {
  const { ctx, cli, outbox } = d;
  const { log } = ctx;

  async function config(): Promise<LinkConfig> {
    const hasToken = !!(cli.token || (await ctx.secrets.get(TOKEN_SECRET)));
    const target = d.target();
    return {
      platformUrl: d.client().view().url ?? cli.url ?? ctx.settings().platformUrl,
      gateways: target === 'embedded' ? [] : d.targets.gateways(),
      target,
      hasToken: target === 'embedded' ? true : hasToken,
      tokenStore: ctx.secrets.kind,
      lockedByCli: !!cli.url,
    };
  }

  /** sign-in: test first, keep only what worked */
  async function signIn(o: { url?: string; token?: string; caFile?: string | null }): Promise<LinkTestResult> {
    if (cli.url && o.url && o.url !== cli.url)
      throw new ApiError(
        'locked',
        `The command line fixed the platform to ${cli.url}; start without --platform to change it.`,
      );
    if (cli.token && o.token)
      throw new ApiError(
        'locked',
        'The command line gave the token; start without --token to sign in as someone else.',
      );
    const s = ctx.settings();
    const url = o.url ?? cli.url ?? s.platformUrl;
    if (!url) return { ok: false, url: null, code: 'no_url', message: 'Enter the platform’s address (wss://…).' };
    const caFile = o.caFile !== undefined ? o.caFile : s.platformCaFile;
    const token = o.token ?? cli.token ?? null;
    log.addSecret(token);
    // several replicas: one that answers is enough to sign in (the others share its people)
    const r = await probeEach(url, 'any', (u) => probePlatform(u, token, ctx.clock, { caFile, operator: s.operator }));
    if (!r.ok) {
      log.log('warn', 'link.sign_in_failed', { url, code: r.code, auth: r.auth, tls: r.tls });
      return r;
    }
    if (!cli.token) await ctx.secrets.set(TOKEN_SECRET, token);
    d.session.forget();
    d.saveSettings({
      ...(cli.url ? {} : { platformUrl: url }),
      platformCaFile: caFile,
      platformSignIn: token ? 'token' : 'proxy',
    });
    d.session.proven(r.identity);
    ctx.audit(ctx.auditName(), 'link.sign_in', {
      url,
      login: r.identity?.login ?? null,
      via: r.identity?.via ?? 'shared',
    });
    d.client().reconnect();
    return r;
  }

  return {
    linkConfig: config,
    linkSignIn: signIn,
    async linkSignOut() {
      if (d.target() === 'embedded' && !cli.url && !ctx.settings().platformUrl)
        throw new ApiError(
          'not_available',
          'The built-in demo platform signs you in as the computer’s user; there is nothing to sign out of.',
        );
      if (cli.token)
        throw new ApiError(
          'locked',
          'The command line gave the token; stop Vigil and start it without --token to sign out.',
        );
      ctx.audit(ctx.auditName(), 'link.sign_out');
      await ctx.secrets.set(TOKEN_SECRET, null);
      d.session.refused('signed_out');
      d.client().reconnect();
      return d.state();
    },
    async linkSetToken(token) {
      await ctx.secrets.set(TOKEN_SECRET, token);
      log.addSecret(token);
      ctx.audit(ctx.auditName(), token ? 'link.token_set' : 'link.token_removed');
      // a new token may be someone else's: who it proves is known at the next welcome
      d.session.forget();
      d.client().reconnect();
      return config();
    },
    async linkTest({ url, token, caFile }) {
      // an empty URL field means "the embedded gateway" (or whatever the link resolves to now)
      const resolved = url
        ? { url, token: null, caFile: undefined, proxy: false }
        : await d.targets.resolve().catch(() => null);
      const useUrl = resolved?.url ?? null;
      if (!useUrl) return { ok: false, url: null, code: 'no_url', message: 'No platform URL is set.' };
      const proxy = resolved?.proxy ?? ctx.settings().platformSignIn === 'proxy';
      const useToken = token ?? resolved?.token ?? (await ctx.secrets.get(TOKEN_SECRET));
      if (!useToken && !proxy)
        return { ok: false, url: useUrl, code: 'no_token', message: 'No token: enter the platform token first.' };
      log.addSecret(useToken);
      const useCa = caFile !== undefined ? caFile : (resolved?.caFile ?? ctx.settings().platformCaFile);
      // several replicas: each is tried, and the first that fails is the answer
      return probeEach(useUrl, 'all', (u) =>
        probePlatform(u, useToken ?? null, ctx.clock, { caFile: useCa, operator: ctx.settings().operator }),
      );
    },
    linkReconnect() {
      d.client().reconnect();
      return d.state();
    },
    linkStats: () => d.client().stats(),
    outboxList: () => ({ open: outbox.open(), recent: outbox.recent(20) }),
    outboxRetry(id) {
      const old = outbox.get(id);
      const me = d.actingAs(old?.type ?? 'alert.ack');
      const fresh = outbox.retry(id, meName(me), { login: me.login, via: me.via });
      ctx.audit(meName(me), 'outbox.retry', { id, as: fresh.id });
      d.outboxChanged([id, fresh.id]);
      d.client().kick();
      return fresh;
    },
    outboxDiscard(id) {
      const e = outbox.discard(id);
      ctx.audit(ctx.auditName(), 'outbox.discard', { id });
      d.outboxChanged([id]);
      return e;
    },
  };
}
