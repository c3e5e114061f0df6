/**
 * POST to Alertmanager → Notify call on D-Bus, per alert, through the whole product path: a real
 * Alertmanager, the gateway's Alertmanager source (polling every 200 ms), the platform link, the alerts
 * module and its policy, node-notifier → notify-send → dunst, read back with dbus-monitor.
 * Reference, same run: notify-send alone → Notify seen (the floor of any pop-up).
 * The storm cap is lifted (POLICY_LIMITS.stormMax) so each of the alerts gets its own pop-up; merging
 * them is what the storm test checks. Prints one JSON line; asserts nothing about timing.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { it } from 'vitest';
import { createCore } from '@core';
import { POLICY_LIMITS } from '@core/alerts/policy';
import { createLogger, silentLogger } from '@node/log';
import { MemorySecretStore } from '@core/secrets';
import { NodeNotifier } from '@main/host/notifier';
import { createAlertmanagerSource } from '@gateway/sources/alertmanager';
import { startGateway } from '@gateway/server';
import { startAlertmanager } from '@test/services/alertmanager';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { missingBinaries, startNotifySession } from '@test/integration/notify/session';
import { percentile } from './helpers';

const N = 120;
const POLL_MS = 200;
const TOKEN = 'bench-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = percentile;

it('POST to Alertmanager → Notify on D-Bus', async () => {
  const missing = missingBinaries();
  if (missing.length) {
    console.log(JSON.stringify({ bench: 'alerts-notify-latency', skipped: `missing ${missing.join(', ')}` }));
    return;
  }
  const session = await startNotifySession();
  const saved = { DISPLAY: process.env.DISPLAY, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
  Object.assign(process.env, session.env);
  const dir = tempDir('vigil-bench-notify-');
  const am = await startAlertmanager({});
  const gw = await startGateway({ source: createAlertmanagerSource({ alertmanagerUrl: am.url, pollIntervalMs: POLL_MS, warn: () => {} }), token: TOKEN, dataDir: path.join(dir.dir, 'gw'), port: 0, log: silentLogger });
  POLICY_LIMITS.stormMax = Number.POSITIVE_INFINITY;
  const log = createLogger({ write: () => {} });
  const core = createCore({ dataDir: path.join(dir.dir, 'core'), transport: 'browser', secrets: new MemorySecretStore(), log, notifier: new NodeNotifier(log), platform: { url: gw.url, token: TOKEN } });
  try {
    await until(async () => {
      const r = await core.dispatch('linkState', []);
      return r.ok && (r.value as { status: string }).status === 'online';
    }, 'the console to come online', 20_000, 20);

    // reference: notify-send straight to the bus
    const ref: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = session.calls().length;
      const t0 = Date.now();
      execFile('notify-send', ['-a', 'Vigil', `reference ${i}`, 'body'], { env: process.env });
      // a reference call the bus lost is left out of the reference figures
      const seen = await until(() => session.calls().slice(before).find((c) => c.summary === `reference ${i}`), `reference ${i}`, 5000, 20).catch(() => null);
      if (seen) ref.push(seen.at - t0);
    }

    const postedAt = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const service = `svc-${i}`;
      postedAt.set(service, Date.now());
      await am.postAlerts([{ labels: { alertname: 'BenchLatency', service, severity: 'critical' }, annotations: { summary: `bench alert ${i}` } }]);
      await sleep(150);
    }
    // alerts not announced within 30 s show in the figures as seen < alerts
    await until(() => session.calls().filter((c) => c.summary.startsWith('[P1] BenchLatency')).length >= N, 'every alert announced', 30_000, 20).catch(() => null);
    const lat: number[] = [];
    for (const c of session.calls()) {
      const m = /^\[P1\] BenchLatency · (svc-\d+)$/.exec(c.summary);
      if (m && postedAt.has(m[1])) lat.push(c.at - postedAt.get(m[1])!);
    }
    const p50 = pct(lat, 50);
    const refP50 = pct(ref, 50);
    console.log(
      JSON.stringify({
        bench: 'alerts-notify-latency',
        alerts: N,
        seen: lat.length,
        pollIntervalMs: POLL_MS,
        p50: { value: p50, unit: 'ms' },
        p99: { value: pct(lat, 99), unit: 'ms', target: 1500 },
        max: { value: Math.max(...lat), unit: 'ms' },
        reference: { what: 'notify-send → Notify on D-Bus', p50: { value: refP50, unit: 'ms' }, p99: { value: pct(ref, 99), unit: 'ms' } },
        ratio: Number((p50 / refP50).toFixed(2)),
      }),
    );
  } finally {
    POLICY_LIMITS.stormMax = 3;
    await core.close();
    await gw.close();
    await am.stop();
    await session.stop();
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    dir.cleanup();
  }
});
