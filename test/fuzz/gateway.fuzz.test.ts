/**
 * Fuzzing the gateway: the real gateway server (startGateway, its SQLite store, idempotency table and
 * metrics) on loopback; a raw WebSocket with the right token and subprotocol sends FUZZ_FRAMES mutated
 * client frames (default 100 000, seeded by FUZZ_SEED) while a real console core stays connected.
 *
 * Proven afterwards: the fuzzing socket was never closed on it; every frame the protocol decoder refuses
 * got an `error` frame with that code and was counted in vigil_gateway_bad_frames_total; every action it
 * accepted got a `result` and one row in the idempotency table, and reached the upstream at most once
 * however often its id was replayed; and the well-behaved console
 * still receives new events and gets its own action applied. A frame over the hard limit closes only
 * its own socket (1009). A second test sends hand-written bad frames whose codes are written in the test,
 * so the decoder is not checked against itself.
 *
 * The source is a minimal in-test upstream (what the fuzz checks is the gateway, not Alertmanager).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '@test/helpers/until';
import WebSocket from 'ws';
import type { ActionOutcome, Source, SourceAction, SourceContext } from '@gateway/source';
import { startGateway, type Gateway } from '@gateway/server';
import { createCore, type Core } from '@core';
import { createLogger, silentLogger } from '@node/log';
import { openGatewayStore } from '@gateway/sqlite/store';
import { MemorySecretStore } from '@core/secrets';
import { ClientFrame, decodeClientFrame, HARD_FRAME_BYTES, PROTOCOL, PROTOCOL_VERSION } from '@shared/protocol';
import { tempDir } from '../helpers/tmp';
import { actionCorpus, alertData, newActionId, T0 } from './corpus';
import { createMutator, fuzzSettings, tally, type FuzzFrame } from './mutate';

const { seed, frames: FRAMES } = fuzzSettings(100_000);
const TOKEN = 'fuzz-gateway-token-0123456789';
const CLIENT_TYPES = ClientFrame.options.map((o) => o.shape.type.value as string);

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A small upstream: a few alerts, and every alert/silence action accepted; counts how often each action id reached it. */
function quietSource(): Source & { ctx(): SourceContext; applied: number; appliedIds: Map<string, number> } {
  let ctx: SourceContext | null = null;
  const src = {
    name: 'fuzz',
    applied: 0,
    appliedIds: new Map<string, number>(),
    ctx: () => ctx!,
    async start(c: SourceContext) {
      ctx = c;
      c.emit(Array.from({ length: 5 }, (_, i) => ({ kind: 'alert.upsert' as const, data: alertData(i) })));
    },
    async stop() {},
    async apply(a: SourceAction): Promise<ActionOutcome> {
      src.applied++;
      src.appliedIds.set(a.id, (src.appliedIds.get(a.id) ?? 0) + 1);
      return { ok: true };
    },
  };
  return src;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [PROTOCOL], {
      headers: { Authorization: `Bearer ${TOKEN}` },
      perMessageDeflate: false,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const metricSum = (text: string, name: string): number =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

describe('gateway under malformed frames', () => {
  it(`answers every bad frame, never drops a socket for it, keeps serving (${FRAMES} frames, seed ${seed})`, async () => {
    const started = Date.now();
    const dir = tempDir('vigil-fuzz-gw-');
    cleanups.push(dir.cleanup);
    const source = quietSource();
    const logged = tally();
    const log = createLogger({
      minLevel: 'debug',
      write: (line) => {
        const r = JSON.parse(line) as { level: string; action: string };
        logged.add(`${r.level}:${r.action}`);
      },
    });
    // the SQLite store opened here, so the checks below can read its tables
    const store = openGatewayStore(path.join(dir.dir, 'gateway.db'));
    // the fuzzer says hello thousands of times on one socket; how often a client may take a snapshot is
    // session.test.ts's subject, not this one's
    const gw: Gateway = await startGateway({ source, token: TOKEN, store, port: 0, log, snapshotLimit: { burst: 1_000_000 } });
    cleanups.push(() => gw.close());

    // the well-behaved console, connected for the whole run
    const consoleDir = tempDir('vigil-fuzz-console-');
    cleanups.push(consoleDir.cleanup);
    const core: Core = createCore({
      dataDir: consoleDir.dir,
      transport: 'browser',
      secrets: new MemorySecretStore(),
      log: silentLogger,
      platform: { url: gw.url, token: TOKEN },
    });
    cleanups.push(() => core.close());
    const alertCount = () => (core.db!.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
    await until(() => alertCount() === 5, 'the console to take its snapshot', 120_000, 20);

    // ---- the fuzzing socket -------------------------------------------------------------------------------
    const ws = await open(gw.url);
    let closed: number | null = null;
    ws.on('close', (code) => (closed = code));
    const replies = tally();
    const errorCodes = tally();
    const resultIds = new Map<string, number>();
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; id?: string; error?: { code: string } };
      replies.add(f.type);
      if (f.type === 'error') errorCodes.add(f.error!.code);
      if (f.type === 'result') resultIds.set(f.id!, (resultIds.get(f.id!) ?? 0) + 1);
    });

    const m = createMutator(seed);
    const ops = tally();
    const actions = actionCorpus();
    const expectedErrors = tally();
    const acceptedActionIds = new Set<string>();
    let hellos = 0;
    let pings = 0;
    let sent = 0;

    const template = (): Record<string, unknown> => {
      const r = m.rng();
      if (r < 0.04)
        return {
          type: 'hello',
          clientId: `fz-${m.int(100)}`,
          protocol: PROTOCOL_VERSION,
          cursor: m.chance(0.5) ? null : gw.store.head(),
          serverId: gw.serverId,
          operator: 'fuzzer',
        };
      if (r < 0.2) return { type: m.pick(['ping', 'pong']), t: T0 };
      const a = m.pick(actions);
      // fresh ids mostly; sometimes one already used (a replay must be answered from the table)
      const id = m.chance(0.1) && acceptedActionIds.size ? m.pick([...acceptedActionIds].slice(-50)) : newActionId();
      return { type: 'action', id, action: a.action, payload: a.payload, at: T0, actor: 'fuzzer' };
    };

    const send = (f: FuzzFrame): Promise<void> =>
      new Promise((resolve, reject) => {
        const isBinary = typeof f.payload !== 'string';
        const bytes = isBinary ? (f.payload as Buffer).length : Buffer.byteLength(f.payload as string);
        const d = decodeClientFrame(isBinary ? null : (f.payload as string), bytes);
        if (!d.ok) expectedErrors.add(d.code);
        else if (d.frame.type === 'hello') hellos++;
        else if (d.frame.type === 'ping') pings++;
        else if (d.frame.type === 'action') acceptedActionIds.add(d.frame.id);
        ops.add(f.op);
        sent++;
        ws.send(f.payload, { binary: isBinary }, (err) => (err ? reject(err) : resolve()));
      });

    // a valid hello first: actions before one are refused (hello_required), which the mutator also finds
    await send({
      payload: JSON.stringify({ type: 'hello', clientId: 'fz-0', protocol: 1, cursor: null, serverId: null }),
      op: 'valid',
    });
    for (let i = 1; i < FRAMES;) {
      const batch: Promise<void>[] = [];
      for (let j = 0; j < 500 && i < FRAMES; j++, i++) batch.push(send(m.frame(template(), CLIENT_TYPES, 0.3)));
      await Promise.all(batch);
    }

    const expectedErrorTotal = Object.values(expectedErrors.get()).reduce((a, b) => a + b, 0);
    await until(
      () =>
        errorCodes.get() &&
        Object.values(errorCodes.get()).reduce((a, b) => a + b, 0) >= expectedErrorTotal &&
        resultIds.size >= acceptedActionIds.size &&
        (replies.get().pong ?? 0) >= pings,
      'the gateway to answer every frame',
      120_000,
      20,
    );

    // ---- what must hold -------------------------------------------------------------------------------------
    expect(closed).toBeNull();
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(errorCodes.get()).toEqual(expectedErrors.get());
    // one result per distinct accepted id; replays are answered too, never applied twice
    for (const id of acceptedActionIds) expect(resultIds.get(id) ?? 0, id).toBeGreaterThanOrEqual(1);
    const table = store.db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS d FROM actions').get() as {
      n: number;
      d: number;
    };
    // the console's own action below adds one more row later; here only the fuzzer's are in
    expect(table.n).toBe(acceptedActionIds.size);
    expect(table.d).toBe(table.n);
    // the upstream saw each accepted action at most once, however often its id was replayed
    const twice = [...source.appliedIds].filter(([, n]) => n > 1);
    expect(twice, 'action ids the source applied more than once').toEqual([]);
    for (const id of source.appliedIds.keys()) expect(acceptedActionIds.has(id), id).toBe(true);
    expect(source.appliedIds.size).toBeGreaterThan(0);
    expect(replies.get().welcome ?? 0).toBe(hellos);
    const metrics = await (await fetch(gw.url.replace('ws:', 'http:') + '/metrics')).text();
    expect(metricSum(metrics, 'vigil_gateway_bad_frames_total')).toBe(expectedErrorTotal);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');

    // a frame over the hard limit closes that socket alone, with 1009
    const big = await open(gw.url);
    const bigClosed = new Promise<number>((r) => big.once('close', (code) => r(code)));
    big.send(Buffer.alloc(HARD_FRAME_BYTES + 1, 0x20), { binary: false });
    expect(await bigClosed).toBe(1009);

    // the console never noticed: it still gets new events and its own action is applied
    source.ctx().emit([{ kind: 'alert.upsert', data: alertData(99) }]);
    await until(() => alertCount() === 6, 'the console to receive a new alert after the fuzz', 120_000, 20);
    const acked = await core.dispatch('alertAck', [[alertData(99).fingerprint], { note: 'after the fuzz' }]);
    expect(acked.ok).toBe(true);
    await until(
      () => (core.db!.prepare("SELECT count(*) AS n FROM outbox WHERE state = 'acked'").get() as { n: number }).n === 1,
      "the console's action to be confirmed",
      120_000,
      20,
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();

    console.log(
      JSON.stringify({
        suite: 'fuzz.gateway',
        seed,
        frames: sent,
        refusedByDecoder: expectedErrorTotal,
        errorFramesByCode: errorCodes.get(),
        operators: ops.get(),
        replies: replies.get(),
        actionsAccepted: acceptedActionIds.size,
        actionsStored: table.n,
        sourceApplied: source.applied,
        gatewayLog: logged.get(),
        durationMs: Date.now() - started,
      }),
    );
  }, 600_000);

  it('answers hand-written bad frames with the codes the protocol documents (not computed by its own decoder)', async () => {
    const dir = tempDir('vigil-fuzz-gw-known-');
    cleanups.push(dir.cleanup);
    const gw: Gateway = await startGateway({
      source: quietSource(),
      token: TOKEN,
      store: openGatewayStore(path.join(dir.dir, 'gateway.db')),
      port: 0,
      log: silentLogger,
    });
    cleanups.push(() => gw.close());
    const ws = await open(gw.url);
    const replies: { type: string; error?: { code: string } }[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    const [valid] = actionCorpus();
    const action = JSON.stringify({
      type: 'action',
      id: newActionId(),
      action: valid.action,
      payload: valid.payload,
      at: T0,
      actor: 'fuzzer',
    });
    const cases: [string, string | Buffer, string][] = [
      ['not JSON', '{"type": "ping", ', 'bad_json'],
      ['JSON, not an object', '[1, 2, 3]', 'bad_frame'],
      ['a number as type', '{"type": 42}', 'bad_frame'],
      ['an unknown type', '{"type": "launch", "t": 1}', 'unknown_type'],
      ['ping without its time', '{"type": "ping"}', 'bad_frame'],
      [
        'hello with a wrong field type',
        '{"type": "hello", "clientId": 7, "protocol": 1, "cursor": null, "serverId": null}',
        'bad_frame',
      ],
      ['a binary frame', Buffer.from('{"type":"ping","t":1}'), 'binary_frame'],
      ['over the soft limit (4 MiB)', `"${'x'.repeat(4 * 1024 * 1024)}"`, 'frame_too_large'],
      ['an action before hello', action, 'hello_required'],
    ];
    for (const [, frame, code] of cases) {
      const before = replies.length;
      ws.send(frame, { binary: typeof frame !== 'string' });
      await until(() => replies.length > before, `an answer to ${code}`, 30_000, 10);
    }
    expect(replies.map((r) => r.error?.code ?? r.type)).toEqual(cases.map(([, , code]) => code));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const metrics = await (await fetch(gw.url.replace('ws:', 'http:') + '/metrics')).text();
    // every refusal is counted, the session's hello_required included
    expect(metricSum(metrics, 'vigil_gateway_bad_frames_total')).toBe(cases.length);
    ws.close();
  }, 120_000);
});
