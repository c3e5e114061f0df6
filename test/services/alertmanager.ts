/**
 * Starts the real `prometheus-alertmanager` binary (0.25 here) for tests, on 127.0.0.1 with a random port,
 * clustering off, storage in a temp dir, and a route that sends webhook v4 POSTs to `webhookUrl`.
 *
 *   const am = await startAlertmanager({ webhookUrl: 'http://127.0.0.1:1234/webhook' });
 *   await am.postAlerts([{ labels: { alertname: 'X', severity: 'critical' } }]);
 *   … am.silences() …
 *   await am.stop();        // always (afterAll / finally); a crashed runner is cleaned up at exit too
 *
 * `down()` / `up()` stop and restart the same instance (same port, same storage) to test upstream outages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePort, httpJson, makeTempDir, spawnChild, waitReady, type Child } from './common';

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';

export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AmSilence {
  id: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export interface AlertmanagerOptions {
  /** where the route sends webhooks; omitted = a receiver with no integrations (polling only) */
  webhookUrl?: string;
  /** Alertmanager duration strings */
  groupWait?: string;
  groupInterval?: string;
  /** labels to group by; the default ['...'] makes every alert its own group, so each one is sent at once */
  groupBy?: string[];
}

export interface AlertmanagerHarness {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  alerts(): Promise<AmAlert[]>;
  silences(): Promise<AmSilence[]>;
  /** stops the process but keeps port and storage, for outage tests */
  down(): Promise<void>;
  /** starts it again after down() */
  up(): Promise<void>;
  /** stops the process and removes its temp dir; safe to call twice */
  stop(): Promise<void>;
  output(): string;
}

function config(o: AlertmanagerOptions): string {
  const receiver = o.webhookUrl
    ? `  - name: vigil\n    webhook_configs:\n      - url: ${JSON.stringify(o.webhookUrl)}\n        send_resolved: true\n        max_alerts: 0\n`
    : `  - name: vigil\n`;
  return [
    'global:',
    '  resolve_timeout: 5m',
    'route:',
    '  receiver: vigil',
    `  group_by: ${JSON.stringify(o.groupBy ?? ['...'])}`,
    `  group_wait: ${o.groupWait ?? '500ms'}`,
    `  group_interval: ${o.groupInterval ?? '1s'}`,
    '  repeat_interval: 4h',
    'receivers:',
    receiver,
  ].join('\n');
}

export async function startAlertmanager(opts: AlertmanagerOptions = {}): Promise<AlertmanagerHarness> {
  const tmp = makeTempDir('vigil-am-');
  const configFile = path.join(tmp.dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, config(opts));
  let port = 0;
  let child: Child | null = null;

  const launch = async () => {
    const args = [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(tmp.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ];
    child = spawnChild(ALERTMANAGER_BIN, args, tmp.dir);
    await waitReady(`http://127.0.0.1:${port}/-/ready`, child, 'Alertmanager');
  };

  // another process may take the port between freePort() and the bind; try a few ports before giving up
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (e) {
      const c = child as Child | null;
      await c?.stop();
      if (attempt >= 3 || !/address already in use/.test(c?.output() ?? '')) {
        tmp.remove();
        throw e;
      }
    }
  }

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  return {
    url,
    port,
    postAlerts: async (alerts) => {
      await httpJson(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
    },
    alerts: () => httpJson<AmAlert[]>(`${url}/api/v2/alerts`),
    silences: () => httpJson<AmSilence[]>(`${url}/api/v2/silences`),
    down: async () => {
      await child?.stop();
    },
    up: async () => {
      if (child && !child.exited()) return;
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await child?.stop();
      tmp.remove();
    },
    output: () => child?.output() ?? '',
  };
}
