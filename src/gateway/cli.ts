/**
 * `npm run gateway -- --source demo|alertmanager --port N --token T [--data-dir D] [--alertmanager-url U]
 *  [--prometheus-url U] [--dashboards FILE] [--runbooks DIR] [--roster FILE] [--poll-interval MS]
 *  [--host H] [--demo-dir D] [--severity-map critical=P0,warning=P2]`
 *
 * The token may also come from VIGIL_GATEWAY_TOKEN (keeps it out of the process list). Prints one line
 * `Vigil gateway listening on ws://HOST:PORT` once it accepts connections.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseSeverityMap, type SeverityMap } from '@shared/domain';
import { createAlertmanagerSource } from './sources/alertmanager';
import { createDemoSource } from './sources/demo';
import { findDemoDir } from './resources';
import { startGateway, type Gateway } from './server';
import type { Source } from './source';

const USAGE = `Usage: npm run gateway -- --source demo|alertmanager --port N --token T [--data-dir DIR]
  [--alertmanager-url URL] [--prometheus-url URL] [--dashboards FILE] [--runbooks DIR] [--roster FILE]
  [--poll-interval MS] [--host 127.0.0.1] [--demo-dir DIR] [--severity-map critical=P0,warning=P2]
  The token may be given as VIGIL_GATEWAY_TOKEN instead of --token, the mapping as VIGIL_SEVERITY_MAP.
  --severity-map: this Alertmanager's severity label values → P0–P3, before the built-in mapping
  (page/emergency → P0, critical/high → P1, warning/major/medium → P2, anything else → P3).`;

export interface CliConfig {
  source: 'demo' | 'alertmanager';
  port: number;
  host: string;
  token: string;
  dataDir: string;
  alertmanagerUrl?: string;
  prometheusUrl?: string;
  dashboards?: string;
  runbooks?: string;
  roster?: string;
  pollIntervalMs?: number;
  demoDir?: string;
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
      'data-dir': { type: 'string' },
      'alertmanager-url': { type: 'string' },
      'prometheus-url': { type: 'string' },
      dashboards: { type: 'string' },
      runbooks: { type: 'string' },
      roster: { type: 'string' },
      'poll-interval': { type: 'string' },
      'demo-dir': { type: 'string' },
      'severity-map': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const source = values.source;
  if (source !== 'demo' && source !== 'alertmanager')
    throw new Error(`--source must be "demo" or "alertmanager", got "${source}"`);
  const port = values.port === undefined ? NaN : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535 (0 = any free port), got "${values.port ?? ''}"`);
  const token = values.token ?? env.VIGIL_GATEWAY_TOKEN;
  if (!token || token.length < 8)
    throw new Error('--token (or VIGIL_GATEWAY_TOKEN) is required and must be at least 8 characters');
  const httpUrl = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^https?:\/\/[^\s]+$/.test(v)) throw new Error(`--${flag} must be an http(s) URL, got "${v}"`);
    return v.replace(/\/+$/, '');
  };
  const alertmanagerUrl = httpUrl('alertmanager-url', values['alertmanager-url']);
  if (source === 'alertmanager' && !alertmanagerUrl) throw new Error('--source alertmanager needs --alertmanager-url');
  const poll = values['poll-interval'] === undefined ? undefined : Number(values['poll-interval']);
  if (poll !== undefined && (!Number.isInteger(poll) || poll < 100 || poll > 600_000))
    throw new Error(`--poll-interval must be 100–600000 ms, got "${values['poll-interval']}"`);
  const mapText = values['severity-map'] ?? env.VIGIL_SEVERITY_MAP;
  let severityMap: SeverityMap | undefined;
  try {
    severityMap = mapText ? parseSeverityMap(mapText) : undefined;
  } catch (err) {
    throw new Error(`--severity-map: ${(err as Error).message}`);
  }
  return {
    source,
    port,
    severityMap,
    host: values.host!,
    token,
    dataDir: path.resolve(values['data-dir'] ?? 'vigil-gateway-data'),
    alertmanagerUrl,
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
  // Sources report poll latency and upstream errors into the gateway's /metrics; the gateway is built
  // after the source, so the hooks reach it through this late-bound reference.
  let gw: Gateway | null = null;
  const hooks = {
    pollLatency: (ms: number) => gw?.metrics.pollLatency.observe(ms),
    upstreamError: (kind: string) => gw?.metrics.upstreamErrors.inc({ kind }),
  };
  const source: Source =
    cfg.source === 'alertmanager'
      ? createAlertmanagerSource({
          alertmanagerUrl: cfg.alertmanagerUrl!,
          prometheusUrl: cfg.prometheusUrl,
          dashboardsFile: cfg.dashboards,
          runbooksDir: cfg.runbooks,
          rosterFile: cfg.roster,
          pollIntervalMs: cfg.pollIntervalMs,
          severityMap: cfg.severityMap,
          hooks,
        })
      : createDemoSource({ resourcesDir: findDemoDir(cfg.demoDir) });
  gw = await startGateway({ source, token: cfg.token, dataDir: cfg.dataDir, host: cfg.host, port: cfg.port });
  console.log(
    `Vigil gateway listening on ${gw.url} (source ${source.name}, server ${gw.serverId}, data in ${cfg.dataDir})`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await gw?.close();
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
