/**
 * Where the platform link connects, in order: the command line (platform.url), Settings (platformUrl +
 * the 'platformToken' secret), the embedded demo gateway (platform.embedded, started on first use and
 * closed by close()), else nowhere.
 */
import type { LinkTarget } from '@shared/contract/link';
import type { CoreContext } from '../context';
import type { Target } from './client';

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

export type ResolvedTarget = Target & { kind: LinkTarget };

export function createTargetResolver(ctx: Pick<CoreContext, 'settings' | 'secrets' | 'log'>, cli: LinkPlatform) {
  const { log } = ctx;
  let embedded: Promise<EmbeddedPlatform> | null = null;
  log.addSecret(cli.token ?? null);

  /** how a configured platform is signed in to: its CA file, and whether an SSO proxy signs in (no token) */
  const access = () => {
    const s = ctx.settings();
    return { caFile: s.platformCaFile, proxy: s.platformSignIn === 'proxy' };
  };

  /** where the link should connect now (may start the embedded gateway) */
  async function resolve(): Promise<ResolvedTarget | null> {
    if (cli.url)
      return { kind: 'cli', url: cli.url, token: cli.token ?? (await ctx.secrets.get(TOKEN_SECRET)), ...access() };
    const url = ctx.settings().platformUrl;
    if (url) {
      const token = await ctx.secrets.get(TOKEN_SECRET);
      log.addSecret(token);
      return { kind: 'settings', url, token, ...access() };
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

  return {
    resolve,
    /** which target the link connects to, without starting anything: the URL, 'embedded', or null for none */
    key(): string | null {
      return cli.url ?? ctx.settings().platformUrl ?? (cli.embedded ? 'embedded' : null);
    },
    /** stops the embedded gateway if one was started */
    async close(): Promise<void> {
      const e = embedded;
      embedded = null;
      if (e) await e.then((x) => x.close()).catch(() => undefined);
    },
  };
}
export type TargetResolver = ReturnType<typeof createTargetResolver>;
