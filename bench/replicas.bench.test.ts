/**
 * Gateway replicas on PostgreSQL (issue #17), two figures with their same-run references:
 *
 * 1. Fan-out: C simulated consoles spread over 2 replica processes (the build, `--store postgres://…`) on one
 *    PostgreSQL; the leader polls an upstream (bench/fanout/fake-alertmanager.ts, Alertmanager's API) that
 *    changes R alerts a second for D s. Per event and console, the lag from the moment the leader built the
 *    alert from its poll (the alert's `updatedAt`, the gateway's clock) to the console's receipt: p50, p99 and
 *    max (the largest lag). Reference in the same run: one SQLite gateway process serving the same C consoles
 *    from its own identical upstream. The consoles live in worker threads (bench/fanout/console-worker.mjs
 *    says what a simulated console does); the gateways, PostgreSQL and the consoles share this machine, whose
 *    cores and load averages are printed with the figures.
 *    Rows: VIGIL_BENCH_ROWS="consoles@rate,…" (default "100@500"); D = VIGIL_BENCH_SECONDS (default 10);
 *    VIGIL_BENCH_CPU_PROF=DIR writes a .cpuprofile of every gateway process there (node --cpu-prof).
 * 2. Failover: 2 replica processes (the build) against a real Alertmanager; the leader is killed with SIGKILL
 *    10 times, each time measuring SIGKILL → another replica's /healthz says it leads.
 *
 * Prints one JSON line per figure; asserts that every console got every event, in order, none twice.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOKEN } from '@test/integration/link/helpers';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { startPostgres, type PostgresService } from '@test/services/postgres';
import { builtApp, startGatewayProc, type GatewayProc } from '@test/chaos/procs';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { healthOf, startReplica, type ReplicaProc } from '@test/integration/replicas/harness';
import { startFakeAlertmanager, type FakeAlertmanager } from './fanout/fake-alertmanager';
import { percentile } from './helpers';

const ROWS = (process.env.VIGIL_BENCH_ROWS ?? '100@500').split(',').map((r) => {
  const [consoles, rate] = r.split('@').map(Number);
  return { consoles, rate };
});
const SECONDS = Number(process.env.VIGIL_BENCH_SECONDS ?? 10);
const CPU_PROF = process.env.VIGIL_BENCH_CPU_PROF;
const WORKERS = 4;
const POLL_MS = 100;
const KILLS = 10;

let pg: PostgresService;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await pg?.stop();
});

const dir = () => {
  const d = tempDir('bench-replicas-');
  cleanups.push(d.cleanup);
  return d.dir;
};

/** a gateway process of the build polling `am`; with `store`, a replica named `replica` on it */
async function gatewayProc(am: FakeAlertmanager, label: string, pgStore?: { url: string; replica: string }): Promise<GatewayProc> {
  const p = await startGatewayProc({
    dataDir: dir(),
    token: TOKEN,
    source: 'alertmanager',
    alertmanagerUrl: am.url,
    pollIntervalMs: POLL_MS,
    extraArgs: pgStore ? ['--store', pgStore.url, '--replica-name', pgStore.replica] : [],
    nodeArgs: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(CPU_PROF, label)}`] : [],
  });
  cleanups.push(() => p.stop('SIGKILL'));
  return p;
}

interface WorkerStats {
  events: number[];
  violations: number;
  closed: number;
  hist: Uint32Array;
  max: number;
}

/** a worker thread of simulated consoles, and a request/answer call to it */
function consoleWorker() {
  const w = new Worker(path.join(__dirname, 'fanout/console-worker.mjs'));
  cleanups.push(() => w.terminate());
  const call = <T>(m: object, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const on = (r: { type: string; message?: string }) => {
        if (r.type === 'error') reject(new Error(r.message));
        else if (r.type === answer) resolve(r as T);
        else return;
        w.off('message', on);
      };
      w.on('message', on);
      w.postMessage(m);
    });
  return { call, terminate: () => w.terminate() };
}

const histPercentile = (h: Uint32Array, total: number, p: number) => {
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < h.length; i++) if ((seen += h[i]) >= rank) return i;
  return NaN;
};

/** C consoles on `urls` (round robin), then R events/s for D s from `am`; lags once every console has all */
async function fanOut(label: string, urls: string[], am: FakeAlertmanager, row: { consoles: number; rate: number }) {
  const workers = Array.from({ length: WORKERS }, consoleWorker);
  const per = Math.ceil(row.consoles / WORKERS);
  await Promise.all(
    workers.map((w, k) =>
      w.call({ cmd: 'open', urls, label, token: TOKEN, first: k * per, count: Math.max(0, Math.min(per, row.consoles - k * per)) }, 'opened'),
    ),
  );
  await Promise.all(workers.map((w) => w.call({ cmd: 'reset' }, 'reset')));
  const loadBefore = os.loadavg();
  const t0 = Date.now();
  am.start(row.rate);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  am.stop();
  const sent = am.changes;
  const stats = () => Promise.all(workers.map((w) => w.call<WorkerStats>({ cmd: 'stats' }, 'stats')));
  const last = await until(
    async () => {
      const s = await stats();
      return s.every((x) => x.events.every((n) => n >= sent)) && s;
    },
    `${label}: every console to get ${sent} events`,
    600_000,
    1000,
  );
  const drainedS = (Date.now() - t0) / 1000;
  const loadAfter = os.loadavg();
  for (const w of workers) await w.call({ cmd: 'close' }, 'closed');
  for (const w of workers) await w.terminate();
  const hist = new Uint32Array(last[0].hist.length);
  for (const s of last) for (let i = 0; i < hist.length; i++) hist[i] += s.hist[i];
  const total = last.reduce((n, s) => n + s.events.reduce((a, b) => a + b, 0), 0);
  expect(last.reduce((n, s) => n + s.violations, 0), `${label}: skipped or repeated events`).toBe(0);
  expect(last.reduce((n, s) => n + s.closed, 0), `${label}: consoles dropped`).toBe(0);
  expect(total).toBe(sent * row.consoles);
  return {
    label,
    consoles: row.consoles,
    eventsPerSecondAsked: row.rate,
    eventsLogged: sent,
    eventsPerSecondLogged: Math.round(sent / SECONDS),
    seconds: SECONDS,
    framesDelivered: total,
    allDeliveredAfterS: Math.round(drainedS * 10) / 10,
    p50Ms: histPercentile(hist, total, 50),
    p99Ms: histPercentile(hist, total, 99),
    maxLagMs: Math.max(...last.map((s) => s.max)),
    load1m5mBefore: loadBefore.slice(0, 2).map((x) => Math.round(x * 100) / 100),
    load1m5mAfter: loadAfter.slice(0, 2).map((x) => Math.round(x * 100) / 100),
  };
}

const leads = async (p: GatewayProc) => ((await healthOf(p).catch(() => null))?.leads.length ?? 0) > 0;

it.each(ROWS)('fan-out: $consoles consoles @ $rate ev/s, 2 PostgreSQL replicas vs one SQLite gateway', async (row) => {
  builtApp();
  const db = await pg.createDatabase(`bench_fanout_${row.consoles}_${row.rate}`);
  const amP = await startFakeAlertmanager();
  cleanups.push(() => amP.close());
  const a = await gatewayProc(amP, 'pg-a', { url: db, replica: 'a' });
  await until(() => leads(a), 'replica a leads', 30_000);
  const b = await gatewayProc(amP, 'pg-b', { url: db, replica: 'b' });
  // the first poll's alerts are logged and on both replicas before the consoles come
  await until(async () => (await healthOf(b)).head >= 500, 'the pool logged', 30_000);
  const postgres = await fanOut('postgres-2-replicas', [a.url, b.url], amP, row);
  await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);

  const amS = await startFakeAlertmanager();
  cleanups.push(() => amS.close());
  const single = await gatewayProc(amS, 'sqlite');
  await until(async () => (await healthOf(single)).head >= 500, 'the pool logged', 30_000);
  const sqliteReference = await fanOut('sqlite-1-gateway', [single.url], amS, row);
  await single.stop('SIGTERM');
  console.log(JSON.stringify({ bench: 'replicas-fanout', cpus: os.cpus().length, postgres, sqliteReference }));
});

it('failover: SIGKILL the leader of 2 replica processes 10 times', async () => {
  builtApp();
  const am: AlertmanagerHarness = await startAlertmanager();
  cleanups.push(() => am.stop());
  const store = await pg.createDatabase('bench_failover');
  const ps: ReplicaProc[] = [];
  for (const name of ['fa', 'fb']) ps.push(await startReplica({ name, store, alertmanagerUrl: am.url, cleanups }));
  const leaderOf = async () => {
    for (const p of ps.filter((x) => !x.dead)) if ((await healthOf(p).catch(() => null))?.leads.length) return p;
    return null;
  };
  const times: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    const leader = await until(leaderOf, 'a leader', 30_000);
    const t0 = Date.now();
    await leader.kill();
    const next = await until(leaderOf, 'a new leader', 30_000, 10);
    times.push(Date.now() - t0);
    expect(next).not.toBe(leader);
    ps[ps.indexOf(leader)] = await startReplica({ name: `${leader.name}-${k}`, store, alertmanagerUrl: am.url, cleanups });
  }
  console.log(JSON.stringify({ bench: 'replicas-failover', kills: KILLS, p50Ms: percentile(times, 50), maxMs: Math.max(...times), allMs: times, load1m: os.loadavg()[0] }));
});
