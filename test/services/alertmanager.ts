/**
 * Starts the real `prometheus-alertmanager` binary (0.25 here) for tests, on 127.0.0.1 with a random port,
 * clustering off, storage in a temp dir, and a route that sends webhook v4 POSTs to `webhookUrl`.
 *
 *   const am = await startAlertmanager({ webhookUrl: 'http://127.0.0.1:1234/webhook' });
 *   await am.postAlerts([{ labels: { alertname: 'X', severity: 'critical' } }]);
 *   … am.silences() …
 *   await am.stop();        // always (afterAll / finally); a crashed runner is cleaned up at exit too
 *
 * `down()` / `up()` stop and restart the same instance (same port, same storage) to test upstream outages;
 * `kill()` SIGKILLs it (a lost machine), `up()` brings it back.
 *
 * An HA cluster (members gossiping silences and notification state on loopback, as Alertmanager is run in
 * production): `const pair = await startAlertmanagerCluster(2)`; `pair.members[0].kill()` …
 */
import fs from 'node:fs';
import path from 'node:path';
import { until } from '@test/helpers/until';
import { freePort, httpJson, makeTempDir, signalGroup, spawnChild, waitReady, type Child } from './common';

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
  /** Alertmanager inhibit rules, e.g. [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service'] }] */
  inhibitRules?: { source_matchers: string[]; target_matchers: string[]; equal?: string[] }[];
  /** gossip: this member's cluster port and its peers (host:port); omitted = clustering off */
  cluster?: { listenPort: number; peers: string[] };
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
  /** starts it again after down() or kill() */
  up(): Promise<void>;
  /** SIGKILL: no goodbye to the cluster, as a lost machine */
  kill(): Promise<void>;
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
    // JSON is YAML: the rules go in as written
    ...(o.inhibitRules?.length ? [`inhibit_rules: ${JSON.stringify(o.inhibitRules)}`] : []),
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
      ...(opts.cluster
        ? [
            `--cluster.listen-address=127.0.0.1:${opts.cluster.listenPort}`,
            ...opts.cluster.peers.map((p) => `--cluster.peer=${p}`),
            '--cluster.gossip-interval=100ms',
            '--cluster.pushpull-interval=2s',
            '--cluster.settle-timeout=1s',
            '--cluster.peer-timeout=2s',
          ]
        : ['--cluster.listen-address=']),
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
    kill: async () => {
      const c = child as Child | null;
      if (!c || c.exited()) return;
      await new Promise<void>((resolve) => {
        c.process.once('exit', () => resolve());
        signalGroup(c.process, 'SIGKILL');
      });
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

export interface AlertmanagerCluster {
  readonly members: AlertmanagerHarness[];
  /** resolves once every live member lists `n` peers in its cluster status (gossip has met) */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `size` Alertmanagers gossiping with each other on loopback (an HA cluster). */
export async function startAlertmanagerCluster(size: number, opts: Omit<AlertmanagerOptions, 'cluster'> = {}): Promise<AlertmanagerCluster> {
  const gossip = await Promise.all(Array.from({ length: size }, () => freePort()));
  const members: AlertmanagerHarness[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const peers = gossip.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`);
      members.push(await startAlertmanager({ ...opts, cluster: { listenPort: gossip[i], peers } }));
    }
  } catch (e) {
    await Promise.all(members.map((m) => m.stop()));
    throw e;
  }
  const cluster: AlertmanagerCluster = {
    members,
    async settled(timeoutMs = 30_000) {
      // not settled yet throws, so a timeout names the peer counts each member saw last
      await until(
        async () => {
          const counts = await Promise.all(
            members.map((m) =>
              httpJson<{ cluster?: { peers?: unknown[] } }>(`${m.url}/api/v2/status`)
                .then((s) => s.cluster?.peers?.length ?? 0)
                .catch(() => -1),
            ),
          );
          const live = counts.filter((c) => c >= 0);
          if (live.length && live.every((c) => c === live.length)) return true;
          throw new Error(`peers seen ${counts.join(', ')}`);
        },
        'the Alertmanager cluster to settle',
        timeoutMs,
        200,
      );
    },
    stop: async () => {
      await Promise.all(members.map((m) => m.stop()));
    },
  };
  await cluster.settled();
  return cluster;
}
