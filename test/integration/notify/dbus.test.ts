/**
 * Notifications delivered for real: a gateway on loopback sends alerts, the core stores them, the policy
 * decides, node-notifier runs notify-send, and the Notify call is read back from the D-Bus session bus
 * with dbus-monitor while dunst is the notification daemon. Run under `xvfb-run -a dbus-launch` or plain:
 * the test starts its own X display, bus and dunst when none is there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '@core';
import { createCore } from '@core';
import { createLogger } from '@node/log';
import { MemorySecretStore } from '@core/secrets';
import { NodeNotifier } from '@main/host/notifier';
import type { Gateway } from '@gateway/server';
import { tempDir } from '@test/helpers/tmp';
import { alert, gateway, testSource, TOKEN, type TestSource } from '../link/helpers';
import { until } from '@test/helpers/until';
import { missingBinaries, startNotifySession, type NotifySession } from './session';

const missing = missingBinaries();
if (missing.length) console.warn(`Skipping the D-Bus notification test: missing ${missing.join(', ')}`);

describe.skipIf(missing.length > 0)('native notifications on D-Bus', () => {
  let session: NotifySession;
  let saved: { DISPLAY?: string; DBUS_SESSION_BUS_ADDRESS?: string };
  const lines: string[] = [];

  beforeAll(async () => {
    session = await startNotifySession();
    saved = { DISPLAY: process.env.DISPLAY, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
    // notify-send inherits the environment of the process that runs the core
    Object.assign(process.env, session.env);
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved ?? {})) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    await session?.stop();
  });

  async function stack() {
    const dir = tempDir('vigil-notify-it-');
    const source: TestSource = testSource();
    const gw: Gateway = await gateway(source, dir.dir);
    const log = createLogger({ write: (l) => lines.push(l) });
    const core: Core = createCore({
      dataDir: dir.dir,
      transport: 'browser',
      secrets: new MemorySecretStore(),
      log,
      notifier: new NodeNotifier(log),
      platform: { url: gw.url, token: TOKEN },
    });
    await until(async () => (await core.dispatch('linkState', [])).ok && ((await core.dispatch('linkState', [])) as { value: { status: string } }).value.status === 'online', 'link online');
    return {
      source,
      core,
      async close() {
        await core.close();
        await gw.close();
        dir.cleanup();
      },
    };
  }

  it('a firing alert from the gateway raises one Notify call with summary, body and urgency', async () => {
    const s = await stack();
    try {
      const before = session.calls().length;
      s.source.emit([
        {
          kind: 'alert.upsert',
          data: alert(1, {
            fingerprint: 'dbus-p1',
            alertname: 'OrderPullFailures',
            labels: { alertname: 'OrderPullFailures', service: 'ozon-orders', severity: 'critical' },
            annotations: { summary: 'Order pull failed 63 times in 5 min' },
            severity: 'P1',
          }),
        },
        {
          kind: 'alert.upsert',
          data: alert(2, {
            fingerprint: 'dbus-p2',
            alertname: 'TaskBacklogHigh',
            labels: { alertname: 'TaskBacklogHigh', service: 'tasks', severity: 'warning' },
            annotations: { summary: 'Backlog 5.4k & growing <fast>' },
            severity: 'P2',
          }),
        },
      ]);
      const calls = await until(() => {
        const c = session.calls().slice(before);
        return c.length >= 2 ? c : null;
      }, 'two Notify calls');
      const p1 = calls.find((c) => c.summary.startsWith('[P1]'))!;
      expect(p1).toMatchObject({ appName: 'Vigil', summary: '[P1] OrderPullFailures · ozon-orders', body: 'Order pull failed 63 times in 5 min', urgency: 2, timeout: 0 });
      const p2 = calls.find((c) => c.summary.startsWith('[P2]'))!;
      // body markup escaped, so the daemon shows the text as written; normal urgency, expires
      expect(p2).toMatchObject({ summary: '[P2] TaskBacklogHigh · tasks', body: 'Backlog 5.4k &amp; growing &lt;fast&gt;', urgency: 1, timeout: 15_000 });
    } finally {
      await s.close();
    }
  });

  it('a storm of 500 alerts gives at most a handful of Notify calls', async () => {
    const s = await stack();
    try {
      const before = session.calls().length;
      const services = ['ozon-orders', 'ozon-shipments', 'inventory', 'prices', 'fx', 'api', 'db', 'queue'];
      for (let batch = 0; batch < 5; batch++) {
        s.source.emit(
          Array.from({ length: 100 }, (_, i) => {
            const n = batch * 100 + i;
            const service = services[n % services.length];
            return {
              kind: 'alert.upsert' as const,
              data: alert(1000 + n, { fingerprint: `storm-${n}`, labels: { alertname: 'ShipmentPushFailures', service, severity: 'critical' }, alertname: 'ShipmentPushFailures' }),
            };
          }),
        );
        await new Promise((r) => setTimeout(r, 200));
      }
      await until(async () => ((await s.core.dispatch('alertCounts', [])) as { value: { unacked: number } }).value.unacked === 500, '500 alerts stored');
      await new Promise((r) => setTimeout(r, 3000));
      const calls = session.calls().slice(before);
      expect(calls.length).toBeGreaterThanOrEqual(1);
      expect(calls.length).toBeLessThanOrEqual(4);
      expect(calls.every((c) => c.urgency === 2)).toBe(true);
    } finally {
      await s.close();
    }
  });
});
