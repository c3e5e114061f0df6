/**
 * Gateway replicas on PostgreSQL (issue #17), two figures with their same-run references:
 *
 * 1. Fan-out: C consoles (raw protocol clients that parse every frame) spread over 2 replicas on one
 *    PostgreSQL, the source writing R events/s for D s on the leader; per event, the time from the source's
 *    emit to each console's receipt (p50, p99, max = the largest lag). Reference: one SQLite gateway serving
 *    the same C consoles the same events, in the same run. Everything runs in this one process (gateways,
 *    consoles, the pg worker threads), on a shared 2-core machine: C, R and D are scaled down by default
 *    (VIGIL_BENCH_CONSOLES, VIGIL_BENCH_RATE, VIGIL_BENCH_SECONDS set the 500 / 2000 / …), and the
 *    load average is printed with the figures.
 * 2. Failover: 2 replica processes (the build) against a real Alertmanager; the leader is killed with SIGKILL
 *    10 times, each time measuring SIGKILL → another replica's /healthz says it leads.
 *
 * Prints one JSON line per figure; asserts only that every console got every event.
 */
import os from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL } from '@shared/protocol';
import { openPgGatewayStore } from '@gateway/postgres/store';
import type { Gateway } from '@gateway/server';
import { alert, gateway, testSource, TOKEN, type TestSource } from '@test/integration/link/helpers';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { startPostgres, type PostgresService } from '@test/services/postgres';
import { builtApp } from '@test/chaos/procs';
import { tempDir } from '@test/helpers/tmp';
import { until } from '@test/helpers/until';
import { healthOf, startReplica, type ReplicaProc } from '@test/integration/replicas/harness';
import { percentile } from './helpers';

const CONSOLES = Number(process.env.VIGIL_BENCH_CONSOLES ?? 20);
const RATE = Number(process.env.VIGIL_BENCH_RATE ?? 200);
const SECONDS = Number(process.env.VIGIL_BENCH_SECONDS ?? 5);
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

/** a console that only counts events and their lag (emit time is the alert's updatedAt) */
async function wireConsole(url: string, lags: number[]): Promise<{ events: () => number; close(): void }> {
  const ws = new WebSocket(url, [PROTOCOL], { headers: { Authorization: `Bearer ${TOKEN}` }, perMessageDeflate: false });
  let events = 0;
  let welcomed = false;
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as { type: string; data?: { updatedAt?: number } };
    if (f.type === 'welcome') welcomed = true;
    if (f.type !== 'event') return;
    events++;
    lags.push(Date.now() - (f.data?.updatedAt ?? 0));
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  ws.send(JSON.stringify({ type: 'hello', clientId: `bench-${Math.random()}`, protocol: 1, cursor: null, serverId: null, operator: 'bench' }));
  await until(() => welcomed, 'welcome');
  return { events: () => events, close: () => ws.terminate() };
}

/** R events/s for D s from `src`, in batches every 50 ms; each alert's updatedAt is its emit time */
async function drive(src: TestSource): Promise<number> {
  const perBatch = Math.max(1, Math.round(RATE / 20));
  const batches = SECONDS * 20;
  const t0 = Date.now();
  for (let b = 0; b < batches; b++) {
    const now = Date.now();
    src.emit(Array.from({ length: perBatch }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert((b * perBatch + i) % 2000, { updatedAt: now }) })));
    const next = t0 + (b + 1) * 50;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  return perBatch * batches;
}

async function fanOut(label: string, urls: string[], src: TestSource) {
  const lags: number[] = [];
  const consoles = await Promise.all(Array.from({ length: CONSOLES }, (_, i) => wireConsole(urls[i % urls.length], lags)));
  const load = os.loadavg()[0];
  const sent = await drive(src);
  await until(() => consoles.every((c) => c.events() >= sent), `${label}: every console to get ${sent} events`, 300_000, 100);
  for (const c of consoles) c.close();
  expect(lags.length).toBe(sent * CONSOLES);
  return { label, consoles: CONSOLES, eventsPerSecond: RATE, seconds: SECONDS, events: sent, p50Ms: percentile(lags, 50), p99Ms: percentile(lags, 99), maxLagMs: Math.max(...lags), load1mBefore: load, load1mAfter: os.loadavg()[0] };
}

it('fan-out: 2 PostgreSQL replicas vs one SQLite gateway, same consoles and events', async () => {
  const url = await pg.createDatabase('bench_fanout');
  const srcA = testSource();
  const replicas: Gateway[] = [];
  for (const name of ['a', 'b']) {
    const connection = { connectionString: url };
    const g = await gateway(name === 'a' ? srcA : testSource(), dir(), {
      store: openPgGatewayStore(connection),
      replication: { connection, replica: name, key: 'bench:fanout' },
    });
    cleanups.push(() => g.close());
    replicas.push(g);
    if (name === 'a') await until(() => g.leadership().leads.length > 0, 'a leads');
  }
  const pgFigures = await fanOut('postgres-2-replicas', replicas.map((g) => g.url), srcA);
  for (const g of replicas) await g.close();

  const srcS = testSource();
  const single = await gateway(srcS, dir());
  cleanups.push(() => single.close());
  const sqliteFigures = await fanOut('sqlite-1-gateway', [single.url], srcS);
  await single.close();
  console.log(JSON.stringify({ bench: 'replicas-fanout', cpus: os.cpus().length, postgres: pgFigures, sqliteReference: sqliteFigures }));
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
