/**
 * The event rate the console sustains: how many platform events per second the client stores (real core,
 * real appliers, the real alerts module behind them) while a stream of N alert updates arrives as fast as
 * it can take them.
 *
 * Setup: a gateway's log holds N updates of 1,000 alerts that the console has not seen (it took the
 * snapshot, went away, the platform changed N times). The gateway then runs as its own process (the built
 * gateway, out/main/gateway.js, on that log, its Alertmanager unreachable so it sends nothing else), so the
 * benchmark process is the client only: its wall time and CPU time are the client's.
 *
 * - sustained rate: the client resumes and catches up; the clock runs from the moment it has stored the
 *   first WARM events (connected, handshake done, code warm) to the moment it has stored the last one. The
 *   rate is events stored in that window ÷ its wall time; also the client's CPU time per event in it.
 * - one-shot catch-up (the figure this benchmark printed before): core created → all N stored, including
 *   opening the store, connecting and the handshake.
 * Reference in the same run: the same N frames sent by a plain `ws` server in its own process to a `ws`
 * client in this process that only JSON-parses each frame, timed over the same window (frames WARM…N).
 * Prints one JSON line; asserts nothing about timing (it asserts every event was applied).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { FIRST_SCREEN_WAIT_MS } from '@core';
import type { LinkState } from '@shared/domain';
import { alert, core, gateway, testSource, TOKEN } from '@test/integration/link/helpers';
import { until } from '@test/helpers/until';
import { startProcess } from '@test/services/processes';
import { tempDir } from '@test/helpers/tmp';
import { builtOutDir, cpuProfile, machineLoad, report, round1 } from './support';

const N = 50_000;
const ALERTS = 1000;
const WARM = 5000;
const ROOT = path.resolve(__dirname, '..');

interface Window {
  events: number;
  wallMs: number;
  cpuMs: number;
}

/** a window's figures: events per wall second and CPU microseconds per event */
const rates = (w: Window) => ({ perSecond: Math.round((w.events / w.wallMs) * 1000), cpuUsPerEvent: round1((w.cpuMs * 1000) / w.events) });
const cpuMsSince = (u: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(u);
  return (d.user + d.system) / 1000;
};

/** Sends `frames` (one per line of a file) from a ws server in its own process to a client here that JSON-parses each. */
async function rawReference(framesFile: string, count: number): Promise<Window> {
  const script = `
    const fs = require('node:fs');
    const { WebSocketServer } = require(${JSON.stringify(require.resolve('ws', { paths: [ROOT] }))});
    const frames = fs.readFileSync(${JSON.stringify(framesFile)}, 'utf8').split('\\n').filter(Boolean);
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    wss.on('listening', () => console.log('raw ws on ' + wss.address().port));
    wss.on('connection', (ws) => { for (const f of frames) ws.send(f); });`;
  const server = await startProcess(process.execPath, ['-e', script], { ready: /raw ws on (\d+)/, timeoutMs: 60_000 });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.match[1]}`, { perMessageDeflate: false });
    let n = 0;
    let t1 = 0;
    let cpu1: NodeJS.CpuUsage = process.cpuUsage();
    const w = await new Promise<Window>((resolve) =>
      ws.on('message', (d) => {
        JSON.parse(d.toString());
        if (++n === WARM) {
          t1 = performance.now();
          cpu1 = process.cpuUsage();
        }
        if (n === count) resolve({ events: count - WARM, wallMs: performance.now() - t1, cpuMs: cpuMsSince(cpu1) });
      }),
    );
    ws.close();
    return w;
  } finally {
    await server.stop();
  }
}

it('sustained events/s applied by the client vs raw ws + JSON.parse', async () => {
  const outDir = builtOutDir();
  const loadBefore = machineLoad();
  const gdir = tempDir('bench-gw-');
  const cdir = tempDir('bench-core-');
  // 1. the console takes the snapshot of 1,000 alerts, then goes away; the platform changes N times
  const src = testSource(Array.from({ length: ALERTS }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(i) })));
  const gw = await gateway(src, gdir.dir);
  let c = core(cdir.dir, gw.url);
  await until(() => (c.db!.prepare('SELECT cursor FROM sync_cursor').get() as { cursor: number } | undefined)?.cursor === gw.store.head(), 'snapshot');
  await c.close();
  const base = gw.store.head();
  for (let i = 0; i < N; i += 5000)
    src.emit(
      Array.from({ length: 5000 }, (_, j) => {
        const k = i + j;
        return {
          kind: 'alert.upsert' as const,
          data: alert(k % ALERTS, { updatedAt: 1_800_000_000_000 + k, annotations: { summary: `update ${k}` }, ackedBy: k % 3 === 0 ? 'bench' : null }),
        };
      }),
    );
  const head = gw.store.head();
  expect(head - base).toBe(N);
  const framesFile = path.join(gdir.dir, 'frames.jsonl');
  fs.writeFileSync(
    framesFile,
    gw.store
      .eventsAfter(base, N)
      .map((e) => `{"type":"event","seq":${e.seq},"kind":"${e.kind}","data":${e.data},"at":${e.at}}\n`)
      .join(''),
  );
  await gw.close();

  // 2. the same gateway log served by the built gateway in its own process
  const gwProc = await startProcess(
    process.execPath,
    [path.join(outDir, 'main/gateway.js'), '--source', 'alertmanager', '--alertmanager-url', 'http://127.0.0.1:9', '--poll-interval', '600000', '--port', '0', '--data-dir', gdir.dir],
    { env: { ...process.env, VIGIL_GATEWAY_TOKEN: TOKEN, VIGIL_LOG_LEVEL: 'warn' }, ready: /listening on (ws:\/\/\S+)/, timeoutMs: 60_000 },
  );
  let sustained: Window;
  let oneShotMs: number;
  /** when the window ended, after the core was created: the core's start-up work waits FIRST_SCREEN_WAIT_MS for a page that never asks */
  let windowEndAfterCreateMs = 0;
  let eventsApplied: number;
  try {
    const createdAt = performance.now();
    windowEndAfterCreateMs = 0;
    let t1 = 0;
    let cursor1 = 0;
    let cpu1 = process.cpuUsage();
    const profile: { stop: (() => Promise<string | null>) | null } = { stop: null };
    c = core(cdir.dir, gwProc.match[1]);
    sustained = await new Promise<Window>((resolve) =>
      c.on((name, p) => {
        if (name !== 'linkState') return;
        const cur = (p as LinkState).cursor ?? 0;
        if (!t1 && cur >= base + WARM) {
          t1 = performance.now();
          cpu1 = process.cpuUsage();
          cursor1 = cur;
          profile.stop = cpuProfile('sync-events-client');
        }
        if (cur === head) {
          windowEndAfterCreateMs = performance.now() - createdAt;
          resolve({ events: head - cursor1, wallMs: performance.now() - t1, cpuMs: cpuMsSince(cpu1) });
        }
      }),
    );
    oneShotMs = performance.now() - createdAt;
    const profiled = await profile.stop?.();
    if (profiled) process.stderr.write(`sync-events: client profile in ${profiled}\n`);
    const stats = await c.dispatch('linkStats', []);
    eventsApplied = stats.ok ? (stats.value as { eventsApplied: number }).eventsApplied : -1;
    await c.close();
  } finally {
    await gwProc.stop();
  }
  expect(eventsApplied).toBe(N);

  const raw = await rawReference(framesFile, N);
  [gdir, cdir].forEach((d) => d.cleanup());
  const mine = rates(sustained);
  const ref = rates(raw);
  report({
    bench: 'sync-events',
    events: N,
    figures: [
      {
        name: `sustained apply rate (events ${WARM + 1}–${N} of a ${N}-event stream, client online and warm)`,
        value: mine.perSecond,
        unit: 'events/s',
        target: 'ratio ≥ 0.5',
        reference: ref.perSecond,
        referenceName: 'raw ws (own process) → ws client + JSON.parse, same window',
        ratio: Number((mine.perSecond / ref.perSecond).toFixed(3)),
      },
      {
        name: 'client CPU time per event in that window (user + system)',
        value: mine.cpuUsPerEvent,
        unit: 'µs',
        reference: ref.cpuUsPerEvent,
        ratio: Number((ref.cpuUsPerEvent / mine.cpuUsPerEvent).toFixed(3)),
        ratioMeaning: 'reference ÷ client, per event (the CPU-time form of the rate ratio)',
      },
      { name: `one-shot catch-up of ${N} events (core created → all stored, incl. store open, connect, handshake)`, value: Math.round(oneShotMs), unit: 'ms' },
    ],
    window: { client: sustained, reference: raw },
    // the core's deferred start-up work (templates, policy seeding, prune) starts FIRST_SCREEN_WAIT_MS after
    // it is created when no page asks for alerts, as here: a window that ends before that has none of it
    startupWorkInWindow: windowEndAfterCreateMs > FIRST_SCREEN_WAIT_MS,
    windowEndAfterCreateMs: Math.round(windowEndAfterCreateMs),
    loadBefore,
  });
});
