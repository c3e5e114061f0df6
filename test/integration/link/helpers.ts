/**
 * Shared pieces for the link's integration tests: a controllable in-test Source (the real sources are the
 * sources work's; this one lets a test decide exactly what the upstream says and when an action lands),
 * alert fixtures, a real gateway on loopback and a real core on a temp data dir.
 */
import WebSocket from 'ws';
import type { Alert } from '@shared/alerts';
import { PROTOCOL } from '@shared/protocol';
import type { ActionOutcome, Source, SourceAction, SourceContext, SourceEvent } from '@gateway/source';
import { startGateway, type Gateway, type GatewayOptions } from '@gateway/server';
import { createCore, type Core } from '@core';
import { silentLogger } from '@node/log';
import type { Clock } from '@node/clock';
import { MemorySecretStore } from '@core/secrets';
import { firingAlert } from '@test/helpers/alerts';
import { until } from '@test/helpers/until';

export const TOKEN = 'test-token-0123456789';

export function alert(i: number, over: Partial<Alert> = {}): Alert {
  const fp = `fp${String(i).padStart(6, '0')}`;
  return firingAlert({
    fingerprint: fp,
    alertname: i % 2 ? 'OrdersPullFailing' : 'QueueBacklogHigh',
    labels: { alertname: i % 2 ? 'OrdersPullFailing' : 'QueueBacklogHigh', shop: `s${i % 7}`, severity: 'critical' },
    annotations: { summary: `test alert ${i}` },
    severity: 'P1',
    startsAt: 1_767_000_000_000 + i,
    updatedAt: 1_767_000_000_000 + i,
    ...over,
  });
}

export interface TestSource extends Source {
  ctx(): SourceContext;
  emit(events: SourceEvent[]): void;
  applied: SourceAction[];
  /** apply() calls begun (applied counts the finished ones) */
  entered: number;
  /** ApplyOptions.resumed of each apply() call, in call order */
  resumed: boolean[];
  /** the next apply() waits until the returned function is called */
  hold(): () => void;
  outcome: (a: SourceAction) => ActionOutcome;
}

export function testSource(initial: SourceEvent[] = []): TestSource {
  let ctx: SourceContext | null = null;
  let gate: Promise<void> | null = null;
  const src: TestSource = {
    name: 'test',
    applied: [],
    entered: 0,
    resumed: [],
    outcome: () => ({ ok: true }),
    ctx: () => ctx!,
    emit: (events) => ctx!.emit(events),
    async start(c) {
      ctx = c;
      if (initial.length) c.emit(initial);
    },
    async stop() {},
    async apply(a, opts) {
      src.entered++;
      src.resumed.push(opts?.resumed ?? false);
      if (gate) await gate;
      src.applied.push(a);
      return src.outcome(a);
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
  };
  return src;
}

export function gateway(source: Source, dataDir: string, extra: Partial<GatewayOptions> = {}): Promise<Gateway> {
  return startGateway({ source, token: TOKEN, dataDir, port: 0, log: silentLogger, ...extra });
}

export function core(dataDir: string, url: string, token: string | null = TOKEN, clock?: Clock): Core {
  return createCore({
    dataDir,
    clock,
    transport: 'browser',
    secrets: new MemorySecretStore(),
    log: silentLogger,
    platform: { url, token },
  });
}

export async function call<T>(c: Core, name: string, ...args: unknown[]): Promise<T> {
  const r = await c.dispatch(name, args);
  if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

export const alertCount = (c: Core): number =>
  (c.db!.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
export const fingerprints = (c: Core): string[] =>
  (c.db!.prepare('SELECT fingerprint FROM alerts ORDER BY fingerprint').all() as { fingerprint: string }[]).map(
    (r) => r.fingerprint,
  );
/** what the gateway would send in a snapshot: the alert fingerprints it holds */
export const gatewayFingerprints = (g: Gateway): string[] =>
  g.store
    .current('alert')
    .map((e) => e.id)
    .sort();

/** A raw protocol client: every frame it received, in order. */
export type Frame = Record<string, unknown> & { type: string };

export class Client {
  frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.frames.push(JSON.parse(d.toString())));
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }
  static async open(url: string, token = TOKEN): Promise<Client> {
    const ws = new WebSocket(url, [PROTOCOL], {
      headers: { Authorization: `Bearer ${token}` },
      maxPayload: 64 * 1024 * 1024,
    });
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    return new Client(ws);
  }
  send(f: unknown) {
    this.ws.send(typeof f === 'string' ? f : JSON.stringify(f));
  }
  of(type: string) {
    return this.frames.filter((f) => f.type === type);
  }
  async next(type: string, n = 1): Promise<Frame[]> {
    return until(() => this.of(type).length >= n && this.of(type), `${n} ${type} frame(s)`);
  }
  hello(cursor: number | null = null, serverId: string | null = null) {
    this.send({ type: 'hello', clientId: 'raw-test', protocol: 1, cursor, serverId, operator: 'Tester' });
  }
}
