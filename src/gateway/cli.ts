/**
 * `npm run gateway -- --source demo|alertmanager --port N --token T [--data-dir D] [--alertmanager-url U …]
 *  [--prometheus-url U] [--dashboards FILE] [--runbooks DIR] [--roster FILE] [--poll-interval MS]
 *  [--ack-extension on|off] [--host H] [--demo-dir D]`, or `--config FILE` for clusters (docs/sources.md).
 *
 * The token may also come from VIGIL_GATEWAY_TOKEN (keeps it out of the process list). Prints one line
 * `Vigil gateway listening on ws://HOST:PORT` once it accepts connections.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@node/log';
import { DEFAULT_ACK_EXTENSION, loadSourcesConfig, type SourcesConfig } from './config';
import { createGatewayMetrics } from './metrics';
import { createAlertmanagerSource } from './sources/alertmanager';
import { createDemoSource } from './sources/demo';
import { createTransport } from './sources/transport';
import { findDemoDir } from './resources';
import { startGateway, type Gateway } from './server';
import type { Source } from './source';

const USAGE = `Usage: npm run gateway -- --source demo|alertmanager --port N --token T [--data-dir DIR]
  [--alertmanager-url URL ...] [--prometheus-url URL] [--dashboards FILE] [--runbooks DIR] [--roster FILE]
  [--poll-interval MS] [--ack-extension on|off] [--host 127.0.0.1] [--demo-dir DIR]
  or: npm run gateway -- --config FILE --port N --token T [--data-dir DIR] [--host 127.0.0.1]
  --alertmanager-url may be given once per member of one HA cluster; --config describes several clusters,
  their members, credentials and TLS (docs/sources.md).
  The token may be given as VIGIL_GATEWAY_TOKEN instead of --token.`;

export interface CliConfig {
  source: 'demo' | 'alertmanager';
  port: number;
  host: string;
  token: string;
  dataDir: string;
  /** the sources from --config */
  config?: SourcesConfig;
  configFile?: string;
  /** the shorthand's members (one HA cluster) */
  alertmanagerUrls?: string[];
  ackExtension?: boolean;
  prometheusUrl?: string;
  dashboards?: string;
  runbooks?: string;
  roster?: string;
  pollIntervalMs?: number;
  demoDir?: string;
}

/** Parses and checks the command line; throws an Error whose message says what to fix. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string', default: 'demo' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      'alertmanager-url': { type: 'string', multiple: true },
      config: { type: 'string' },
      'ack-extension': { type: 'string' },
      'prometheus-url': { type: 'string' },
      dashboards: { type: 'string' },
      runbooks: { type: 'string' },
      roster: { type: 'string' },
      'poll-interval': { type: 'string' },
      'demo-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const port = values.port === undefined ? NaN : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535 (0 = any free port), got "${values.port ?? ''}"`);
  const token = values.token ?? env.VIGIL_GATEWAY_TOKEN;
  if (!token || token.length < 8)
    throw new Error('--token (or VIGIL_GATEWAY_TOKEN) is required and must be at least 8 characters');
  const dataDir = path.resolve(values['data-dir'] ?? 'vigil-gateway-data');
  if (values.config !== undefined) {
    const clash = ['alertmanager-url', 'prometheus-url', 'dashboards', 'runbooks', 'roster', 'poll-interval', 'ack-extension', 'demo-dir'].filter(
      (f) => values[f as keyof typeof values] !== undefined,
    );
    if (clash.length > 0) throw new Error(`--config describes the sources; drop ${clash.map((f) => `--${f}`).join(', ')} (or put it in the file)`);
    if (argv.includes('--source') && values.source !== 'alertmanager') throw new Error('--config is for the alertmanager source');
    const configFile = path.resolve(values.config);
    return { source: 'alertmanager', port, host: values.host!, token, dataDir, configFile, config: loadSourcesConfig(configFile) };
  }
  const source = values.source;
  if (source !== 'demo' && source !== 'alertmanager')
    throw new Error(`--source must be "demo" or "alertmanager", got "${source}"`);
  const httpUrl = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^https?:\/\/[^\s]+$/.test(v)) throw new Error(`--${flag} must be an http(s) URL, got "${v}"`);
    return v.replace(/\/+$/, '');
  };
  const alertmanagerUrls = (values['alertmanager-url'] ?? []).map((u) => httpUrl('alertmanager-url', u)!);
  if (source === 'alertmanager' && alertmanagerUrls.length === 0) throw new Error('--source alertmanager needs --alertmanager-url');
  const ext = values['ack-extension'];
  if (ext !== undefined && ext !== 'on' && ext !== 'off') throw new Error(`--ack-extension must be "on" or "off", got "${ext}"`);
  const poll = values['poll-interval'] === undefined ? undefined : Number(values['poll-interval']);
  if (poll !== undefined && (!Number.isInteger(poll) || poll < 100 || poll > 600_000))
    throw new Error(`--poll-interval must be 100–600000 ms, got "${values['poll-interval']}"`);
  return {
    source,
    port,
    host: values.host!,
    token,
    dataDir,
    alertmanagerUrls,
    ackExtension: ext === undefined ? undefined : ext === 'on',
    prometheusUrl: httpUrl('prometheus-url', values['prometheus-url']),
    dashboards: values.dashboards,
    runbooks: values.runbooks,
    roster: values.roster,
    pollIntervalMs: poll,
    demoDir: values['demo-dir'],
  };
}

export async function main(argv = process.argv.slice(2)): Promise<Gateway | null> {
  const cfg = parseCli(argv);
  if (cfg === 'help') {
    console.log(USAGE);
    return null;
  }
  const log = createLogger({ plugin: 'vigil-gateway' });
  log.addSecret(cfg.token);
  // credentials the upstreams are reached with never reach a log line either
  for (const c of cfg.config?.clusters ?? [])
    for (const secret of [...createTransport(c.access).secrets(), ...createTransport(c.prometheus?.access).secrets()]) log.addSecret(secret);
  const warn = (message: string) => log.log('warn', 'gateway.source_content', { source: cfg.source, message });
  // the sources report poll latency and upstream errors into the gateway's /metrics
  const metrics = createGatewayMetrics(cfg.source);
  const hooks = {
    pollLatency: (ms: number) => metrics.pollLatency.observe(ms),
    upstreamError: (kind: string) => metrics.upstreamErrors.inc({ kind }),
  };
  const source: Source = cfg.config
    ? createAlertmanagerSource({
        clusters: cfg.config.clusters,
        runbooksDir: cfg.config.runbooks,
        rosterFile: cfg.config.roster,
        pollIntervalMs: cfg.config.pollIntervalMs,
        requestTimeoutMs: cfg.config.requestTimeoutMs,
        ackDurationMinutes: cfg.config.ackDurationMinutes,
        resolvedRetentionMs: cfg.config.resolvedRetentionMs,
        hooks,
        warn,
      })
    : cfg.source === 'alertmanager'
      ? createAlertmanagerSource({
          alertmanagerUrl: cfg.alertmanagerUrls!,
          prometheusUrl: cfg.prometheusUrl,
          dashboardsFile: cfg.dashboards,
          runbooksDir: cfg.runbooks,
          rosterFile: cfg.roster,
          pollIntervalMs: cfg.pollIntervalMs,
          ackExtension: { ...DEFAULT_ACK_EXTENSION, enabled: cfg.ackExtension ?? true },
          hooks,
          warn,
        })
      : createDemoSource({ resourcesDir: findDemoDir(cfg.demoDir), warn });
  const gw = await startGateway({
    source,
    token: cfg.token,
    dataDir: cfg.dataDir,
    host: cfg.host,
    port: cfg.port,
    log,
    metrics,
  });
  console.log(
    `Vigil gateway listening on ${gw.url} (source ${source.name}${cfg.config ? `, clusters ${cfg.config.clusters.map((c) => c.name).join(', ')}` : ''}, server ${gw.serverId}, data in ${cfg.dataDir})`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await gw.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return gw;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`Vigil gateway failed to start: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    process.exit(1);
  });
}
