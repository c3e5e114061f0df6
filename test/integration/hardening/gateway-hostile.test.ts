/**
 * The built gateway (out/main/gateway.js, as operators run it; the alertmanager source, whose /webhook
 * reads bodies, against an Alertmanager that is not there) under a generated corpus of hostile traffic:
 * malformed request targets on every route and on the upgrade, hostile webhook bodies (not JSON, over the
 * limit, torn mid-body, lying about their length, deeply nested, lone surrogates), and WebSocket frames
 * before and after hello (over the size limits, binary, invalid UTF-8, torn, reserved opcodes, unmasked,
 * floods). Every request gets a 4xx (or its answer), every frame an error frame, an answer or a close code,
 * and afterwards the gateway still answers /healthz and serves a well-behaved client.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HARD_FRAME_BYTES, MAX_FRAME_BYTES, PROTOCOL } from '@shared/protocol';
import { tempDir } from '@test/helpers/tmp';
import { frameRecipes, malformedTargets, rawRequest, runRecipe, SEED, type FrameOutcome } from '@test/helpers/hostile';
import { startGatewayProc, type GatewayProc } from '@test/chaos/procs';

const TOKEN = 'hostile-gateway-token-0123456789';
/** 1009 too large, 1007 invalid UTF-8, 1002 protocol error, 1008 policy (not reading its answers) */
const CLOSE_CODES = [1009, 1007, 1002, 1008];
const SELF_ENDING = /^torn /;

let dir: { dir: string; cleanup(): void };
let gw: GatewayProc;
let helloId = 0;

// each class gets a gateway of its own, so a crash in one cannot hide (or cause) the result of another
beforeEach(async () => {
  dir = tempDir('vigil-gateway-hostile-');
  gw = await startGatewayProc({ dataDir: dir.dir, token: TOKEN, source: 'alertmanager', alertmanagerUrl: 'http://127.0.0.1:9', pollIntervalMs: 60_000 });
}, 180_000);
afterEach(async () => {
  await gw?.stop();
  dir?.cleanup();
});

const wsOpts = (): WebSocket.ClientOptions & { protocols: string[] } => ({
  protocols: [PROTOCOL],
  headers: { Authorization: `Bearer ${TOKEN}` },
  perMessageDeflate: false,
});

async function stillServing(after: string): Promise<void> {
  expect(gw.child.exitCode, `the gateway exited after ${after}`).toBeNull();
  const health = await rawRequest(gw.port, '/healthz');
  expect(health.status, `/healthz after ${after}`).toBe(200);
  const ws = new WebSocket(gw.url, [PROTOCOL], { headers: { Authorization: `Bearer ${TOKEN}` } });
  try {
    const welcome = await new Promise<string>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', clientId: `well-behaved-${++helloId}`, protocol: 1, cursor: null })));
      ws.on('message', (d) => {
        const f = d.toString();
        if (f.includes('"welcome"')) resolve(f);
      });
    });
    expect(JSON.parse(welcome), `welcome after ${after}`).toMatchObject({ type: 'welcome', protocol: 1 });
  } finally {
    ws.terminate();
  }
}

describe(`the gateway under hostile requests (seed ${SEED})`, () => {
  it('answers every malformed request target on every route and on the upgrade with a 4xx, and keeps serving', async () => {
    const targets = malformedTargets(250);
    const wrong: string[] = [];
    const statuses: Record<string, number> = {};
    for (const [i, target] of targets.entries()) {
      const ways: { method: string; headers?: Record<string, string>; body?: string }[] = [
        { method: 'GET' },
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': '2' }, body: '{}' },
        {
          method: 'GET',
          headers: { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Protocol': PROTOCOL, Authorization: `Bearer ${TOKEN}` },
        },
      ];
      for (const how of ways) {
        const r = await rawRequest(gw.port, target, how);
        statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
        // 101: a well-formed upgrade on any path is a socket (the gateway serves one endpoint); 200: /healthz?…
        if (r.status === null || r.status >= 500 || (r.status < 400 && r.status !== 200 && r.status !== 101))
          wrong.push(`${how.method}${how.headers?.Upgrade ? ' upgrade' : ''} ${JSON.stringify(target.slice(0, 80))} → ${r.status}`);
      }
      if (i % 100 === 99) await stillServing(`${i + 1} targets`);
    }
    expect(wrong).toEqual([]);
    for (const t of ['/%', '/%C3%28', '/healthz%00', '/\x01']) expect((await rawRequest(gw.port, t)).status, t).toBe(400);
    console.log(JSON.stringify({ suite: 'gateway-hostile', targets: targets.length, byStatus: statuses }));
    await stillServing('the whole target corpus');
  });

  it('answers every hostile webhook body with a 4xx and keeps serving', async () => {
    const post = (body: Buffer | string, headers: Record<string, string> = {}, timeoutMs?: number) =>
      rawRequest(gw.port, '/webhook', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers },
        body,
        timeoutMs,
      });
    const bodies: [string, Buffer | string, Record<string, string>?][] = [
      ['not JSON', 'not json at all'],
      ['empty', ''],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0xff, 0x7d])],
      ['lone surrogates', '{"version":"\ud800","status":"\udfff","alerts":[]}'],
      ['deeply nested', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
      ['wrong shape', '{"version":"4","status":"firing","alerts":[{"labels":{"a":1}}]}'],
      ['null', 'null'],
      ['over the limit', Buffer.alloc(MAX_FRAME_BYTES + 10, 0x20)],
      ['chunked garbage', 'zz\r\n{}\r\n0\r\n\r\n', { 'Transfer-Encoding': 'chunked', 'Content-Length': '' }],
    ];
    const answers: string[] = [];
    for (const [name, body, headers] of bodies) {
      const clean = Object.fromEntries(Object.entries(headers ?? {}).filter(([, v]) => v !== ''));
      const r = await post(body, headers && 'Content-Length' in headers ? clean : { ...clean });
      answers.push(`${name} → ${r.status}`);
      expect(r.status, name).not.toBeNull();
      expect(r.status! >= 400 && r.status! < 500, `${name} → ${r.status}`).toBe(true);
    }
    // a body that says 1000 bytes and stops after 10 (the client goes away mid-body), repeatedly
    for (let i = 0; i < 50; i++) {
      const r = await rawRequest(gw.port, '/webhook', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': '1000' },
        body: '{"version":',
        timeoutMs: 50,
      });
      expect([null, 400, 408]).toContain(r.status);
    }
    // a flood of valid webhooks (each only a nudge to poll)
    const valid = JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'X' } }] });
    const flood = await Promise.all(Array.from({ length: 200 }, () => post(valid)));
    expect(flood.every((r) => r.status === 200)).toBe(true);
    console.log(JSON.stringify({ suite: 'gateway-hostile', webhook: answers }));
    await stillServing('the webhook corpus');
  });

  it('answers every hostile frame before hello with an error frame or a close code, and keeps serving', async () => {
    const outcomes = await runAll('pre-hello', async () => {});
    check(outcomes);
    await stillServing('the pre-hello frame corpus');
  });

  it('answers every hostile frame after hello with an error frame, an answer or a close code, and keeps serving', async () => {
    const outcomes = await runAll('post-hello', async (ws, next) => {
      // a console of its own per recipe (one console asking for a snapshot 60 times would be rate limited)
      ws.send(JSON.stringify({ type: 'hello', clientId: `hostile-${++helloId}`, protocol: 1, cursor: null }));
      while (!(await next()).includes('"welcome"'));
    });
    check(outcomes);
    await stillServing('the post-hello frame corpus');
  });
});

function check(outcomes: FrameOutcome[]): void {
  for (const o of outcomes.filter((x) => !SELF_ENDING.test(x.name))) {
    const what = `${o.name}: ${JSON.stringify({ ...o, frames: o.frames.slice(0, 2) })}`;
    if (o.closeCode !== null) expect(CLOSE_CODES, what).toContain(o.closeCode);
    else expect(o.frames.some((f) => /"type":"(error|result|pong|welcome)"/.test(f)), what).toBe(true);
  }
}

async function runAll(phase: string, before: Parameters<typeof runRecipe>[3]): Promise<FrameOutcome[]> {
  const outcomes: FrameOutcome[] = [];
  const recipes = [
    ...frameRecipes({ overLimitBytes: MAX_FRAME_BYTES + 1, validFrame: () => JSON.stringify({ type: 'ping', t: 1 }) }),
    { name: 'over the hard limit', run: (ws: WebSocket) => ws.send(Buffer.alloc(HARD_FRAME_BYTES + 1, 0x61), { binary: false }) },
  ];
  for (const r of recipes) {
    outcomes.push(await runRecipe(gw.url, wsOpts(), r, before));
    expect(gw.child.exitCode, `the gateway exited on "${r.name}" (${phase})`).toBeNull();
  }
  const byClose = outcomes.reduce<Record<string, number>>((m, o) => ((m[String(o.closeCode)] = (m[String(o.closeCode)] ?? 0) + 1), m), {});
  console.log(JSON.stringify({ suite: 'gateway-hostile', phase, recipes: outcomes.length, byClose }));
  return outcomes;
}
