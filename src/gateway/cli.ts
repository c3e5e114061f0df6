/**
 * `npm run gateway -- --source demo|alertmanager --port N --token T [--data-dir D] [--alertmanager-url U …]
 *  [--prometheus-url U] [--dashboards FILE] [--runbooks DIR] [--roster FILE] [--poll-interval MS]
 *  [--ack-extension on|off] [--host H] [--demo-dir D] [--max-silence-days N]`, or `--config FILE` for clusters
 *  (docs/sources.md).
 *
 * The token may also come from VIGIL_GATEWAY_TOKEN (keeps it out of the process list). Prints one line
 * `Vigil gateway listening on ws://HOST:PORT` once it accepts connections.
 */
import fs from 'node:fs';
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
  [--poll-interval MS] [--ack-extension on|off] [--host 127.0.0.1] [--demo-dir DIR] [--max-silence-days N]
  or: npm run gateway -- --config FILE --port N --token T [--data-dir DIR] [--host 127.0.0.1]
      [--max-silence-days N]
  --alertmanager-url may be given once per member of one HA cluster; --config describes several clusters,
  their members, credentials and TLS (docs/sources.md).
  The token may be given as VIGIL_GATEWAY_TOKEN instead of --token.
  --max-silence-days: the longest silence or ack any client may set (default 30).
  With --source demo, --runbooks, --dashboards and --roster replace the demo's bundled runbooks, dashboards
  and roster (its simulated alerts stay; dashboard panels without a demo signal stay empty). Flags a source
  cannot use are refused: --alertmanager-url, --prometheus-url, --poll-interval and --ack-extension need
  --source alertmanager; --demo-dir needs --source demo.`;

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
  /** the longest silence or ack, in minutes */
  maxSilenceMinutes?: number;
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
      'max-silence-days': { type: 'string' },
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
  const maxDays = values['max-silence-days'] === undefined ? undefined : Number(values['max-silence-days']);
  if (maxDays !== undefined && !(Number.isFinite(maxDays) && maxDays >= 1 && maxDays <= 365))
    throw new Error(`--max-silence-days must be 1–365, got "${values['max-silence-days']}"`);
  const maxSilenceMinutes = maxDays === undefined ? undefined : Math.round(maxDays * 1440);
  if (values.config !== undefined) {
    const clash = ['alertmanager-url', 'prometheus-url', 'dashboards', 'runbooks', 'roster', 'poll-interval', 'ack-extension', 'demo-dir'].filter(
      (f) => values[f as keyof typeof values] !== undefined,
    );
    if (clash.length > 0) throw new Error(`--config describes the sources; drop ${clash.map((f) => `--${f}`).join(', ')} (or put it in the file)`);
    if (argv.includes('--source') && values.source !== 'alertmanager') throw new Error('--config is for the alertmanager source');
    const configFile = path.resolve(values.config);
    return { source: 'alertmanager', port, host: values.host!, token, dataDir, configFile, config: loadSourcesConfig(configFile), maxSilenceMinutes };
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
  // a flag is never silently ignored: one the chosen source cannot use stops the start, with the reason
  const notFor = (flags: string[], why: string) => {
    const given = flags.filter((f) => values[f as keyof typeof values] !== undefined);
    if (given.length) throw new Error(`${given.map((f) => `--${f}`).join(', ')} ${why}`);
  };
  if (source === 'demo') notFor(['alertmanager-url', 'prometheus-url', 'poll-interval', 'ack-extension'], 'need --source alertmanager (the demo source has no upstream)');
  else notFor(['demo-dir'], 'is for --source demo');
  const existing = (flag: string, v: string | undefined, kind: 'file' | 'folder' | 'either') => {
    if (v === undefined) return undefined;
    const st = fs.statSync(v, { throwIfNoEntry: false });
    if (!st || (kind === 'file' && !st.isFile()) || (kind === 'folder' && !st.isDirectory()))
      throw new Error(`--${flag} must name an existing ${kind === 'either' ? 'file or folder' : kind}, got "${v}"`);
    return path.resolve(v);
  };
  return {
    maxSilenceMinutes,
    source,
    port,
    host: values.host!,
    token,
    dataDir,
    alertmanagerUrls,
    ackExtension: ext === undefined ? undefined : ext === 'on',
    prometheusUrl: httpUrl('prometheus-url', values['prometheus-url']),
    dashboards: existing('dashboards', values.dashboards, 'either'),
    runbooks: existing('runbooks', values.runbooks, 'folder'),
    roster: existing('roster', values.roster, 'file'),
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
      : createDemoSource({
          resourcesDir: findDemoDir(cfg.demoDir),
          runbooksDir: cfg.runbooks,
          rosterFile: cfg.roster,
          dashboards: cfg.dashboards,
          warn,
        });
  const gw = await startGateway({
    source,
    token: cfg.token,
    dataDir: cfg.dataDir,
    host: cfg.host,
    port: cfg.port,
    log,
    metrics,
    limits: { maxSilenceMinutes: cfg.maxSilenceMinutes },
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
