/**
 * The gateway on loopback, spoken to with a raw WebSocket: auth, subprotocol, health, metrics, bad frames,
 * snapshots in chunks, idempotent actions and the process actions it keeps itself.
 */
import { createLogger } from '@node/log';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { v7 as uuidv7 } from 'uuid';
import { MAX_FRAME_BYTES, PROTOCOL } from '@shared/protocol';
import type { Gateway } from '@gateway/server';
import type { Silence } from '@shared/alerts';
import { tempDir } from '@test/helpers/tmp';
import { alert, Client, gateway, gatewayFingerprints, testSource, TOKEN, type TestSource } from './helpers';
import { until } from '@test/helpers/until';

let dirs: { cleanup(): void }[] = [];
let open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  dirs.forEach((d) => d.cleanup());
  dirs = [];
  open = [];
});

async function start(src: TestSource = testSource(), extra = {}): Promise<Gateway> {
  const d = tempDir('vigil-gw-');
  dirs.push(d);
  const gw = await gateway(src, d.dir, extra);
  open.push(gw);
  return gw;
}
async function client(gw: Gateway, token = TOKEN) {
  const c = await Client.open(gw.url, token);
  open.push({ close: () => c.ws.terminate() });
  return c;
}
const httpBase = (gw: Gateway) => gw.url.replace(/^ws/, 'http');

describe('gateway: connecting', () => {
  it('refuses a wrong or missing token with 401 and counts it', async () => {
    const gw = await start();
    await expect(Client.open(gw.url, 'wrong-token-xyz')).rejects.toThrow(/401/);
    const bare = new WebSocket(gw.url, [PROTOCOL]);
    await expect(new Promise((res, rej) => (bare.once('open', res), bare.once('error', rej)))).rejects.toThrow(/401/);
    const metrics = await (await fetch(`${httpBase(gw)}/metrics`)).text();
    expect(metrics).toMatch(/vigil_gateway_auth_failures_total\{source="test"\} 2/);
  });

  it('requires the vigil.v1 subprotocol', async () => {
    const gw = await start();
    const ws = new WebSocket(gw.url, ['other.v9'], { headers: { Authorization: `Bearer ${TOKEN}` } });
    await expect(new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)))).rejects.toThrow(/400/);
  });

  it('answers /healthz and /metrics in Prometheus text format', async () => {
    const gw = await start(testSource([{ kind: 'alert.upsert', data: alert(1) }]));
    const h = await (await fetch(`${httpBase(gw)}/healthz`)).json();
    expect(h).toMatchObject({ status: 'ok', serverId: gw.serverId, source: 'test', head: 1, upstream: 'ok' });
    const c = await client(gw);
    c.hello();
    await c.next('snapshot');
    const res = await fetch(`${httpBase(gw)}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    for (const name of [
      'vigil_gateway_connections',
      'vigil_gateway_events_sent_total',
      'vigil_gateway_actions_total',
      'vigil_gateway_upstream_errors_total',
      'vigil_gateway_poll_latency_ms_bucket',
      'vigil_gateway_snapshots_total',
    ])
      expect(text).toContain(name);
    expect(text).toMatch(/vigil_gateway_connections\{source="test"\} 1/);
  });
});

describe('gateway: bad input gets a clear error frame and changes nothing', () => {
  it('malformed JSON, wrong types, unknown types, binary, huge frames, action before hello', async () => {
    const src = testSource([{ kind: 'alert.upsert', data: alert(1) }]);
    const gw = await start(src);
    const c = await client(gw);
    const head = gw.store.head();
    c.send('{"type": "hello", ');
    c.send({ type: 'hello', clientId: 42, protocol: 'one', cursor: 'x' });
    c.send({ type: 'teleport' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.send({ type: 'action', id: uuidv7(), action: 'alert.ack', payload: { fingerprint: 'fp1' }, at: 1 });
    c.send(JSON.stringify({ type: 'ping', t: 1, pad: 'x'.repeat(MAX_FRAME_BYTES) }));
    const errors = (await c.next('error', 6)).map((f) => f.error as { code: string; message: string });
    expect(errors.map((e) => e.code)).toEqual([
      'bad_json',
      'bad_frame',
      'unknown_type',
      'binary_frame',
      'hello_required',
      'frame_too_large',
    ]);
    expect(errors[1].message).toMatch(/clientId|protocol|cursor/);
    expect(errors[5].message).toMatch(/exceeds the limit/);
    // the connection is still usable and nothing was applied
    c.hello();
    await c.next('welcome');
    expect(c.closed).toBeNull();
    expect(src.applied).toHaveLength(0);
    expect(gw.store.head()).toBe(head);
    const metrics = await (await fetch(`${httpBase(gw)}/metrics`)).text();
    expect(metrics).toMatch(/vigil_gateway_bad_frames_total\{reason="bad_json",source="test"\} 1/);
  });

  it('an invalid action payload is refused with the field named, stored as that id’s answer', async () => {
    const src = testSource();
    const gw = await start(src);
    const c = await client(gw);
    c.hello();
    await c.next('welcome');
    const id = uuidv7();
    c.send({ type: 'action', id, action: 'silence.create', payload: { matchers: [], endsAt: 1, comment: '' }, at: 1 });
    const [r] = await c.next('result');
    expect(r).toMatchObject({ id, ok: false, error: { code: 'bad_payload' } });
    expect((r.error as { message: string }).message).toMatch(/matchers/);
    expect(src.applied).toHaveLength(0);
  });

  it('source events with bad data are dropped and counted, never logged to clients', async () => {
    const src = testSource();
    const gw = await start(src);
    src.emit([
      { kind: 'alert.upsert', data: { fingerprint: '' } as never },
      { kind: 'alert.upsert', data: alert(2) },
    ]);
    expect(gw.store.head()).toBe(1);
    const metrics = await (await fetch(`${httpBase(gw)}/metrics`)).text();
    expect(metrics).toMatch(/vigil_gateway_source_events_invalid_total\{kind="alert.upsert",source="test"\} 1/);
  });
});

describe('gateway: snapshots and resume', () => {
  it('sends a snapshot in chunks with totals, each chunk within the frame limit, then live events', async () => {
    const src = testSource(Array.from({ length: 1200 }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(i) })));
    const gw = await start(src, { chunkItems: 500 });
    const c = await client(gw);
    c.hello();
    const [w] = await c.next('welcome');
    expect(w).toMatchObject({ mode: 'snapshot', head: 1200, serverId: gw.serverId, protocol: 1 });
    const chunks = await c.next('snapshot', 3);
    expect(chunks.map((f) => [f.chunk, f.chunks, f.received, f.total, f.seq])).toEqual([
      [0, 3, 500, 1200, 1200],
      [1, 3, 1000, 1200, 1200],
      [2, 3, 1200, 1200, 1200],
    ]);
    src.emit([{ kind: 'alert.upsert', data: alert(5000) }]);
    const [e] = await c.next('event');
    expect(e).toMatchObject({ seq: 1201, kind: 'alert.upsert' });
  });

  it('resumes from a cursor with only the missing events; a foreign or future cursor gets a snapshot', async () => {
    const src = testSource(Array.from({ length: 10 }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(i) })));
    const gw = await start(src);
    const c = await client(gw);
    c.hello(7, gw.serverId);
    const [w] = await c.next('welcome');
    expect(w.mode).toBe('events');
    const evs = await c.next('event', 3);
    expect(evs.map((f) => f.seq)).toEqual([8, 9, 10]);
    const other = await client(gw);
    other.hello(7, 'some-other-server');
    expect((await other.next('welcome'))[0].mode).toBe('snapshot');
    const future = await client(gw);
    future.hello(99, gw.serverId);
    expect((await future.next('welcome'))[0].mode).toBe('snapshot');
  });

  it('snapshot frames stay within the frame limit in bytes, carry every entity once, and are UTF-8 text', async () => {
    // non-ASCII annotations: the limit is in bytes, which here are about three per character
    const big = (i: number) => alert(i, { annotations: { summary: `订单拉取失败 ${'积压'.repeat(i % 40)}` } });
    const src = testSource([
      ...Array.from({ length: 300 }, (_, i) => ({ kind: 'alert.upsert' as const, data: big(i) })),
      { kind: 'roster.upsert' as const, data: { id: 'r1', name: '一线', document: { levels: [] }, updatedAt: 1 } },
    ]);
    const gw = await start(src, { maxFrameBytes: 16 * 1024 });
    const c = await client(gw);
    const frames: { bytes: number; binary: boolean }[] = [];
    c.ws.on('message', (d: Buffer, binary) => frames.push({ bytes: d.length, binary }));
    c.hello();
    const [first] = await c.next('snapshot');
    const chunks = await c.next('snapshot', first.chunks as number);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.map((f) => f.chunk)).toEqual(chunks.map((_, i) => i));
    expect(chunks.at(-1)).toMatchObject({ received: 301, total: 301 });
    expect(frames.every((f) => !f.binary && f.bytes <= 16 * 1024)).toBe(true);
    const items = chunks.flatMap((f) => f.items as { kind: string; data: { fingerprint?: string } }[]);
    expect(items[0]).toMatchObject({ kind: 'roster.upsert', data: { name: '一线' } });
    const fps = items.filter((i) => i.kind === 'alert.upsert').map((i) => i.data.fingerprint);
    expect(fps.sort()).toEqual(gatewayFingerprints(gw));
    expect(items.find((i) => i.data.fingerprint === big(39).fingerprint)?.data).toEqual(big(39));
  });

  it('logs only real changes: an identical upsert and the removal of an unknown entity add no seq', async () => {
    const src = testSource([{ kind: 'alert.upsert', data: alert(1) }]);
    const gw = await start(src);
    src.emit([
      { kind: 'alert.upsert', data: alert(1) },
      { kind: 'alert.remove', data: { fingerprint: 'nope' } },
    ]);
    expect(gw.store.head()).toBe(1);
    src.emit([{ kind: 'alert.upsert', data: alert(1, { state: 'resolved', endsAt: 5 }) }]);
    expect(gw.store.head()).toBe(2);
  });
});

describe('gateway: actions', () => {
  it('applies an id once; a replay (same or another connection) returns the stored result', async () => {
    const src = testSource();
    const gw = await start(src);
    const a = await client(gw);
    a.hello();
    await a.next('welcome');
    const id = uuidv7();
    const frame = {
      type: 'action',
      id,
      action: 'alert.ack',
      payload: { fingerprint: 'fp1', note: 'mine' },
      at: 1,
      actor: 'Li Wei',
    };
    a.send(frame);
    a.send(frame);
    const rs = await a.next('result', 2);
    expect(rs.map((r) => [r.ok, r.replay ?? false])).toEqual([
      [true, false],
      [true, true],
    ]);
    const b = await client(gw);
    b.hello();
    await b.next('welcome');
    b.send(frame);
    expect((await b.next('result'))[0]).toMatchObject({ id, ok: true, replay: true });
    expect(src.applied).toHaveLength(1);
    // the shared token proves no name: the typed one is used, marked
    expect(src.applied[0]).toMatchObject({ id, type: 'alert.ack', operator: 'Li Wei (shared token)' });
  });

  it('a duplicate arriving while the first is still being applied waits for it instead of applying again', async () => {
    const src = testSource();
    const logged: string[] = [];
    const gw = await start(src, { log: createLogger({ write: (l) => logged.push(l) }) });
    const a = await client(gw);
    const b = await client(gw);
    for (const c of [a, b]) c.hello();
    await a.next('welcome');
    await b.next('welcome');
    const release = src.hold();
    const frame = { type: 'action', id: uuidv7(), action: 'silence.expire', payload: { silenceId: 's1' }, at: 1 };
    a.send(frame);
    await until(() => src.entered === 1, 'the first apply to begin');
    b.send(frame);
    // b's copy reaches the gateway while a's is still upstream: the gateway says that it waits for it
    await until(() => logged.some((l) => l.includes('"gateway.action_awaits_inflight"') && l.includes(frame.id)), "b's copy to wait for a's");
    expect(src.entered).toBe(1);
    release();
    await a.next('result');
    await b.next('result');
    expect(src.applied).toHaveLength(1);
    expect(b.of('result')[0].replay).toBe(true);
  });

  it('resumes an action whose apply began before the gateway died, so the source can find its earlier effect', async () => {
    const d = tempDir('vigil-gw-');
    dirs.push(d);
    const first = testSource();
    const gw1 = await gateway(first, d.dir);
    open.push(gw1);
    const a = await client(gw1);
    a.hello();
    await a.next('welcome');
    first.hold(); // the upstream call never returns: the gateway dies inside it
    const frame = { type: 'action', id: uuidv7(), action: 'silence.expire', payload: { silenceId: 's1' }, at: 1 };
    a.send(frame);
    await until(() => first.entered === 1, 'the apply to begin');
    await gw1.kill();

    const second = testSource();
    const gw2 = await gateway(second, d.dir);
    open.push(gw2);
    expect(gw2.store.unfinishedActions()).toBe(1);
    const b = await client(gw2);
    b.hello();
    await b.next('welcome');
    b.send(frame);
    b.send({ ...frame, id: uuidv7() });
    await b.next('result', 2);
    expect(second.resumed).toEqual([true, false]);
    expect(b.of('result').map((r) => r.ok)).toEqual([true, true]);
    expect(gw2.store.unfinishedActions()).toBe(0);
    // answered now: a further resend is a replay and reaches no source
    b.send(frame);
    expect((await b.next('result', 3))[2]).toMatchObject({ id: frame.id, replay: true });
    expect(second.entered).toBe(2);
  });

  it('hands a restarted source the alerts and silences it reported before', async () => {
    const d = tempDir('vigil-gw-');
    dirs.push(d);
    const silence: Silence = {
      id: 's1',
      matchers: [],
      startsAt: 1,
      endsAt: 2,
      createdBy: 'a',
      comment: 'c',
      state: 'expired',
      updatedAt: 1,
    };
    const gw1 = await gateway(
      testSource([
        { kind: 'alert.upsert', data: alert(1) },
        { kind: 'alert.upsert', data: alert(2) },
        { kind: 'silence.upsert', data: silence },
        { kind: 'alert.remove', data: { fingerprint: alert(2).fingerprint } },
      ]),
      d.dir,
    );
    await gw1.close();
    const src = testSource();
    const gw2 = await gateway(src, d.dir);
    open.push(gw2);
    const known = src.ctx().known!();
    expect(known.alerts).toEqual([alert(1)]);
    expect(known.silences).toEqual([silence]);
  });

  it('passes a source failure back with its reason', async () => {
    const src = testSource();
    src.outcome = () => ({
      ok: false,
      error: { code: 'upstream_error', message: 'silence rejected: end time in the past' },
    });
    const gw = await start(src);
    const c = await client(gw);
    c.hello();
    await c.next('welcome');
    c.send({
      type: 'action',
      id: uuidv7(),
      action: 'silence.create',
      // a window the gateway's own checks accept (an endsAt in the past is its bad_payload): this one reaches the source
      payload: { matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }], endsAt: Date.now() + 3_600_000, comment: 'x' },
      at: 1,
    });
    expect((await c.next('result'))[0]).toMatchObject({
      ok: false,
      error: { code: 'upstream_error', message: 'silence rejected: end time in the past' },
    });
  });

  it('keeps incidents, timeline, status updates, checklist results and handovers, and streams them to others', async () => {
    const gw = await start();
    const actor = await client(gw);
    const watcher = await client(gw);
    for (const c of [actor, watcher]) c.hello();
    await actor.next('welcome');
    await watcher.next('snapshot');
    const act = (action: string, payload: unknown, name = 'Ana') =>
      actor.send({ type: 'action', id: uuidv7(), action, payload, at: 1, actor: name });
    act('incident.declare', {
      incidentId: 'INC-1',
      title: 'Orders not pulled',
      severity: 'P1',
      proposedSeverity: 'P1',
      fingerprints: ['fp1'],
    });
    act('incident.timeline', {
      incidentId: 'INC-1',
      entryId: 'e1',
      kind: 'note',
      text: 'pull latency p95 over 2 min',
      at: 5,
    });
    act('incident.status_update', { incidentId: 'INC-1', phase: 'start', text: 'We are investigating.' });
    act('incident.update', { incidentId: 'INC-1', patch: { changeFreeze: true, severity: 'P0' } });
    act('incident.update', { incidentId: 'INC-404', patch: {} });
    act('checklist.result', { runId: 'run-1', templateId: 'shift-self-check', result: { passed: 9, failed: 1 } });
    act('handover.submit', { handoverId: 'h-1', record: { notes: 'watch the backlog' } });
    act('handover.sign', { handoverId: 'h-1', note: 'ok' }, 'Bo');
    act('handover.sign', { handoverId: 'h-1' }, 'Cy');
    const results = await actor.next('result', 9);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, false, true, true, true, false]);
    expect(results[4].error).toMatchObject({ code: 'not_found' });
    expect(results[8].error).toMatchObject({ code: 'conflict' });
    const events = await watcher.next('event', 8);
    expect(events.map((e) => e.kind)).toEqual([
      'incident.update',
      'incident.update',
      'incident.update',
      // this gateway does not page: the status update went nowhere, and it says so at once
      'comms.update',
      'incident.update',
      'checklist.result',
      'handover.update',
      'handover.update',
    ]);
    expect(events[3].data).toMatchObject({ kind: 'incident', incidentId: 'INC-1', phase: 'start', deliveries: [], none: 'paging_off' });
    const inc = (events[4].data as { incident: Record<string, unknown> }).incident;
    expect(inc).toMatchObject({
      id: 'INC-1',
      severity: 'P0',
      status: 'open',
      declaredBy: 'Ana (shared token)',
      fields: { changeFreeze: true },
    });
    expect(inc.timeline).toEqual([
      { id: 'e1', kind: 'note', text: 'pull latency p95 over 2 min', at: 5, author: 'Ana (shared token)' },
    ]);
    expect((inc.statusUpdates as unknown[]).length).toBe(1);
    expect((events[7].data as { handover: Record<string, unknown> }).handover).toMatchObject({
      signedBy: 'Bo (shared token)',
      submittedBy: 'Ana (shared token)',
    });
    // the refused actions left no trace in the state a new client gets
    const late = await client(gw);
    late.hello();
    const snap = await late.next('snapshot');
    expect((snap[0].items as { kind: string }[]).map((i) => i.kind).sort()).toEqual([
      'checklist.result',
      'comms.update',
      'handover.update',
      'incident.update',
    ]);
  });
});

describe('gateway: upstream health', () => {
  it('tells clients when the upstream goes down and comes back', async () => {
    const src = testSource();
    const gw = await start(src);
    const c = await client(gw);
    c.hello();
    await c.next('status');
    src.ctx().health({ upstream: 'down', detail: 'Alertmanager unreachable: ECONNREFUSED' });
    const s = await c.next('status', 2);
    expect(s[1]).toMatchObject({ upstream: 'down', detail: 'Alertmanager unreachable: ECONNREFUSED' });
    const h = await (await fetch(`${httpBase(gw)}/healthz`)).json();
    expect(h.upstream).toBe('down');
  });
});
