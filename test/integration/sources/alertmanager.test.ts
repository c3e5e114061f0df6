/**
 * The Alertmanager source against a real Alertmanager 0.25 started by test/services/alertmanager.ts, with a real
 * loopback HTTP server standing in for the gateway's POST /webhook route (it hands bodies to source.webhook).
 * Nothing is faked.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Silence } from '@shared/alerts';
import { eventData } from '@shared/protocol';
import { createAlertmanagerSource, type AlertmanagerSource } from '@gateway/sources/alertmanager';
import type { SourceAction, SourceEvent, SourceHealth } from '@gateway/source';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { until } from '@test/helpers/until';

let am: AlertmanagerHarness;
let source: AlertmanagerSource;
let hook: http.Server;
const events: SourceEvent[] = [];
const health: SourceHealth[] = [];
const upstreamErrors: string[] = [];
const webhookAnswers: boolean[] = [];

const upserts = (alertname: string): Alert[] =>
  events.filter((e) => e.kind === 'alert.upsert' && e.data.alertname === alertname).map((e) => e.data as Alert);
const latest = (alertname: string): Alert | undefined => upserts(alertname).at(-1);

let n = 0;
const action = (type: SourceAction['type'], payload: unknown, operator = 'alice'): SourceAction => ({
  id: `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  type,
  payload,
  at: Date.now(),
  operator,
});

beforeAll(async () => {
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', async () => {
      const out = await source.webhook!(JSON.parse(body));
      webhookAnswers.push(out.ok);
      res.writeHead(out.ok ? 200 : 400).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const { port } = hook.address() as net.AddressInfo;
  am = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${port}/webhook`, groupWait: '200ms' });
  // a long poll interval: the webhook (and the refresh after each action) must carry the changes
  source = createAlertmanagerSource({
    alertmanagerUrl: am.url,
    pollIntervalMs: 30_000,
    ackDurationMinutes: 30,
    requestTimeoutMs: 2000,
    hooks: { upstreamError: (k) => upstreamErrors.push(k) },
    warn: () => {},
  });
  await source.start({ emit: (e) => events.push(...e), health: (h) => health.push(h), now: () => Date.now() });
});

/** Posts one firing alert with labels of its own and waits until the source reports it: each test starts from its own alert. */
async function firing(alertname: string, extra: Record<string, string> = {}): Promise<Alert> {
  const labels = { alertname, severity: 'critical', service: 'ef-channels-ozon', shop: 's1', ...extra };
  await am.postAlerts([{ labels, annotations: { summary: `${alertname} summary` } }]);
  return until(() => latest(alertname), alertname, 10_000, 50);
}

// what a test made the source report passes the protocol's validators (checked per test, so a failure names it)
let checked = 0;
afterEach(() => {
  for (const e of events.slice(checked))
    expect(eventData[e.kind].safeParse(e.data).success, `${e.kind} ${JSON.stringify(e.data)}`).toBe(true);
  checked = events.length;
});

afterAll(async () => {
  await source?.stop();
  await am?.stop();
  await new Promise((r) => hook?.close(r));
});

describe('alertmanager source against a real Alertmanager', () => {
  it('reports alerts POSTed to Alertmanager as alert.upsert, by webhook, without waiting for the poll', async () => {
    await am.postAlerts([
      {
        labels: { alertname: 'OzonOrdersPullFailing', severity: 'critical', service: 'ef-channels-ozon', shop: 's1' },
        annotations: { summary: 'order pulls failing' },
        generatorURL: 'http://prometheus.example/graph',
      },
    ]);
    const a = await until(() => latest('OzonOrdersPullFailing'), 'the alert', 10_000, 50);
    const inAm = (await am.alerts()).find((x) => x.labels.alertname === 'OzonOrdersPullFailing')!;
    expect(a.fingerprint).toBe(inAm.fingerprint);
    expect(a).toMatchObject({
      state: 'firing',
      severity: 'P1',
      endsAt: null,
      ackedBy: null,
      annotations: { summary: 'order pulls failing' },
    });
    expect(a.generatorUrl).toBe('http://prometheus.example/graph');
    expect(webhookAnswers).toContain(true);
    expect(health.at(-1)).toEqual({ upstream: 'ok', detail: null });
  });

  it('acks with a real silence on the exact labels and the ACK comment, and shows who acked', async () => {
    const fp = (await firing('AckTarget')).fingerprint;
    const act = action('alert.ack', { fingerprint: fp, note: 'looking at the upstream 429s' });
    const out = await source.apply(act);
    expect(out).toEqual({ ok: true });
    const silences = await am.silences();
    const ack = silences.find((s) => s.createdBy === `alice [vigil:${act.id}]`)!;
    expect(ack.comment).toBe('ACK by alice: looking at the upstream 429s');
    // the author carries the action id (how a resumed action finds it), hidden from clients
    expect(ack.createdBy).toBe(`alice [vigil:${act.id}]`);
    expect(ack.status.state).toBe('active');
    expect(ack.matchers).toHaveLength(4);
    expect(ack.matchers.every((m) => m.isEqual !== false && !m.isRegex)).toBe(true);
    expect(Object.fromEntries(ack.matchers.map((m) => [m.name, m.value]))).toEqual({
      alertname: 'AckTarget',
      severity: 'critical',
      service: 'ef-channels-ozon',
      shop: 's1',
    });
    const durationMin = (Date.parse(ack.endsAt) - Date.parse(ack.startsAt)) / 60_000;
    expect(durationMin).toBeCloseTo(30, 0);
    // the refresh after the action has already reported the acked state
    expect(latest('AckTarget')).toMatchObject({ ackedBy: 'alice', ackId: ack.id });
    expect(events.some((e) => e.kind === 'silence.upsert' && (e.data as Silence).id === ack.id)).toBe(true);
  });

  it('unacks by expiring the ack silence', async () => {
    const fired = await firing('UnackTarget');
    expect(await source.apply(action('alert.ack', { fingerprint: fired.fingerprint }))).toEqual({ ok: true });
    const a = latest('UnackTarget')!;
    expect(a.ackId).not.toBeNull();
    const out = await source.apply(action('alert.unack', { fingerprint: a.fingerprint }));
    expect(out).toEqual({ ok: true });
    const s = (await am.silences()).find((x) => x.id === a.ackId)!;
    expect(s.status.state).toBe('expired');
    expect(latest('UnackTarget')).toMatchObject({ ackedBy: null, ackId: null, state: 'firing' });
    const again = await source.apply(action('alert.unack', { fingerprint: a.fingerprint }));
    expect(again).toMatchObject({ ok: false, error: { code: 'not_acked' } });
  });

  it('resolves an alert re-POSTed with endsAt now', async () => {
    const before = await firing('ResolveTarget');
    await am.postAlerts([
      {
        labels: { alertname: 'ResolveTarget', severity: 'critical', service: 'ef-channels-ozon', shop: 's1' },
        annotations: { summary: 'ResolveTarget summary' },
        endsAt: new Date().toISOString(),
      },
    ]);
    // the resolved notification also goes out by webhook (send_resolved); a refresh makes it deterministic
    await source.refresh();
    const a = await until(
      () => latest('ResolveTarget')?.state === 'resolved' && latest('ResolveTarget'),
      'the resolved alert',
      10_000,
      50,
    );
    expect(a.fingerprint).toBe(before.fingerprint);
    expect(a.endsAt).not.toBeNull();
    const ack = await source.apply(action('alert.ack', { fingerprint: a.fingerprint }));
    expect(ack).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('creates and expires silences with the operator as author', async () => {
    const endsAt = Date.now() + 3_600_000;
    const act = action(
      'silence.create',
      {
        matchers: [{ name: 'service', value: 'ef-.*', isRegex: true, isEqual: true }],
        endsAt,
        comment: 'release window',
      },
      'bob',
    );
    const out = await source.apply(act);
    expect(out).toEqual({ ok: true });
    const s = (await am.silences()).find((x) => x.comment === 'release window')!;
    expect(s).toMatchObject({ createdBy: `bob [vigil:${act.id}]`, status: { state: 'active' } });
    expect(
      events.some(
        (e) =>
          e.kind === 'silence.upsert' &&
          (e.data as Silence).id === s.id &&
          (e.data as Silence).state === 'active' &&
          (e.data as Silence).createdBy === 'bob',
      ),
    ).toBe(true);
    expect(await source.apply(action('silence.expire', { silenceId: s.id }))).toEqual({ ok: true });
    expect((await am.silences()).find((x) => x.id === s.id)!.status.state).toBe('expired');
  });

  it("turns Alertmanager's refusal into a clear action error and changes nothing", async () => {
    const before = await am.silences();
    const errorsBefore = upstreamErrors.length;
    const out = await source.apply(
      action('silence.create', {
        matchers: [{ name: 'alertname', value: 'X', isRegex: false, isEqual: true }],
        endsAt: Date.now() - 60_000,
        comment: 'too late',
      }),
    );
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe('upstream_rejected');
    expect(out.error.message).toMatch(/^silence rejected: .*end time/i);
    expect(await am.silences()).toHaveLength(before.length);
    expect(upstreamErrors.slice(errorsBefore)).toContain('alertmanager_http');
  });

  it('answers resolve with the reason it is not possible, and accepts escalate', async () => {
    const r = await source.apply(action('alert.resolve', { fingerprint: 'abc' }));
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'unsupported',
        message: expect.stringContaining('resolve is not supported by the alertmanager source'),
      },
    });
    expect(await source.apply(action('alert.escalate', { fingerprint: 'abc', level: 2 }))).toEqual({ ok: true });
    expect(await source.apply(action('alert.ack', { fingerprint: '' }))).toMatchObject({
      ok: false,
      error: { code: 'bad_payload' },
    });
  });

  it('rejects a body that is not a webhook v4', async () => {
    expect(await source.webhook!({ version: '3', alerts: [] })).toMatchObject({
      ok: false,
      error: { code: 'bad_webhook' },
    });
    expect(await source.webhook!('nonsense')).toMatchObject({ ok: false });
  });

  it('reports an outage as health down with a clear action error, and recovers', async () => {
    await am.postAlerts([{ labels: { alertname: 'BacklogGrowing', severity: 'warning' } }]);
    const a = await until(() => latest('BacklogGrowing'), 'the warning alert', 10_000, 50);
    expect(a.severity).toBe('P2');
    const errorsBefore = upstreamErrors.length;
    await am.down();
    try {
      await source.refresh();
      expect(health.at(-1)).toMatchObject({
        upstream: 'down',
        detail: expect.stringMatching(/Alertmanager at .* is unreachable: connection refused/),
      });
      const out = await source.apply(action('alert.ack', { fingerprint: a.fingerprint }));
      expect(out).toMatchObject({
        ok: false,
        error: {
          code: 'upstream_unavailable',
          message: expect.stringMatching(/^ack failed: Alertmanager .* unreachable/),
        },
      });
      expect(upstreamErrors.slice(errorsBefore)).toContain('alertmanager_unreachable');
      // the alert is not reported resolved just because Alertmanager cannot be asked
      expect(latest('BacklogGrowing')!.state).toBe('firing');
    } finally {
      await am.up();
    }
    await source.refresh();
    expect(health.at(-1)).toEqual({ upstream: 'ok', detail: null });
  });
});
