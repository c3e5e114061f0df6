/**
 * `npm run gateway -- --source demo|alertmanager --port N --token T [--data-dir D] [--alertmanager-url U …]
 *  [--prometheus-url U] [--dashboards FILE] [--runbooks DIR] [--roster FILE] [--poll-interval MS]
 *  [--ack-extension on|off] [--host H] [--demo-dir D]`, or `--config FILE` for clusters (docs/sources.md);
 *  `--store postgres://USER@HOST:PORT/DB [--store-password-file F] [--replica-name N]` for a replica on
 *  PostgreSQL (docs/deploy.md), else the SQLite file in the data dir.
 *
 * The token may also come from VIGIL_GATEWAY_TOKEN (keeps it out of the process list); the store URL from
 * VIGIL_GATEWAY_STORE, its password from PGPASSWORD, ~/.pgpass (PGPASSFILE) or --store-password-file, never
 * from a URL on the command line. Prints one line `Vigil gateway listening on ws://HOST:PORT` once it
 * accepts connections.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '@node/log';
import { DEFAULT_ACK_EXTENSION, loadSourcesConfig, type SourcesConfig } from './config';
import type { ReplicationOptions } from './leadership';
import { createGatewayMetrics } from './metrics';
import { openPgGatewayStore } from './postgres/store';
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
  The token may be given as VIGIL_GATEWAY_TOKEN instead of --token.
  Replicas on PostgreSQL: --store postgres://USER@HOST:PORT/DB (or VIGIL_GATEWAY_STORE), the password from
  PGPASSWORD, ~/.pgpass (PGPASSFILE) or --store-password-file FILE; --replica-name NAME (default host-pid).`;

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
  /** a PostgreSQL store shared by replicas (without it: gateway.db in dataDir) */
  store?: StoreConfig;
}

export interface StoreConfig {
  url: string;
  /** from --store-password-file (else PGPASSWORD or ~/.pgpass, read by the driver) */
  password?: string;
  replicaName: string;
}

/** --store and its companions: a postgres URL without a password in it (unless it came from the environment) */
function parseStore(flag: string | undefined, passwordFile: string | undefined, name: string | undefined, env: NodeJS.ProcessEnv): StoreConfig | undefined {
  const url = flag ?? env.VIGIL_GATEWAY_STORE;
  if (url === undefined) {
    if (passwordFile !== undefined || name !== undefined) throw new Error('--store-password-file and --replica-name go with --store postgres://…');
    return undefined;
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--store must be a postgres://USER@HOST:PORT/DB URL, got "${url.replace(/:[^:@/]*@/, ':***@')}"`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new Error(`--store must be a postgres://USER@HOST:PORT/DB URL (without --store the gateway uses SQLite in --data-dir), got "${u.protocol}//…"`);
  if (flag !== undefined && u.password)
    throw new Error('--store must not carry the password (the process list shows it): use PGPASSWORD, ~/.pgpass or --store-password-file');
  let password: string | undefined;
  if (passwordFile !== undefined) {
    try {
      password = fs.readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`--store-password-file ${passwordFile} cannot be read: ${(err as Error).message}`);
    }
    if (!password) throw new Error(`--store-password-file ${passwordFile} is empty`);
  }
  const replicaName = name ?? `${os.hostname()}-${process.pid}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}$/.test(replicaName))
    throw new Error(`--replica-name must be 1–63 letters, digits, "_.:-", got "${replicaName}"`);
  return { url, password, replicaName };
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
      store: { type: 'string' },
      'store-password-file': { type: 'string' },
      'replica-name': { type: 'string' },
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
  const store = parseStore(values.store, values['store-password-file'], values['replica-name'], env);
  const common = { port, host: values.host!, token, dataDir, ...(store ? { store } : {}) };
  if (values.config !== undefined) {
    const clash = ['alertmanager-url', 'prometheus-url', 'dashboards', 'runbooks', 'roster', 'poll-interval', 'ack-extension', 'demo-dir'].filter(
      (f) => values[f as keyof typeof values] !== undefined,
    );
    if (clash.length > 0) throw new Error(`--config describes the sources; drop ${clash.map((f) => `--${f}`).join(', ')} (or put it in the file)`);
    if (argv.includes('--source') && values.source !== 'alertmanager') throw new Error('--config is for the alertmanager source');
    const configFile = path.resolve(values.config);
    return { source: 'alertmanager', ...common, configFile, config: loadSourcesConfig(configFile) };
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
    ...common,
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

/**
 * The PostgreSQL store and this replica's leadership. A leader that loses its lock connection exits (75,
 * "try again"): another replica may already lead, and a supervisor starts this one again as a follower.
 */
function replicatedStore(st: StoreConfig, leads: string[], sourceName: string) {
  const connection = { connectionString: st.url, password: st.password, applicationName: `vigil-gateway ${st.replicaName}` };
  const store = openPgGatewayStore(connection);
  const replication: ReplicationOptions = {
    connection,
    replica: st.replicaName,
    key: `${sourceName}:${[...leads].sort().join(',')}`,
    lost: (reason) => {
      console.error(`Vigil gateway ${st.replicaName} lost the leadership of ${leads.join(', ')} (${reason}); exiting so it restarts as a follower`);
      process.exit(75);
    },
  };
  return { store, replication };
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
  const clusters = cfg.config?.clusters.map((c) => c.name) ?? [];
  const leads = clusters.length ? clusters : [source.name];
  const replicated = cfg.store ? replicatedStore(cfg.store, leads, source.name) : null;
  if (cfg.store?.password) log.addSecret(cfg.store.password);
  const gw = await startGateway({
    source,
    token: cfg.token,
    dataDir: cfg.dataDir,
    host: cfg.host,
    port: cfg.port,
    log,
    metrics,
    leads,
    ...(replicated ?? {}),
  });
  console.log(
    `Vigil gateway listening on ${gw.url} (source ${source.name}${clusters.length ? `, clusters ${clusters.join(', ')}` : ''}, server ${gw.serverId}, ${replicated ? `replica ${cfg.store!.replicaName} on ${replicated.store.where}` : `data in ${cfg.dataDir}`})`,
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
