/** The demo source over the real resources/demo content, on a FakeClock (no sleeping, no wall time). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import type { Alert, Silence } from '@shared/alerts';
import type { Series } from '@shared/dashboards';
import { normalizeSeverity } from '@shared/domain';
import { eventData } from '@shared/protocol';
import { createDemoSource, type DemoSourceOptions } from '@gateway/sources/demo';
import { fingerprint, parseModel } from '@gateway/sources/demo-model';
import type { SourceAction, SourceEvent } from '@gateway/source';

const RESOURCES = path.resolve(__dirname, '../../../resources/demo');
const MIN = 60_000;

function setup(o: Partial<DemoSourceOptions> = {}) {
  const clock = new FakeClock();
  const events: SourceEvent[] = [];
  const warnings: string[] = [];
  const source = createDemoSource({ resourcesDir: RESOURCES, seed: 42, clock, warn: (m) => warnings.push(m), ...o });
  /** `known`: what a gateway would hand over from an earlier run */
  const start = (known?: { alerts: unknown[]; silences: unknown[] }) =>
    source.start({
      emit: (e) => events.push(...e),
      health: () => {},
      now: () => clock.now(),
      ...(known ? { known: () => known } : {}),
    });
  const since = (n: number) => events.slice(n);
  /** the latest report of every alert */
  const alerts = () => {
    const m = new Map<string, Alert>();
    for (const e of events) {
      if (e.kind === 'alert.upsert') m.set(e.data.fingerprint, e.data as Alert);
      if (e.kind === 'alert.remove') m.delete(e.data.fingerprint);
    }
    return [...m.values()];
  };
  const firing = (alertname?: string) =>
    alerts().filter((a) => a.state === 'firing' && (!alertname || a.alertname === alertname));
  const latestSeries = (panelId: string) =>
    events.filter((e) => e.kind === 'series.update' && e.data.panelId === panelId).at(-1)?.data as Series | undefined;
  return { clock, events, warnings, source, start, since, alerts, firing, latestSeries };
}

let n = 0;
const act = (type: SourceAction['type'], payload: unknown): SourceAction => ({
  id: `id-${++n}`,
  type,
  payload,
  at: 0,
  operator: 'mei.lin',
});
const scenario = (s: ReturnType<typeof setup>, id: string) => s.source.model.def.scenarios.find((x) => x.id === id)!;

describe('demo source', () => {
  it('is deterministic for a seed and a clock, and differs across seeds', async () => {
    const run = async (seed: number) => {
      const s = setup({ seed });
      await s.start();
      s.clock.advance(90 * MIN);
      await s.source.stop();
      return JSON.stringify(s.events);
    };
    const a = await run(7);
    expect(await run(7)).toBe(a);
    expect(await run(8)).not.toBe(a);
  });

  it('serves the demo content at start and is live at once', async () => {
    const s = setup();
    await s.start();
    const count = (k: SourceEvent['kind']) => s.events.filter((e) => e.kind === k).length;
    expect(count('runbook.upsert')).toBe(
      fs.readdirSync(path.join(RESOURCES, 'runbooks')).filter((f) => f.endsWith('.md')).length,
    );
    expect(count('roster.upsert')).toBe(1);
    expect(count('dashboard.upsert')).toBe(3);
    // every panel of every demo dashboard has a series from the model: none was reported unmatched
    expect(s.warnings).toEqual([]);
    const panels = s.events.flatMap((e) => (e.kind === 'dashboard.upsert' ? e.data.panels.map((p) => p.id) : []));
    expect(count('series.update')).toBe(panels.length);
    const backlog = s.latestSeries('backlog')!;
    expect(backlog.series[0].points.length).toBeGreaterThan(200); // an hour of history, 15 s apart
    expect(s.firing().length).toBeGreaterThan(0);
    await s.source.stop();
    expect(s.clock.pendingTimers()).toBe(0);
  });

  it('fires related alerts together from one incident, on the curves the dashboards show', async () => {
    const s = setup({ warmStart: false, meanGapMinutes: 1e9 });
    await s.start();
    expect(s.firing()).toEqual([]);
    const sc = s.source.model.startScenario(scenario(s, 'ozon-throttling'), s.clock.now());
    sc.endsAt = s.clock.now() + 20 * MIN;
    s.clock.advance(15 * MIN);
    const pulls = s.firing('OzonOrdersPullFailures');
    expect(pulls).toHaveLength(1); // one shop
    const shop = pulls[0].labels.shop_id;
    expect(s.firing('OzonShipmentsPushFailures').map((a) => a.labels.shop_id)).toEqual([shop]);
    const backlogAlert = s.firing('TaskBacklogHigh')[0];
    expect(backlogAlert).toMatchObject({
      severity: 'P2',
      labels: { service: 'ef-channels-ozon', team: 'ozon-channel', plugin: 'ef.channels.ozon' },
    });
    expect(backlogAlert.fingerprint).toBe(fingerprint(backlogAlert.labels));
    expect(s.firing('OzonOrdersPullLatencyHigh')).toHaveLength(1);
    // the backlog curve the dashboard receives is above the line the alert fires on
    const backlog = s.latestSeries('backlog')!;
    expect(backlog.series[0].points.at(-1)![1]).toBeGreaterThan(5000);
    const pullSeries = s.latestSeries('pull-failures')!.series.find((x) => x.labels.shop_id === shop)!;
    expect(pullSeries.labels.__legend__).toBe(shop);
    expect(pullSeries.points.at(-1)![1]).toBeGreaterThan(50);
    // annotations are filled in, in both languages
    expect(pulls[0].annotations.summary).toBe(`Order pulls failing for shop ${shop}`);
    expect(pulls[0].annotations.summary_zh).toContain(shop);
    expect(pulls[0].annotations.description).toMatch(/^\d+ failed order pulls/);

    // after the incident: resolved, then removed after the retention
    s.clock.advance(15 * MIN);
    expect(s.firing('OzonOrdersPullFailures')).toEqual([]);
    expect(s.alerts().find((a) => a.fingerprint === pulls[0].fingerprint)).toMatchObject({ state: 'resolved' });
    s.clock.advance(31 * MIN);
    expect(s.alerts().find((a) => a.fingerprint === pulls[0].fingerprint)).toBeUndefined();
    await s.source.stop();
  });

  it('raises a storm across every shop', async () => {
    const s = setup({ warmStart: false, meanGapMinutes: 1e9 });
    await s.start();
    s.source.model.startScenario(scenario(s, 'ozon-outage-storm'), s.clock.now()).endsAt = s.clock.now() + 10 * MIN;
    s.clock.advance(5 * MIN);
    expect(s.firing('OzonOrdersPullFailures')).toHaveLength(8);
    expect(s.firing('OzonShipmentsPushFailures')).toHaveLength(8);
    await s.source.stop();
  });

  it('fires and resolves on its own over time, every event valid on the wire', async () => {
    const s = setup({ seed: 3 });
    await s.start();
    s.clock.advance(6 * 60 * MIN);
    for (const e of s.events) expect(() => eventData[e.kind].parse(e.data), e.kind).not.toThrow();
    const ups = s.events.filter((e) => e.kind === 'alert.upsert').map((e) => e.data as Alert);
    expect(new Set(ups.filter((a) => a.state === 'firing').map((a) => a.alertname)).size).toBeGreaterThan(3);
    expect(ups.filter((a) => a.state === 'resolved').length).toBeGreaterThan(3);
    await s.source.stop();
  });

  it('acks as a silence on the exact labels, unacks, and lets the ack run out', async () => {
    const s = setup({ warmStart: false, meanGapMinutes: 1e9 });
    await s.start();
    s.source.model.startScenario(scenario(s, 'redemption-wave'), s.clock.now()).endsAt = s.clock.now() + 60 * MIN;
    s.clock.advance(12 * MIN);
    const a = s.firing('LowLiquidity')[0];
    expect(a).toBeDefined();
    const mark = s.events.length;
    expect(
      await s.source.apply(
        act('alert.ack', { fingerprint: a.fingerprint, note: 'treasury called', durationMinutes: 5 }),
      ),
    ).toEqual({ ok: true });
    const sil = s.since(mark).find((e) => e.kind === 'silence.upsert')!.data as Silence;
    expect(sil).toMatchObject({
      comment: 'ACK by mei.lin: treasury called',
      createdBy: 'mei.lin',
      state: 'active',
      endsAt: s.clock.now() + 5 * MIN,
    });
    expect(Object.fromEntries(sil.matchers.map((m) => [m.name, m.value]))).toEqual(a.labels);
    expect(s.firing('LowLiquidity')[0]).toMatchObject({ ackedBy: 'mei.lin', ackId: sil.id, silencedBy: [sil.id] });

    expect(await s.source.apply(act('alert.unack', { fingerprint: a.fingerprint }))).toEqual({ ok: true });
    expect(s.firing('LowLiquidity')[0]).toMatchObject({ ackedBy: null, ackId: null, silencedBy: [] });
    expect(await s.source.apply(act('alert.unack', { fingerprint: a.fingerprint }))).toMatchObject({
      ok: false,
      error: { code: 'not_acked' },
    });

    await s.source.apply(act('alert.ack', { fingerprint: a.fingerprint, durationMinutes: 1 }));
    expect(s.firing('LowLiquidity')[0].ackedBy).toBe('mei.lin');
    s.clock.advance(2 * MIN);
    expect(s.firing('LowLiquidity')[0].ackedBy).toBeNull();
    await s.source.stop();
  });

  it('creates and expires silences, refusing an end in the past without changing anything', async () => {
    const s = setup({ warmStart: false, meanGapMinutes: 1e9 });
    await s.start();
    s.source.model.startScenario(scenario(s, 'ozon-outage-storm'), s.clock.now()).endsAt = s.clock.now() + 30 * MIN;
    s.clock.advance(5 * MIN);
    const mark = s.events.length;
    const past = await s.source.apply(
      act('silence.create', {
        matchers: [{ name: 'team', value: 'ozon-channel', isRegex: false, isEqual: true }],
        endsAt: s.clock.now() - 1,
        comment: 'late',
      }),
    );
    expect(past).toEqual({
      ok: false,
      error: { code: 'upstream_rejected', message: 'silence rejected: end time in the past' },
    });
    expect(s.since(mark)).toEqual([]);

    const ok = await s.source.apply(
      act('silence.create', {
        matchers: [{ name: 'shop_id', value: 'ozon-msk-.*', isRegex: true, isEqual: true }],
        endsAt: s.clock.now() + 60 * MIN,
        comment: 'shop migration',
      }),
    );
    expect(ok).toEqual({ ok: true });
    const sil = s.since(mark).find((e) => e.kind === 'silence.upsert')!.data as Silence;
    const silenced = s.firing().filter((a) => a.silencedBy.includes(sil.id));
    expect(silenced.length).toBe(4); // 2 msk shops × pull + push
    expect(silenced.every((a) => a.labels.shop_id.startsWith('ozon-msk-') && a.ackedBy === null)).toBe(true);

    expect(await s.source.apply(act('silence.expire', { silenceId: sil.id }))).toEqual({ ok: true });
    expect(s.firing().some((a) => a.silencedBy.length > 0)).toBe(false);
    expect(await s.source.apply(act('silence.expire', { silenceId: 'nope' }))).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await s.source.stop();
  });

  it('resolves on request and does not re-fire until the condition clears', async () => {
    const s = setup({ warmStart: false, meanGapMinutes: 1e9 });
    await s.start();
    s.source.model.startScenario(scenario(s, 'bad-release'), s.clock.now()).endsAt = s.clock.now() + 20 * MIN;
    s.clock.advance(5 * MIN);
    const a = s.firing('ApiErrorRateHigh')[0];
    expect(a.severity).toBe('P1');
    expect(await s.source.apply(act('alert.resolve', { fingerprint: a.fingerprint }))).toEqual({ ok: true });
    expect(s.alerts().find((x) => x.fingerprint === a.fingerprint)!.state).toBe('resolved');
    s.clock.advance(5 * MIN);
    expect(s.firing('ApiErrorRateHigh')).toEqual([]);
    await s.source.stop();
  });

  it('applies a resumed create once: found by its action id when the earlier attempt got through', async () => {
    const s = setup({ warmStart: false, meanGapMinutes: 1e9 });
    await s.start();
    const create = act('silence.create', {
      matchers: [{ name: 'team', value: 'ozon-channel', isRegex: false, isEqual: true }],
      endsAt: s.clock.now() + 60 * MIN,
      comment: 'resumed window',
    });
    const silences = () =>
      new Set(s.events.filter((e) => e.kind === 'silence.upsert').map((e) => (e.data as Silence).id));
    // the first attempt never happened here (a fresh world): resumed or not, it is applied
    expect(await s.source.apply(create, { resumed: true })).toEqual({ ok: true });
    expect(silences().size).toBe(1);
    expect(await s.source.apply(create, { resumed: true })).toEqual({ ok: true });
    expect(silences().size).toBe(1);
    const [id] = silences();
    expect(await s.source.apply(act('silence.expire', { silenceId: id }))).toEqual({ ok: true });
    const again = act('silence.expire', { silenceId: id });
    expect(await s.source.apply(again)).toMatchObject({ ok: false, error: { code: 'upstream_rejected' } });
    expect(await s.source.apply(again, { resumed: true })).toEqual({ ok: true });
    await s.source.stop();
  });

  it("started with an earlier run's state, resolves its alerts and removes its silences", async () => {
    const earlier = setup({ seed: 3 });
    await earlier.start();
    const old = earlier.firing();
    expect(old.length).toBeGreaterThan(0);
    await earlier.source.apply(
      act('silence.create', {
        matchers: [{ name: 'team', value: 'x', isRegex: false, isEqual: true }],
        endsAt: earlier.clock.now() + 60 * MIN,
        comment: 'old world',
      }),
    );
    const oldSilences = earlier.events.filter((e) => e.kind === 'silence.upsert').map((e) => e.data as Silence);
    await earlier.source.stop();

    const s = setup({ warmStart: false, meanGapMinutes: 1e9 });
    s.clock.advance(MIN); // the restart comes later than the first start
    await s.start({ alerts: old, silences: oldSilences });
    const resolved = s.events.filter((e) => e.kind === 'alert.upsert' && (e.data as Alert).state === 'resolved');
    expect(resolved.map((e) => (e.data as Alert).fingerprint).sort()).toEqual(old.map((a) => a.fingerprint).sort());
    expect(s.events.filter((e) => e.kind === 'silence.remove').map((e) => e.data)).toEqual(
      oldSilences.map((x) => ({ id: x.id })),
    );
    // no id of the new run collides with one the gateway still holds from the old run
    await s.source.apply(
      act('silence.create', {
        matchers: [{ name: 'team', value: 'y', isRegex: false, isEqual: true }],
        endsAt: s.clock.now() + 60 * MIN,
        comment: 'new world',
      }),
    );
    const fresh = s.events.filter((e) => e.kind === 'silence.upsert').map((e) => (e.data as Silence).id);
    expect(fresh.filter((id) => oldSilences.some((x) => x.id === id))).toEqual([]);
    await s.source.stop();
  });

  it('answers what it does not handle with a clear error', async () => {
    const s = setup({ warmStart: false });
    await s.start();
    expect(await s.source.apply(act('incident.close', { incidentId: 'i', postmortem: '' }))).toMatchObject({
      ok: false,
      error: { code: 'unsupported' },
    });
    expect(await s.source.apply(act('alert.ack', { fingerprint: 42 }))).toMatchObject({
      ok: false,
      error: { code: 'bad_payload' },
    });
    expect(await s.source.apply(act('alert.ack', { fingerprint: 'unknown' }))).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await s.source.apply(act('alert.escalate', { fingerprint: 'unknown', level: 2 }))).toEqual({ ok: true });
    await s.source.stop();
  });
});

describe('demo alert definitions', () => {
  const dir = path.join(RESOURCES, 'alerts');
  const model = parseModel(
    fs.readdirSync(dir).map((n) => ({ name: n, text: fs.readFileSync(path.join(dir, n), 'utf8') })),
  );
  const runbookUrls = new Set(
    fs
      .readdirSync(path.join(RESOURCES, 'runbooks'))
      .map((f) => /^url:\s*(\S+)/m.exec(fs.readFileSync(path.join(RESOURCES, 'runbooks', f), 'utf8'))?.[1])
      .filter(Boolean),
  );

  it.each(model.alerts.map((a) => [a.alert, a] as const))(
    '%s is labelled, bilingual and linked to a demo runbook',
    (_, a) => {
      expect(Object.keys(a.labels).sort()).toEqual(['service', 'severity', 'team']);
      expect(Object.keys(a.annotations).sort()).toEqual([
        'description',
        'description_zh',
        'runbook_url',
        'summary',
        'summary_zh',
      ]);
      expect(runbookUrls).toContain(a.annotations.runbook_url);
      expect(['P0', 'P1', 'P2', 'P3']).toContain(normalizeSeverity(a.labels.severity));
    },
  );

  it('refuses a model that refers to an unknown signal', () => {
    expect(() =>
      parseModel([
        {
          name: 'x.yaml',
          text: 'alerts:\n  - { alert: A, signal: nope, op: ">", threshold: 1, labels: { severity: P1 } }',
        },
      ]),
    ).toThrow(/alert A uses the unknown signal "nope"/);
    expect(() => parseModel([{ name: 'x.yaml', text: 'signals:\n  - { id: Bad-Id, expr: up, baseline: 1 }' }])).toThrow(
      /x\.yaml: signals\.0\.id/,
    );
  });
});
