/**
 * Simulated consoles for bench/replicas.bench.test.ts, in a worker thread (plain JS: the worker runs outside
 * vitest's transform). Each console is one WebSocket to a gateway that does what a console's link must do at
 * the least, and no more:
 * - sends a hello (cursor null, so a snapshot first), with the bench's bearer token;
 * - reads every frame it is sent; non-event frames (welcome, status, snapshot chunks) are parsed as JSON; the
 *   last snapshot chunk's seq is its cursor;
 * - of an event frame it reads only the seq (the frame's first field) and the alert's `updatedAt` (the time
 *   the gateway built the alert from its poll), without parsing the rest: the seq must be cursor + 1 (a
 *   skipped or repeated event is counted as a violation), the cursor moves to it, and the lag — receipt time
 *   minus updatedAt — goes into a histogram of 1 ms buckets.
 * It does not store alerts or render anything: at 500 consoles × 2000 events/s a full parse of every frame
 * would by itself need more CPU than the machine has, and would measure the simulator, not the gateway.
 *
 * Messages: {cmd:'open', urls, count, first, token} → {type:'opened'} once every console is live;
 * {cmd:'stats'} → {type:'stats', events (per console), violations, hist, max}; {cmd:'reset'} clears the
 * counts (after the warm-up); {cmd:'close'}.
 */
import { parentPort } from 'node:worker_threads';
import WebSocket from 'ws';

const BUCKETS = 120_000;
let hist = new Uint32Array(BUCKETS + 1);
let max = 0;
const consoles = [];

const SEQ_AT = Buffer.byteLength('{"type":"event","seq":');
const EVENT_HEAD = Buffer.from('{"type":"event","seq":');
const UPDATED = Buffer.from('"updatedAt":');

/** the decimal integer in b starting at i */
function intAt(b, i) {
  let n = 0;
  for (let c = b[i]; c >= 48 && c <= 57; c = b[++i]) n = n * 10 + (c - 48);
  return n;
}

function onEvent(con, b, now) {
  const seq = intAt(b, SEQ_AT);
  if (con.cursor !== null && seq !== con.cursor + 1) con.violations++;
  con.cursor = seq;
  con.events++;
  const u = b.indexOf(UPDATED);
  if (u < 0) return;
  const lag = Math.max(0, now - intAt(b, u + UPDATED.length));
  hist[Math.min(lag, BUCKETS)]++;
  if (lag > max) max = lag;
}

function open(url, name, token) {
  return new Promise((resolve, reject) => {
    const con = { cursor: null, events: 0, violations: 0, live: false, ws: null };
    const ws = new WebSocket(url, ['vigil.v1'], { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    con.ws = ws;
    ws.on('message', (data) => {
      const b = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (b.length > EVENT_HEAD.length && b.compare(EVENT_HEAD, 0, EVENT_HEAD.length, 0, EVENT_HEAD.length) === 0)
        return onEvent(con, b, Date.now());
      const f = JSON.parse(b.toString());
      if (f.type === 'snapshot' && f.chunk === f.chunks - 1) {
        con.cursor = f.seq;
        con.live = true;
        resolve(con);
      } else if (f.type === 'welcome' && f.mode === 'events') {
        con.live = true;
        resolve(con);
      } else if (f.type === 'error') reject(new Error(`${name}: ${JSON.stringify(f.error)}`));
    });
    ws.once('error', reject);
    ws.once('open', () =>
      ws.send(JSON.stringify({ type: 'hello', clientId: name, protocol: 1, cursor: null, serverId: null, operator: 'bench' })),
    );
  });
}

parentPort.on('message', async (m) => {
  try {
    if (m.cmd === 'open') {
      for (let i = 0; i < m.count; i++) {
        const n = m.first + i;
        consoles.push(await open(m.urls[n % m.urls.length], `bench-${m.label}-${n}`, m.token));
      }
      parentPort.postMessage({ type: 'opened' });
    } else if (m.cmd === 'reset') {
      hist = new Uint32Array(BUCKETS + 1);
      max = 0;
      for (const c of consoles) c.events = 0;
      parentPort.postMessage({ type: 'reset' });
    } else if (m.cmd === 'stats') {
      parentPort.postMessage({
        type: 'stats',
        events: consoles.map((c) => c.events),
        violations: consoles.reduce((n, c) => n + c.violations, 0),
        closed: consoles.filter((c) => c.ws.readyState !== WebSocket.OPEN).length,
        hist,
        max,
      });
    } else if (m.cmd === 'close') {
      for (const c of consoles) c.ws.terminate();
      consoles.length = 0;
      parentPort.postMessage({ type: 'closed' });
    }
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: String(err && err.stack ? err.stack : err) });
  }
});
