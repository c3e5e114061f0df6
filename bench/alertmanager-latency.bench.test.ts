/**
 * POST to a real Alertmanager → the Alertmanager source emits alert.upsert, over 200+ alerts, in two setups:
 *  - webhook: Alertmanager's route sends webhook v4 with group_wait 0.5 s (grouped by every label, so each
 *    alert is its own group); the source's own poll is slowed to 60 s so only the webhook path is measured;
 *    measured with isolated alerts (the figure that counts) and with a continuous stream;
 *  - polling: no webhook, the default 2 s poll interval.
 * Targets (issue 3): p99 ≤ 1 s with the webhook; ≤ poll interval + 0.5 s polling alone.
 * The raw reference is one GET of /api/v2/alerts + /api/v2/silences (what every poll costs), measured in the same run.
 * Prints one JSON line; asserts nothing about timing.
 */
import http from 'node:http';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { createAlertmanagerSource, type AlertmanagerSource } from '@gateway/sources/alertmanager';
import { startAlertmanager } from '@test/services/alertmanager';
import { percentile } from './helpers';

const ALERTS = 200;
const SPACING_MS = 20;

const pct = (xs: number[], p: number) => Math.round(percentile(xs, p));

/**
 * `continuous`: one alert every 20 ms, so polls triggered by earlier webhooks also pick up later alerts;
 * `isolated`: the next alert is posted only after the previous one arrived, so each pays the full group_wait.
 */
async function measure(
  mode: 'webhook' | 'polling',
  pacing: 'continuous' | 'isolated',
): Promise<{ latencies: number[]; pollMs: number[] }> {
  let source: AlertmanagerSource | null = null;
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', async () => {
      const out = await source!.webhook!(JSON.parse(body));
      res.writeHead(out.ok ? 200 : 400).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const port = (hook.address() as net.AddressInfo).port;
  const am = await startAlertmanager(
    mode === 'webhook' ? { webhookUrl: `http://127.0.0.1:${port}/webhook`, groupWait: '500ms' } : {},
  );
  const posted = new Map<string, number>();
  const latencies: number[] = [];
  const pollMs: number[] = [];
  try {
    source = createAlertmanagerSource({
      alertmanagerUrl: am.url,
      pollIntervalMs: mode === 'webhook' ? 60_000 : 2000,
      hooks: { pollLatency: (ms) => pollMs.push(ms) },
      warn: () => {},
    });
    await source.start({
      emit: (events) => {
        const now = performance.now();
        for (const e of events) {
          if (e.kind !== 'alert.upsert') continue;
          const t = posted.get(e.data.labels.n);
          if (t !== undefined) {
            latencies.push(now - t);
            posted.delete(e.data.labels.n);
          }
        }
      },
      health: () => {},
      now: () => Date.now(),
    });
    for (let i = 0; i < ALERTS; i++) {
      const n = String(i);
      posted.set(n, performance.now());
      await am.postAlerts([{ labels: { alertname: 'BenchAlert', severity: 'warning', mode, n } }]);
      if (pacing === 'continuous') await new Promise((r) => setTimeout(r, SPACING_MS));
      else {
        const until = Date.now() + 10_000;
        while (posted.has(n) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, SPACING_MS));
      }
    }
    const deadline = Date.now() + 30_000;
    while (latencies.length < ALERTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await source?.stop();
    await am.stop();
    await new Promise((r) => hook.close(r));
  }
  return { latencies, pollMs };
}

async function rawPollMs(): Promise<number[]> {
  const am = await startAlertmanager();
  try {
    await am.postAlerts(Array.from({ length: 50 }, (_, i) => ({ labels: { alertname: 'Raw', n: String(i) } })));
    const out: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await Promise.all([
        fetch(`${am.url}/api/v2/alerts`).then((r) => r.text()),
        fetch(`${am.url}/api/v2/silences`).then((r) => r.text()),
      ]);
      out.push(performance.now() - t);
    }
    return out;
  } finally {
    await am.stop();
  }
}

it('measures POST → alert.upsert latency through the Alertmanager source', async () => {
  const webhook = await measure('webhook', 'isolated');
  const burst = await measure('webhook', 'continuous');
  const polling = await measure('polling', 'continuous');
  const raw = await rawPollMs();
  const figures = {
    bench: 'alertmanager-post-to-event',
    unit: 'ms',
    alerts: ALERTS,
    webhook: {
      received: webhook.latencies.length,
      p50: pct(webhook.latencies, 50),
      p99: pct(webhook.latencies, 99),
      max: pct(webhook.latencies, 100),
      value: pct(webhook.latencies, 99),
      target: 1000,
      groupWaitMs: 500,
    },
    webhookContinuous: {
      received: burst.latencies.length,
      p50: pct(burst.latencies, 50),
      p99: pct(burst.latencies, 99),
      max: pct(burst.latencies, 100),
      target: 1000,
      spacingMs: SPACING_MS,
    },
    polling: {
      received: polling.latencies.length,
      p50: pct(polling.latencies, 50),
      p99: pct(polling.latencies, 99),
      max: pct(polling.latencies, 100),
      value: pct(polling.latencies, 99),
      target: 2500,
      pollIntervalMs: 2000,
      sourcePollP50: pct(polling.pollMs, 50),
    },
    reference: {
      what: 'one raw GET alerts + silences',
      p50: Math.round(pct(raw, 50) * 10) / 10,
      p99: Math.round(pct(raw, 99) * 10) / 10,
    },
  };
  console.log(JSON.stringify(figures));
  // completeness, not timing: every alert must have arrived
  expect(webhook.latencies).toHaveLength(ALERTS);
  expect(burst.latencies).toHaveLength(ALERTS);
  expect(polling.latencies).toHaveLength(ALERTS);
});
