/**
 * `npm run gateway -- --source demo|alertmanager --port N [--data-dir D] [--auth token|trusted-header|token,trusted-header]
 *  [--token T] [--trusted-proxy CIDR]… [--group-role GROUP=ROLE]… [--default-role ROLE|none]
 *  [--tls-cert FILE --tls-key FILE] [--alertmanager-url U …] [--prometheus-url U] [--dashboards FILE]
 *  [--runbooks DIR] [--roster FILE] [--poll-interval MS] [--ack-extension on|off] [--severity-map critical=P0,warning=P2]
 *  [--host H] [--demo-dir D] [--max-silence-days N]`, or `--config FILE` for clusters (docs/sources.md), and
 *  `npm run gateway -- users …` (users-cli.ts).
 *
 * People sign in with personal tokens (`users add`) unless `--auth` says otherwise; `--token` (or
 * VIGIL_GATEWAY_TOKEN, which keeps it out of the process list) adds the team's shared token. Prints one
 * line `Vigil gateway listening on ws://HOST:PORT` (wss:// with TLS) once it accepts connections.
 *
 * `--store postgres://USER@HOST:PORT/DB [--store-password-file F] [--replica-name N]` makes it one replica of
 * several on PostgreSQL (docs/deploy.md); without it the store is the SQLite file in the data dir. The store
 * URL may come from VIGIL_GATEWAY_STORE, its password from PGPASSWORD, ~/.pgpass (PGPASSFILE) or
 * --store-password-file, never from a URL on the command line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RoleSchema, type Role } from '@shared/identity';
import { createLogger } from '@node/log';
import { parseSeverityMap, type SeverityMap } from '@shared/domain';
import { addressList, type TrustedHeaderOptions } from './auth';
import { DEFAULT_ACK_EXTENSION, loadSourcesConfig, type SourcesConfig } from './config';
import type { ReplicationOptions } from './leadership';
import { createGatewayMetrics } from './metrics';
import { openPgGatewayStore } from './postgres/store';
import { openPgUserStore } from './postgres/users';
import { parseStore, type StoreConfig } from './store-config';
import { createAlertmanagerSource } from './sources/alertmanager';
import { createDemoSource } from './sources/demo';
import { createTransport } from './sources/transport';
import type { PagingOptions } from './paging';
import { findDemoDir } from './resources';
import { readRosterFile } from './sources/content';
import { startGateway, type Gateway } from './server';
import type { Source } from './source';
import { runUsers, USERS_USAGE } from './users-cli';

const USAGE = `Usage: npm run gateway -- --source demo|alertmanager --port N [--data-dir DIR]
  [--auth token|trusted-header|token,trusted-header] [--token SHARED_TOKEN]
  [--trusted-proxy CIDR]... [--group-role GROUP=ROLE]... [--default-role viewer|responder|admin|none]
  [--tls-cert FILE --tls-key FILE]
  [--alertmanager-url URL ...] [--prometheus-url URL] [--dashboards FILE] [--runbooks DIR] [--roster FILE]
  [--poll-interval MS] [--ack-extension on|off] [--severity-map critical=P0,warning=P2] [--host 127.0.0.1]
  [--demo-dir DIR] [--max-silence-days N]
  or: npm run gateway -- --config FILE --port N [--data-dir DIR] [--host 127.0.0.1] [--max-silence-days N]
      [auth and TLS flags as above]
  --alertmanager-url may be given once per member of one HA cluster; --config describes several clusters,
  their members, credentials and TLS (docs/sources.md).
  People: npm run gateway -- users add LOGIN --name NAME --role responder (see "users --help").
  --token (or VIGIL_GATEWAY_TOKEN) adds the team's shared token: names unproven, role responder.
  --max-silence-days: the longest silence or ack any client may set (default 30).
  --severity-map (or VIGIL_SEVERITY_MAP): this Alertmanager's severity label values → P0–P3, before the built-in
  mapping (page/emergency → P0, critical/high → P1, warning/major/medium → P2, anything else → P3); with --config,
  severityMap in the file.
  With --source demo, --runbooks, --dashboards and --roster replace the demo's bundled runbooks, dashboards
  and roster (its simulated alerts stay; dashboard panels without a demo signal stay empty). Flags a source
  cannot use are refused: --alertmanager-url, --prometheus-url, --poll-interval, --ack-extension and
  --severity-map need --source alertmanager; --demo-dir needs --source demo.
  Replicas on PostgreSQL: --store postgres://USER@HOST:PORT/DB (or VIGIL_GATEWAY_STORE), the password from
  PGPASSWORD, ~/.pgpass (PGPASSFILE) or --store-password-file FILE; --replica-name NAME (default host-pid).`;

export interface CliConfig {
  source: 'demo' | 'alertmanager';
  port: number;
  host: string;
  /** the shared token, or null */
  token: string | null;
  /** personal tokens accepted */
  personalTokens: boolean;
  trustedHeader: TrustedHeaderOptions | null;
  tls: { certFile: string; keyFile: string } | null;
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
  /** a PostgreSQL store shared by replicas (without it: gateway.db in dataDir) */
  store?: StoreConfig;
  severityMap?: SeverityMap;
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
      auth: { type: 'string', default: 'token' },
      'trusted-proxy': { type: 'string', multiple: true },
      'group-role': { type: 'string', multiple: true },
      'default-role': { type: 'string', default: 'viewer' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
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
      store: { type: 'string' },
      'store-password-file': { type: 'string' },
      'replica-name': { type: 'string' },
      'severity-map': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const port = values.port === undefined ? NaN : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535 (0 = any free port), got "${values.port ?? ''}"`);
  const auth = authOptions(values, values.token ?? env.VIGIL_GATEWAY_TOKEN ?? null);
  const dataDir = path.resolve(values['data-dir'] ?? 'vigil-gateway-data');
  const maxSilenceMinutes = maxSilence(values['max-silence-days']);
  const store = parseStore(values.store, values['store-password-file'], values['replica-name'], env);
  const common = { port, host: values.host!, ...auth, dataDir, ...(store ? { store } : {}) };
  if (values.config !== undefined) {
    const clash = ['alertmanager-url', 'prometheus-url', 'dashboards', 'runbooks', 'roster', 'poll-interval', 'ack-extension', 'demo-dir', 'severity-map'].filter(
      (f) => values[f as keyof typeof values] !== undefined,
    );
    if (clash.length > 0) throw new Error(`--config describes the sources; drop ${clash.map((f) => `--${f}`).join(', ')} (or put it in the file)`);
    if (argv.includes('--source') && values.source !== 'alertmanager') throw new Error('--config is for the alertmanager source');
    const configFile = path.resolve(values.config);
    return { source: 'alertmanager', ...common, configFile, config: loadSourcesConfig(configFile), maxSilenceMinutes };
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
  if (source === 'demo')
    notFor(
      ['alertmanager-url', 'prometheus-url', 'poll-interval', 'ack-extension', 'severity-map'],
      'need --source alertmanager (the demo source has no upstream)',
    );
  else notFor(['demo-dir'], 'is for --source demo');
  const severityMap = severityMapOf(values['severity-map'] ?? env.VIGIL_SEVERITY_MAP);
  return {
    maxSilenceMinutes,
    source,
    ...common,
    alertmanagerUrls,
    ackExtension: ext === undefined ? undefined : ext === 'on',
    prometheusUrl: httpUrl('prometheus-url', values['prometheus-url']),
    dashboards: existing('dashboards', values.dashboards, 'either'),
    runbooks: existing('runbooks', values.runbooks, 'folder'),
    roster: existing('roster', values.roster, 'file'),
    pollIntervalMs: poll,
    demoDir: values['demo-dir'],
    severityMap,
  };
}

type AuthValues = Parameters<typeof proxyOptions>[0] & { auth?: string; 'tls-cert'?: string; 'tls-key'?: string };

/** --auth, --token, the proxy flags and TLS, checked */
function authOptions(values: AuthValues, token: string | null) {
  if (token !== null && token.length < 8)
    throw new Error('--token (or VIGIL_GATEWAY_TOKEN) must be at least 8 characters');
  const modes = values.auth!.split(',').map((m) => m.trim());
  const bad = modes.find((m) => m !== 'token' && m !== 'trusted-header');
  if (bad !== undefined || !modes.length)
    throw new Error(`--auth takes token, trusted-header or both ("token,trusted-header"), got "${values.auth}"`);
  const trustedHeader = modes.includes('trusted-header') ? proxyOptions(values) : null;
  if (!trustedHeader && (values['trusted-proxy'] || values['group-role']))
    throw new Error('--trusted-proxy and --group-role need --auth trusted-header');
  if (!!values['tls-cert'] !== !!values['tls-key']) throw new Error('--tls-cert and --tls-key go together');
  return {
    token,
    personalTokens: modes.includes('token'),
    trustedHeader,
    tls: values['tls-cert'] ? { certFile: values['tls-cert'], keyFile: values['tls-key']! } : null,
  };
}

/** --max-silence-days (1–365) in minutes */
function maxSilence(text: string | undefined): number | undefined {
  const maxDays = text === undefined ? undefined : Number(text);
  if (maxDays !== undefined && !(Number.isFinite(maxDays) && maxDays >= 1 && maxDays <= 365))
    throw new Error(`--max-silence-days must be 1–365, got "${text}"`);
  return maxDays === undefined ? undefined : Math.round(maxDays * 1440);
}

function severityMapOf(mapText: string | undefined): SeverityMap | undefined {
  try {
    return mapText ? parseSeverityMap(mapText) : undefined;
  } catch (err) {
    throw new Error(`--severity-map: ${(err as Error).message}`);
  }
}

/** a --dashboards/--runbooks/--roster path that exists, resolved */
function existing(flag: string, v: string | undefined, kind: 'file' | 'folder' | 'either'): string | undefined {
  if (v === undefined) return undefined;
  const st = fs.statSync(v, { throwIfNoEntry: false });
  if (!st || (kind === 'file' && !st.isFile()) || (kind === 'folder' && !st.isDirectory()))
    throw new Error(`--${flag} must name an existing ${kind === 'either' ? 'file or folder' : kind}, got "${v}"`);
  return path.resolve(v);
}

/**
 * The PostgreSQL store and this replica's leadership. A leader that loses its lock connection exits (75,
 * "try again"): another replica may already lead, and a supervisor starts this one again as a follower.
 */
function replicatedStore(st: StoreConfig, leads: string[], sourceName: string, wantUsers: boolean) {
  const connection = { connectionString: st.url, password: st.password, applicationName: `vigil-gateway ${st.replicaName}` };
  const store = openPgGatewayStore(connection);
  // the people are shared by every replica, as the log is
  const users = wantUsers ? openPgUserStore(connection) : undefined;
  const replication: ReplicationOptions = {
    connection,
    replica: st.replicaName,
    key: `${sourceName}:${[...leads].sort().join(',')}`,
    lost: (reason) => {
      console.error(`Vigil gateway ${st.replicaName} lost the leadership of ${leads.join(', ')} (${reason}); exiting so it restarts as a follower`);
      process.exit(75);
    },
  };
  return { store, users, replication };
}

/** --trusted-proxy, --group-role and --default-role, checked */
function proxyOptions(values: {
  'trusted-proxy'?: string[];
  'group-role'?: string[];
  'default-role'?: string;
}): TrustedHeaderOptions {
  const proxies = values['trusted-proxy'] ?? [];
  if (!proxies.length)
    throw new Error("--auth trusted-header needs --trusted-proxy (the SSO proxy's address, e.g. 127.0.0.1/32)");
  addressList(proxies); // throws on a malformed one
  const groupRoles: Record<string, Role> = {};
  for (const pair of values['group-role'] ?? []) {
    const i = pair.lastIndexOf('=');
    const role = RoleSchema.safeParse(pair.slice(i + 1).trim());
    if (i <= 0 || !role.success) throw new Error(`--group-role takes GROUP=viewer|responder|admin, got "${pair}"`);
    groupRoles[pair.slice(0, i).trim()] = role.data;
  }
  const d = values['default-role'] ?? 'viewer';
  const defaultRole = d === 'none' ? null : RoleSchema.safeParse(d).data;
  if (defaultRole === undefined) throw new Error(`--default-role takes viewer, responder, admin or none, got "${d}"`);
  return { proxies, groupRoles, defaultRole };
}

export async function main(argv = process.argv.slice(2)): Promise<Gateway | null> {
  if (argv[0] === 'users') {
    await runUsers(argv.slice(1), { out: (line) => console.log(line) });
    return null;
  }
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
          severityMap: cfg.severityMap,
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
  const clusters = cfg.config?.clusters.map((c) => c.name) ?? [];
  const leads = clusters.length ? clusters : [source.name];
  const replicated = cfg.store ? replicatedStore(cfg.store, leads, source.name, cfg.personalTokens || !!cfg.trustedHeader) : null;
  if (cfg.store?.password) log.addSecret(cfg.store.password);
  // with replicas, the one that leads the source runs the ladders and the outbox (paging-wiring.ts)
  const paging = pagingFrom(cfg, warn);
  const gw = await startGateway({
    source,
    paging,
    token: cfg.token,
    personalTokens: cfg.personalTokens,
    trustedHeader: cfg.trustedHeader,
    tls: cfg.tls ? { cert: fs.readFileSync(cfg.tls.certFile), key: fs.readFileSync(cfg.tls.keyFile) } : null,
    dataDir: cfg.dataDir,
    host: cfg.host,
    port: cfg.port,
    log,
    metrics,
    limits: { maxSilenceMinutes: cfg.maxSilenceMinutes },
    leads,
    ...(replicated ?? {}),
  });
  console.log(
    `Vigil gateway listening on ${gw.url} (source ${source.name}${clusters.length ? `, clusters ${clusters.join(', ')}` : ''}, server ${gw.serverId}, ${replicated ? `replica ${cfg.store!.replicaName} on ${replicated.store.where}` : `data in ${cfg.dataDir}`})`,
  );
  if (cfg.personalTokens && !cfg.trustedHeader && !cfg.token && !gw.users?.users().some((u) => u.revokedAt === null))
    console.log(
      `Nobody can sign in yet: add a person with  npm run gateway -- users add LOGIN --name NAME --role responder --data-dir ${cfg.dataDir}`,
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

/**
 * Paging runs from the roster file (with its channel URLs and secret references): --roster, the config's
 * roster, or the demo's. A roster whose channels cannot be used stops the start (the demo's is only warned about).
 */
function pagingFrom(cfg: CliConfig, warn: (m: string) => void): PagingOptions | null {
  const demoRoster = cfg.source === 'demo' ? path.join(findDemoDir(cfg.demoDir), 'roster.yaml') : undefined;
  const file = cfg.config ? cfg.config.roster : (cfg.roster ?? (demoRoster && fs.existsSync(demoRoster) ? demoRoster : undefined));
  if (!file) return null;
  try {
    const roster = readRosterFile(file);
    return { roster: () => roster };
  } catch (e) {
    if (cfg.source !== 'demo') throw e;
    warn(`paging is off: ${(e as Error).message}`);
    return null;
  }
}

if (require.main === module) {
  main().catch((err) => {
    const users = process.argv[2] === 'users';
    console.error(
      `Vigil gateway ${users ? 'users' : 'failed to start'}: ${err instanceof Error ? err.message : String(err)}`,
    );
    console.error(users ? USERS_USAGE : USAGE);
    process.exit(1);
  });
}
