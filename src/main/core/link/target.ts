/**
 * Where the platform link connects, in order: the command line (platform.url), Settings (platformUrl +
 * the 'platformToken' secret), the embedded demo gateway (platform.embedded, started on first use and
 * closed by close()), else nowhere.
 *
 * The command line and Settings may name several gateway replicas (comma-separated, issue #17): the link
 * uses one of them; when it fails, `failover()` moves to the next, and the link tries it at once instead
 * of waiting out its backoff, until every one of them has failed since the last good connection. The
 * replicas share one server identity, so the console resumes from its cursor on whichever it reaches.
 */
import type { LinkTarget } from '@shared/contract/link';
import { platformUrls } from '@shared/domain';
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

  /** the configured list, and which of it the link uses (moved on by failover) */
  let index = 0;
  /** gateways of the list that failed since the last good connection */
  let failedInRow = 0;
  const configured = (): string[] => platformUrls(cli.url ?? ctx.settings().platformUrl ?? '');
  const current = (): string | null => {
    const list = configured();
    return list.length ? list[index % list.length] : null;
  };

  /** where the link should connect now (may start the embedded gateway) */
  async function resolve(): Promise<ResolvedTarget | null> {
    if (cli.url)
      return { kind: 'cli', url: current()!, token: cli.token ?? (await ctx.secrets.get(TOKEN_SECRET)), ...access() };
    const url = ctx.settings().platformUrl ? current() : null;
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
    /** the gateways configured (one, several, or none for the embedded one) */
    gateways: configured,
    /**
     * The gateway in use failed: the next one of the list is used from now on. True when that one has not
     * failed since the last good connection (worth trying at once); false with a single gateway or once
     * all of them have failed (the link backs off).
     */
    failover(): boolean {
      const n = configured().length;
      if (n < 2) return false;
      index = (index + 1) % n;
      failedInRow++;
      return failedInRow < n;
    },
    /** the gateway in use said welcome */
    connected(): void {
      failedInRow = 0;
    },
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
