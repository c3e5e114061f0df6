/**
 * Fuzzing the sync client: a real core (createCore: the link, every feature module's appliers, a real
 * SQLite store in a temp dir) connects over a real WebSocket to a scripted server on loopback, takes a
 * valid snapshot, then receives FUZZ_FRAMES mutated frames (default 100 000, seeded by FUZZ_SEED).
 *
 * Proven afterwards: the socket never dropped (a bad frame is counted, not fatal), every frame the
 * protocol decoder refuses was counted by the client under its code, every refused event is recorded in
 * sync_rejects, the database passes integrity checks, every read handler still answers with valid data,
 * and a final valid snapshot makes the store equal to it exactly (nothing the fuzz left behind poisons it).
 *
 * Only the clock is fake (FakeClock: no heartbeat or dead-link timer fires while frames are flooding in);
 * sockets, frames, decoding and storage are the real ones.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '@test/helpers/until';
import { WebSocketServer, type WebSocket } from 'ws';
import { createCore, type Core } from '@core';
import { FakeClock } from '@node/clock';
import { silentLogger } from '@node/log';
import { MemorySecretStore } from '@core/secrets';
import type { LinkStats } from '@shared/contract/link';
import { AlertSchema, SilenceSchema } from '@shared/alerts';
import { decodeServerFrame, MAX_FRAME_BYTES, PROTOCOL, ServerFrame } from '@shared/protocol';
import { tempDir } from '../helpers/tmp';
import { alertData, eventCorpus, silenceData, T0 } from './corpus';
import { createMutator, fuzzSettings, tally, type FuzzFrame } from './mutate';

const { seed, frames: FRAMES } = fuzzSettings(100_000);
const SERVER_TYPES = ServerFrame.options.map((o) => o.shape.type.value as string);
const DECODE_CODES = ['frame_too_large', 'binary_frame', 'bad_json', 'unknown_type', 'bad_frame'];

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function call<T>(core: Core, name: string, ...args: unknown[]): Promise<T> {
  const r = await core.dispatch(name, args);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('sync client under malformed frames', () => {
  it(`stays up, counts every bad frame and keeps a consistent store (${FRAMES} frames, seed ${seed})`, async () => {
    const started = Date.now();
    const corpus = eventCorpus();
    const base = corpus.filter((e) => e.kind.endsWith('.upsert') || e.kind === 'series.update');
    const m = createMutator(seed);
    const ops = tally();

    // ---- the scripted server --------------------------------------------------------------------------
    const server = http.createServer();
    const wss = new WebSocketServer({ noServer: true, handleProtocols: () => PROTOCOL });
    let sock: WebSocket | null = null;
    let hellos = 0;
    /** frames the server sends outside the fuzz (answers to hello) */
    let protocolFrames = 0;
    let nextSeq = 1001;
    const welcome = (mode: 'snapshot' | 'events') => ({
      type: 'welcome',
      protocol: 1,
      serverId: 'fuzz-server',
      serverTime: T0,
      operator: 'fuzz',
      head: nextSeq - 1,
      mode,
    });
    const snapshot = (seq: number, items: { kind: string; data: unknown }[]) => ({
      type: 'snapshot',
      seq,
      chunk: 0,
      chunks: 1,
      received: items.length,
      total: items.length,
      items,
    });
    const firstHello = new Promise<void>((resolve) => {
      server.on('upgrade', (req, socket, head) =>
        wss.handleUpgrade(req, socket, head, (ws) => {
          sock = ws;
          ws.on('message', (d, isBinary) => {
            if (isBinary) return;
            const f = JSON.parse(d.toString()) as { type: string; cursor?: number | null };
            if (f.type !== 'hello') return;
            hellos++;
            if (f.cursor == null) {
              ws.send(JSON.stringify(welcome('snapshot')));
              ws.send(JSON.stringify(snapshot(nextSeq - 1, base)));
              protocolFrames += 2;
              resolve();
            } else {
              // a gap was seen: resume from the client's cursor, as a gateway would
              nextSeq = f.cursor + 1;
              ws.send(JSON.stringify(welcome('events')));
              protocolFrames++;
            }
          });
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(
      () => new Promise<void>((r) => (wss.clients.forEach((c) => c.terminate()), wss.close(), server.close(() => r()))),
    );

    // ---- the real client core -------------------------------------------------------------------------
    const dir = tempDir('vigil-fuzz-client-');
    cleanups.push(dir.cleanup);
    const core = createCore({
      dataDir: dir.dir,
      transport: 'browser',
      clock: new FakeClock(T0),
      secrets: new MemorySecretStore(),
      log: silentLogger,
      platform: { url, token: 'fuzz-token-0123456789' },
    });
    cleanups.push(() => core.close());
    await firstHello;
    await until(
      async () => (await call<LinkStats>(core, 'linkStats')).snapshots === 1,
      'the first snapshot',
      120_000,
      20,
    );

    // ---- the fuzz ---------------------------------------------------------------------------------------
    /** the next valid frame, before mutation */
    const template = (): Record<string, unknown> => {
      const r = m.rng();
      if (r < 0.72) {
        const e = m.pick(corpus);
        return { type: 'event', seq: nextSeq, kind: e.kind, data: e.data, at: T0 + nextSeq };
      }
      if (r < 0.74) return snapshot(nextSeq - 1, base.slice(0, 1 + m.int(base.length)));
      if (r < 0.78) return welcome(m.chance(0.5) ? 'events' : 'snapshot');
      if (r < 0.85)
        return { type: 'result', id: `r-${m.int(1e6)}`, ok: m.chance(0.5), error: { code: 'conflict', message: 'no' } };
      if (r < 0.9)
        return {
          type: 'status',
          upstream: m.pick(['ok', 'degraded', 'down']),
          detail: m.chance(0.5) ? null : 'Alertmanager unreachable',
        };
      if (r < 0.95) return { type: m.pick(['ping', 'pong']), t: T0 };
      return { type: 'error', error: { code: 'bad_frame', message: 'you sent junk' }, fatal: m.chance(0.2) };
    };

    let sent = 0;
    let expectedBad = 0;
    let validErrors = 0;
    let maxSeqSent = nextSeq - 1;
    const expectedByCode = tally();
    const send = (f: FuzzFrame, ws: WebSocket): Promise<void> =>
      new Promise((resolve, reject) => {
        const isBinary = typeof f.payload !== 'string';
        const bytes = isBinary ? (f.payload as Buffer).length : Buffer.byteLength(f.payload as string);
        const d = decodeServerFrame(isBinary ? null : (f.payload as string), bytes);
        if (!d.ok) {
          expectedBad++;
          expectedByCode.add(d.code);
        } else if (d.frame.type === 'error') validErrors++;
        else if (d.frame.type === 'event') maxSeqSent = Math.max(maxSeqSent, d.frame.seq);
        ops.add(f.op);
        sent++;
        ws.send(f.payload, { binary: isBinary }, (err) => (err ? reject(err) : resolve()));
      });

    const ws = sock!;
    // two frames just over the size limit: refused by size before anyone parses them
    const oversized = new Set([Math.floor(FRAMES / 3), Math.floor((2 * FRAMES) / 3)]);
    for (let i = 0; i < FRAMES;) {
      const batch: Promise<void>[] = [];
      for (let j = 0; j < 500 && i < FRAMES; j++, i++) {
        if (oversized.has(i)) {
          batch.push(
            send({ payload: `{"type":"ping","t":1,"pad":"${'x'.repeat(MAX_FRAME_BYTES)}"}`, op: 'oversized' }, ws),
          );
          continue;
        }
        const t = template();
        const f = m.frame(t, SERVER_TYPES, 0.35);
        if (f.op === 'valid' && t.type === 'event') nextSeq++;
        batch.push(send(f, ws));
      }
      await Promise.all(batch);
    }

    // the client answers gaps with hello; wait until it has read every frame and the answers settled
    let last = -1;
    await until(
      async () => {
        const n = (await call<LinkStats>(core, 'linkStats')).framesReceived;
        const done = n === sent + protocolFrames && n === last;
        last = n;
        return done;
      },
      'the client to read every frame',
      120_000,
      20,
    );
    const stats = await call<LinkStats>(core, 'linkStats');

    // ---- what must hold -----------------------------------------------------------------------------------
    // every frame reached the client on the one socket: bad frames never cost the connection
    expect(stats.connects).toBe(1);
    expect(sock).toBe(ws);
    expect(stats.framesReceived).toBe(sent + protocolFrames);
    const counted = DECODE_CODES.reduce((n, c) => n + (stats.badFrames[c] ?? 0), 0);
    expect(counted).toBe(expectedBad);
    for (const [code, n] of Object.entries(expectedByCode.get())) expect(stats.badFrames[code], code).toBe(n);
    expect(stats.serverErrors).toBe(validErrors);

    const db = core.db!;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const rejects = (db.prepare('SELECT count(*) AS n FROM sync_rejects').get() as { n: number }).n;
    expect(rejects).toBe(stats.rejectedEvents);
    const cursor = (db.prepare('SELECT cursor FROM sync_cursor').get() as { cursor: number }).cursor;
    expect(cursor).toBeLessThanOrEqual(maxSeqSent);

    // every read still answers, with data that validates
    const alerts = await call<unknown[]>(core, 'alertsList');
    for (const a of alerts) expect(AlertSchema.safeParse(a).success, JSON.stringify(a).slice(0, 300)).toBe(true);
    const silences = await call<unknown[]>(core, 'silencesList');
    for (const s of silences) expect(SilenceSchema.safeParse(s).success, JSON.stringify(s).slice(0, 300)).toBe(true);
    for (const name of ['dashboardsList', 'rostersList', 'alertCounts', 'linkState', 'freshness']) await call(core, name);
    await call(core, 'runbooksSearch', { query: '' });
    await call(core, 'incidentsList', {});

    // a final valid snapshot replaces whatever the fuzz left: the store equals it exactly
    const finalItems = [
      ...Array.from({ length: 25 }, (_, i) => ({ kind: 'alert.upsert', data: alertData(5000 + i) })),
      ...Array.from({ length: 3 }, (_, i) => ({ kind: 'silence.upsert', data: silenceData(900 + i) })),
    ];
    const snapshotsBefore = stats.snapshots;
    ws.send(JSON.stringify(welcome('snapshot')));
    ws.send(JSON.stringify(snapshot(nextSeq + 10, finalItems)));
    await until(
      async () => (await call<LinkStats>(core, 'linkStats')).snapshots > snapshotsBefore,
      'the final snapshot',
      120_000,
      20,
    );
    const after = await call<{ fingerprint: string }[]>(core, 'alertsList');
    expect(after.map((a) => a.fingerprint).sort()).toEqual(
      finalItems
        .slice(0, 25)
        .map((i) => (i.data as { fingerprint: string }).fingerprint)
        .sort(),
    );
    const afterSil = await call<{ id: string }[]>(core, 'silencesList');
    expect(afterSil.map((s) => s.id).sort()).toEqual(['sil-900', 'sil-901', 'sil-902']);
    expect((db.prepare('SELECT cursor FROM sync_cursor').get() as { cursor: number }).cursor).toBe(nextSeq + 10);

    console.log(
      JSON.stringify({
        suite: 'fuzz.sync-client',
        seed,
        frames: sent,
        refusedByDecoder: expectedBad,
        byCode: expectedByCode.get(),
        operators: ops.get(),
        client: {
          eventsApplied: stats.eventsApplied,
          duplicates: stats.duplicates,
          gaps: stats.gaps,
          unknownKinds: stats.unknownKinds,
          rejectedEvents: stats.rejectedEvents,
          serverErrors: stats.serverErrors,
          snapshots: stats.snapshots,
          badFrames: stats.badFrames,
          connects: stats.connects,
        },
        reHellos: hellos - 1,
        durationMs: Date.now() - started,
      }),
    );
  }, 600_000);
});
