/**
 * Soak: the built console (out/main/host.js, a real core and SQLite store) synced to a gateway that logs
 * SOAK_RATE events/s (default 200) for SOAK_MINUTES (default 30), with the link cut every
 * SOAK_DISCONNECT_SECONDS (default 120: the gateway is killed and started again on the same port and data).
 *
 * The data is bounded: the upstream churns a fixed set of SOAK_ALERTS alerts (updates, resolves, removals
 * and returns), so once every alert has been seen the console's memory and database should stop growing.
 * Every SOAK_SAMPLE_SECONDS it prints one JSON line (console RSS, database + WAL size, cursor, head, lag);
 * at the end it fails when, after the warm-up (the first fifth), the console's RSS or database size grew by
 * more than the allowance (25 % plus 40 MB for RSS, 25 % plus 4 MB for the database), or the console fell
 * behind the gateway.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Source, SourceContext, SourceEvent } from '@gateway/source';
import { startGateway, type Gateway } from '@gateway/server';
import { silentLogger } from '@node/log';
import type { Alert } from '@shared/alerts';
import { freePort } from '../services/common';
import { tempDir } from '../helpers/tmp';
import { hostRpc, startHostProc, type Rpc } from '../chaos/procs';
import { until } from '@test/helpers/until';
import { firingAlert } from '../helpers/alerts';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${process.env[name]}"`);
  return v;
};
const MINUTES = num('SOAK_MINUTES', 30);
const RATE = num('SOAK_RATE', 200);
const ALERTS = num('SOAK_ALERTS', 2000);
const DISCONNECT_S = num('SOAK_DISCONNECT_SECONDS', 120);
const SAMPLE_S = num('SOAK_SAMPLE_SECONDS', 10);
const TOKEN = `soak-${randomBytes(8).toString('hex')}`;
const SECRET = randomBytes(18).toString('base64url');
const TICK_MS = 50;

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A bounded upstream: RATE changes per second over a fixed set of alerts. */
function churn() {
  let ctx: SourceContext | null = null;
  let n = 0;
  const alert = (i: number, now: number): Alert =>
    firingAlert({
      fingerprint: `soak-${i}`,
      alertname: ['OrdersPullFailing', 'QueueBacklogHigh', 'DbP95Slow', 'ApiP99Slow'][i % 4],
      labels: {
        alertname: ['OrdersPullFailing', 'QueueBacklogHigh', 'DbP95Slow', 'ApiP99Slow'][i % 4],
        service: `svc-${i % 20}`,
        instance: `node-${i}`,
      },
      annotations: { summary: `soak alert ${i}`, value: String(n % 997) },
      state: n % 7 === 0 ? 'resolved' : 'firing',
      severity: 'P3',
      startsAt: now - 60_000,
      updatedAt: now,
    });
  const source: Source = {
    name: 'soak',
    async start(c) {
      ctx = c;
    },
    async stop() {
      ctx = null;
    },
    async apply() {
      return { ok: true };
    },
  };
  return {
    source,
    /** `count` changes, a removal now and then (the alert returns on its next update) */
    emit(count: number) {
      if (!ctx) return 0;
      const now = Date.now();
      const events: SourceEvent[] = [];
      for (let k = 0; k < count; k++, n++) {
        const i = n % ALERTS;
        events.push(
          n % 50 === 49
            ? { kind: 'alert.remove', data: { fingerprint: `soak-${i}` } }
            : { kind: 'alert.upsert', data: alert(i, now) },
        );
      }
      ctx.emit(events);
      return events.length;
    },
  };
}

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : NaN;
};
const sizeMb = (...files: string[]) =>
  Math.round((files.reduce((s, f) => s + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0) / 1048576) * 100) / 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('soak', () => {
  it(
    `${MINUTES} min at ${RATE} events/s over ${ALERTS} alerts, link cut every ${DISCONNECT_S} s: no growth beyond the data`,
    async () => {
      const dir = tempDir('vigil-soak-');
      cleanups.push(dir.cleanup);
      const gwDir = path.join(dir.dir, 'gateway');
      const consoleDir = path.join(dir.dir, 'console');
      const port = await freePort();
      const up = churn();
      const start = () => startGateway({ source: up.source, token: TOKEN, dataDir: gwDir, port, log: silentLogger });
      let gw: Gateway = await start();
      cleanups.push(() => gw.close());
      const host = await startHostProc({ dataDir: consoleDir, secret: SECRET, platform: gw.url, token: TOKEN });
      cleanups.push(() => host.stop());
      const rpc: Rpc = await hostRpc(host.origin, SECRET);
      cleanups.push(() => rpc.close());
      await until(
        async () => (await rpc.call<{ status: string }>('linkState')).status === 'online',
        'the console to come online',
        60_000,
        50,
      );

      const started = Date.now();
      const end = started + MINUTES * 60_000;
      let emitted = 0;
      let disconnects = 0;
      let owed = 0;
      let last = Date.now();
      const ticker = setInterval(() => {
        // catch up on missed ticks so the rate holds on a loaded machine
        const now = Date.now();
        owed += ((now - last) / 1000) * RATE;
        last = now;
        const k = Math.floor(owed);
        owed -= k;
        emitted += up.emit(k);
      }, TICK_MS);
      cleanups.push(() => clearInterval(ticker));

      const samples: {
        t: number;
        rssMb: number;
        dbMb: number;
        cursor: number | null;
        head: number;
        lag: number | null;
      }[] = [];
      let nextCut = started + DISCONNECT_S * 1000;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, Math.min(SAMPLE_S * 1000, Math.max(0, end - Date.now()))));
        if (Date.now() >= nextCut && Date.now() < end) {
          nextCut += DISCONNECT_S * 1000;
          disconnects++;
          await gw.kill(); // every connection drops at once, no close frame
          gw = await start();
        }
        const s = await rpc
          .call<{ cursor: number | null; status: string }>('linkState')
          .catch(() => ({ cursor: null, status: 'unknown' }));
        const head = gw.store.head();
        const sample = {
          t: Math.round((Date.now() - started) / 1000),
          rssMb: rssMb(host.child.pid!),
          dbMb: sizeMb(path.join(consoleDir, 'vigil.db'), path.join(consoleDir, 'vigil.db-wal')),
          walMb: sizeMb(path.join(consoleDir, 'vigil.db-wal')),
          gatewayDbMb: sizeMb(path.join(gwDir, 'gateway.db'), path.join(gwDir, 'gateway.db-wal')),
          cursor: s.cursor,
          head,
          lag: s.cursor === null ? null : head - s.cursor,
          link: s.status,
          eventsPerSecond: Math.round(emitted / ((Date.now() - started) / 1000)),
        };
        samples.push(sample);
        console.log(JSON.stringify({ suite: 'soak.sample', ...sample }));
      }
      clearInterval(ticker);
      await until(
        async () => (await rpc.call<{ cursor: number | null }>('linkState')).cursor === gw.store.head(),
        'the console to catch up',
        120_000,
        250,
      );

      const warm = samples.slice(Math.ceil(samples.length / 5));
      const quarter = Math.max(1, Math.floor(warm.length / 4));
      const early = warm.slice(0, quarter);
      const late = warm.slice(-quarter);
      const summary = {
        suite: 'soak',
        minutes: MINUTES,
        targetEventsPerSecond: RATE,
        achievedEventsPerSecond: Math.round(emitted / ((Date.now() - started) / 1000)),
        events: emitted,
        alerts: ALERTS,
        disconnects,
        samples: samples.length,
        rssMb: {
          afterWarmup: median(early.map((s) => s.rssMb)),
          end: median(late.map((s) => s.rssMb)),
          max: Math.max(...samples.map((s) => s.rssMb)),
        },
        dbMb: {
          afterWarmup: Math.max(...early.map((s) => s.dbMb)),
          end: Math.max(...late.map((s) => s.dbMb)),
          max: Math.max(...samples.map((s) => s.dbMb)),
        },
        maxLag: Math.max(...samples.map((s) => s.lag ?? 0)),
      };
      console.log(JSON.stringify(summary));
      expect(summary.achievedEventsPerSecond).toBeGreaterThanOrEqual(RATE * 0.9);
      expect(summary.rssMb.end, 'console RSS grew beyond the data').toBeLessThanOrEqual(
        summary.rssMb.afterWarmup * 1.25 + 40,
      );
      expect(summary.dbMb.end, 'console database grew beyond the data').toBeLessThanOrEqual(
        summary.dbMb.afterWarmup * 1.25 + 4,
      );
    },
    4 * 3_600_000,
  );
});
