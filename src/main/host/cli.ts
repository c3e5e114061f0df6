/**
 * `vigil host` — the browser host. Runs the same core as the desktop app and serves the UI to a browser
 * on 127.0.0.1. Prints one line: `Vigil console: <url>` with the per-launch secret in the URL fragment.
 *
 *   --port N  --data-dir D  --lang en|zh-CN  --platform ws://…[,ws://…]  --token T (or VIGIL_PLATFORM_TOKEN)  --no-open
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
// eslint-disable-next-line no-restricted-imports -- the manifest sits at the root, outside every alias
import { version } from '../../../package.json';
import { LanguageSchema, platformUrlProblem } from '@shared/domain';
import { createCore } from '@core';
import { createLogger } from '@node/log';
import { defaultDataDir } from '@core/paths';
import type { LinkPlatform } from '@core/link/module';
import { FileSecretStore } from '@core/secrets';
import { NodeNotifier } from './notifier';
import { startHost } from './server';

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      lang: { type: 'string' },
      platform: { type: 'string' },
      token: { type: 'string' },
      'no-open': { type: 'boolean', default: false },
      'static-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run start:web -- [--port N] [--data-dir DIR] [--lang en|zh-CN] [--platform ws://HOST:PORT[,ws://HOST2:PORT…]] [--token TOKEN] [--no-open]');
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${values.port}"`);
  const lang = values.lang === undefined ? undefined : LanguageSchema.parse(values.lang);
  // one gateway, or several replicas of it (comma-separated): the console moves to the next when one fails
  const platformProblem = values.platform === undefined ? null : platformUrlProblem(values.platform);
  if (platformProblem) throw new Error(`--platform: ${platformProblem}`);
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  const log = createLogger();
  const secrets = new FileSecretStore(dataDir);
  // the environment keeps the token out of `ps`; --token is there for one-off use
  const token = values.token ?? process.env.VIGIL_PLATFORM_TOKEN;
  if (token) await secrets.set('platformToken', token);
  log.addSecret(token);

  // No --platform and no URL in Settings: the link starts the demo gateway in-process (on first use).
  const platform: LinkPlatform = {
    url: values.platform ?? null,
    token: token ?? null,
    // loaded on first use: the gateway's code (and its metrics library) is not needed to start
    embedded: async () => (await import('@gateway/embedded')).startEmbeddedGateway({ dataDir, log }),
  };
  const core = createCore({
    dataDir,
    transport: 'browser',
    secrets,
    log,
    notifier: new NodeNotifier(log),
    version,
    platform,
    osLocale: process.env.LANG?.split('.')[0]?.replace('_', '-') || Intl.DateTimeFormat().resolvedOptions().locale,
  });
  if (lang && core.storeStatus().ok) await core.dispatch('settingsSet', [{ language: lang }]);

  const secret = process.env.VIGIL_WEB_SECRET || randomBytes(24).toString('base64url');
  const host = await startHost({
    core,
    secret,
    port,
    log,
    staticDir: values['static-dir'] ?? path.join(__dirname, '../renderer'),
  });
  console.log(`Vigil console: ${host.url}`);
  if (!values['no-open']) openBrowser(host.url);

  const stop = async () => {
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => console.log('(could not open a browser; open the URL above yourself)'));
    child.unref();
  } catch {
    console.log('(could not open a browser; open the URL above yourself)');
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`Vigil host failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
