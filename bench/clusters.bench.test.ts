/**
 * Many Alertmanagers (issue #15), through the whole product path with real Alertmanagers, the gateway's
 * cluster source, the platform link and the console's store:
 *
 * 1. Three clusters × 10k alerts (prod: an HA pair, each member holding the same 10k; staging and dev:
 *    one member each) → time from the gateway starting to a consistent console store (30k rows, each with
 *    its cluster, the link's cursor at the gateway's head). Reference, same run: one parallel raw GET of
 *    every member's /api/v2/alerts (the floor any reader of these Alertmanagers pays).
 * 2. POST → Notify on D-Bus, p99, for an HA pair with both members up and with one member killed, in
 *    A-B-B-A phases (same run, same pair). Target: the same within noise. Reference: notify-send alone.
 *
 * Prints one JSON line per benchmark; asserts nothing about timing.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { it } from 'vitest';
import { createCore } from '@core';
import { POLICY_LIMITS } from '@core/alerts/policy';
import { createLogger, silentLogger } from '@node/log';
import { MemorySecretStore } from '@core/secrets';
import { NodeNotifier } from '@main/host/notifier';
import type { LinkState } from '@shared/domain';
import { DEFAULT_ACK_EXTENSION, type ClusterConfig } from '@gateway/config';
import { createAlertmanagerSource } from '@gateway/sources/alertmanager';
import { startGateway } from '@gateway/server';
import { startAlertmanager, startAlertmanagerCluster, type AlertmanagerHarness } from '@test/services/alertmanager';
import { tempDir } from '@test/helpers/tmp';
import { core } from '@test/integration/link/helpers';
import { missingBinaries, startNotifySession } from '@test/services/notify-session';

const TOKEN = 'test-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
async function until<T>(fn: () => T | Promise<T>, ms: number, every = 20): Promise<T | null> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await sleep(every);
  }
  return null;
}
const cluster = (name: string, members: AlertmanagerHarness[]): ClusterConfig => ({ name, members: members.map((m) => m.url), ackExtension: DEFAULT_ACK_EXTENSION });

async function postMany(ams: AlertmanagerHarness[], cluster: string, n: number) {
  const endsAt = new Date(Date.now() + 3 * 3_600_000).toISOString();
  for (let i = 0; i < n; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
      labels: { alertname: 'BenchClusterAlert', cluster_env: cluster, instance: `host-${i + j}`, severity: 'warning' },
      annotations: { summary: `bench alert ${i + j} in ${cluster}` },
      endsAt,
    }));
    await Promise.all(ams.map((am) => am.postAlerts(batch)));
  }
}

it('three clusters × 10k alerts: gateway start → consistent console store', async () => {
  const N = 10_000;
  const pair = await startAlertmanagerCluster(2);
  const staging = await startAlertmanager();
  const dev = await startAlertmanager();
  const dir = tempDir('vigil-bench-clusters-');
  try {
    await postMany(pair.members, 'prod', N);
    await postMany([staging], 'staging', N);
    await postMany([dev], 'dev', N);
    const members = [...pair.members, staging, dev];

    // reference: every member's alerts, one raw parallel GET
    const ref: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await Promise.all(members.map((m) => fetch(`${m.url}/api/v2/alerts`).then((r) => r.json())));
      ref.push(performance.now() - t);
    }

    const t0 = performance.now();
    const source = createAlertmanagerSource({
      clusters: [cluster('prod', pair.members), cluster('staging', [staging]), cluster('dev', [dev])],
      pollIntervalMs: 2000,
      // an Alertmanager answers 10k alerts in 1–2 s on a quiet machine, many times that on a loaded one
      requestTimeoutMs: 120_000,
      warn: () => undefined,
    });
    const gw = await startGateway({ source, token: TOKEN, dataDir: path.join(dir.dir, 'gw'), port: 0, log: silentLogger });
    const gatewayReady = performance.now() - t0;
    const c = core(path.join(dir.dir, 'core'), gw.url);
    let cursor = 0;
    c.on((name, payload) => {
      if (name === 'linkState' && !(payload as LinkState).snapshot) cursor = (payload as LinkState).cursor ?? 0;
    });
    // consistent: every cluster's alerts stored (a cluster whose first read failed comes with a later poll),
    // each with its cluster, and the link at the gateway's head
    const count = () => c.db!.prepare("SELECT count(*) AS n FROM alerts WHERE cluster IS NOT NULL").get() as { n: number };
    await until(() => count().n === 3 * N && cursor === gw.store.head(), 600_000, 100);
    const rows = count();
    const consistent = performance.now() - t0;
    await c.close();
    await gw.close();
    console.log(
      JSON.stringify({
        bench: 'clusters-consistent-store',
        clusters: 3,
        members: members.length,
        alertsPerCluster: N,
        storedAlerts: rows.n,
        figures: [
          { name: 'gateway start → first poll of every cluster logged', value: Math.round(gatewayReady), unit: 'ms' },
          { name: 'gateway start → console store consistent', value: Math.round(consistent), unit: 'ms', reference: Math.round(Math.min(...ref)), ratio: Number((consistent / Math.min(...ref)).toFixed(1)) },
        ],
        reference: { what: 'one parallel raw GET /api/v2/alerts of all 4 members', value: Math.round(Math.min(...ref)), unit: 'ms' },
      }),
    );
    if (rows.n !== 3 * N) throw new Error(`expected ${3 * N} alerts in the console store, found ${rows.n}`);
  } finally {
    await pair.stop();
    await staging.stop();
    await dev.stop();
    dir.cleanup();
  }
});

it('POST → Notify p99 with one member of the pair down vs both up', async () => {
  const missing = missingBinaries();
  if (missing.length) {
    console.log(JSON.stringify({ bench: 'clusters-notify-latency', skipped: `missing ${missing.join(', ')}` }));
    return;
  }
  const N = 60;
  const session = await startNotifySession();
  const saved = { DISPLAY: process.env.DISPLAY, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
  Object.assign(process.env, session.env);
  const dir = tempDir('vigil-bench-clusters-notify-');
  const pair = await startAlertmanagerCluster(2);
  const source = createAlertmanagerSource({ clusters: [cluster('prod', pair.members)], pollIntervalMs: 200, warn: () => undefined });
  const gw = await startGateway({ source, token: TOKEN, dataDir: path.join(dir.dir, 'gw'), port: 0, log: silentLogger });
  POLICY_LIMITS.stormMax = Number.POSITIVE_INFINITY;
  const log = createLogger({ write: () => {} });
  const c = createCore({ dataDir: path.join(dir.dir, 'core'), transport: 'browser', secrets: new MemorySecretStore(), log, notifier: new NodeNotifier(log), platform: { url: gw.url, token: TOKEN } });
  try {
    await until(async () => {
      const r = await c.dispatch('linkState', []);
      return r.ok && (r.value as { status: string }).status === 'online';
    }, 20_000);

    const ref: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = session.calls().length;
      const t0 = Date.now();
      execFile('notify-send', ['-a', 'Vigil', `reference ${i}`, 'body'], { env: process.env });
      const seen = await until(() => session.calls().slice(before).find((x) => x.summary === `reference ${i}`), 5000);
      if (seen) ref.push(seen.at - t0);
    }

    /** posts N alerts as Prometheus does (to every live member) and measures POST → Notify */
    const phase = async (tag: string, targets: AlertmanagerHarness[]) => {
      const postedAt = new Map<string, number>();
      for (let i = 0; i < N; i++) {
        const service = `${tag}-${i}`;
        postedAt.set(service, Date.now());
        const alert = [{ labels: { alertname: 'BenchPair', service, severity: 'critical' }, annotations: { summary: `bench ${tag} ${i}` } }];
        await Promise.all(targets.map((t) => t.postAlerts(alert)));
        await sleep(150);
      }
      const re = new RegExp(`^\\[P1\\] BenchPair · (${tag}-\\d+)(?: @prod)?$`);
      await until(() => session.calls().filter((x) => re.test(x.summary)).length >= N, 30_000);
      const lat: number[] = [];
      for (const x of session.calls()) {
        const m = re.exec(x.summary);
        if (m && postedAt.has(m[1])) lat.push(x.at - postedAt.get(m[1])!);
      }
      return lat;
    };
    // A-B-B-A, so a drift during the run (the machine's load, the notification daemon filling up) falls on
    // both conditions alike; the daemon's notifications are closed before each phase
    const bothUp: number[] = [];
    const oneDown: number[] = [];
    const clear = () => new Promise((r) => execFile('dunstctl', ['close-all'], { env: process.env }, () => r(undefined)));
    await clear();
    bothUp.push(...(await phase('up0', pair.members)));
    await pair.members[0].kill();
    await clear();
    oneDown.push(...(await phase('down0', [pair.members[1]])));
    await clear();
    oneDown.push(...(await phase('down1', [pair.members[1]])));
    await pair.members[0].up();
    await pair.settled();
    await sleep(1000); // the member is back in the gateway's reads once a background probe has found it
    await clear();
    bothUp.push(...(await phase('up1', pair.members)));
    const refP50 = pct(ref, 50);
    console.log(
      JSON.stringify({
        bench: 'clusters-notify-latency',
        alertsPerCondition: 2 * N,
        pollIntervalMs: 200,
        seen: { bothUp: bothUp.length, oneDown: oneDown.length },
        figures: [
          { name: 'POST → Notify p50, both members up', value: pct(bothUp, 50), unit: 'ms' },
          { name: 'POST → Notify p99, both members up', value: pct(bothUp, 99), unit: 'ms', target: 1500 },
          { name: 'POST → Notify p50, one member down', value: pct(oneDown, 50), unit: 'ms' },
          { name: 'POST → Notify p99, one member down', value: pct(oneDown, 99), unit: 'ms', target: 1500, reference: pct(bothUp, 99), ratio: Number((pct(oneDown, 99) / pct(bothUp, 99)).toFixed(2)) },
        ],
        reference: { what: 'notify-send → Notify on D-Bus', p50: { value: refP50, unit: 'ms' }, p99: { value: pct(ref, 99), unit: 'ms' } },
      }),
    );
  } finally {
    POLICY_LIMITS.stormMax = 3;
    await c.close();
    await gw.close();
    await pair.stop();
    await session.stop();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    dir.cleanup();
  }
});
