/**
 * Clusters against real Alertmanagers started by the harness: an HA pair gossiping on loopback ("prod") and a
 * standalone one ("staging"). The same alert posted to both members is one alert; both clusters' alerts carry
 * their cluster; killing a member leaves its cluster degraded and an ack still works and shows on the
 * survivor; a member killed mid-action never leads to a second silence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import { eventData } from '@shared/protocol';
import { DEFAULT_ACK_EXTENSION } from '@gateway/config';
import { splitAuthor } from '@gateway/sources/alert-state';
import { createAlertmanagerSource, type AlertmanagerSource } from '@gateway/sources/alertmanager';
import type { SourceAction, SourceEvent, SourceHealth } from '@gateway/source';
import {
  startAlertmanager,
  startAlertmanagerCluster,
  type AlertmanagerCluster,
  type AlertmanagerHarness,
  type AmSilence,
} from '@test/services/alertmanager';
import { startProxy, type Proxy } from '@test/services/proxy';

let pair: AlertmanagerCluster;
let staging: AlertmanagerHarness;
const sources: AlertmanagerSource[] = [];
const proxies: Proxy[] = [];

async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let n = 0;
const action = (type: SourceAction['type'], payload: unknown): SourceAction => ({
  id: `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  type,
  payload,
  at: Date.now(),
  operator: 'li.wei',
});

const tagged = (silences: AmSilence[], actionId: string) => silences.filter((s) => splitAuthor(s.createdBy).actionId === actionId);

function startSource(prodMembers: string[]) {
  const events: SourceEvent[] = [];
  const health: SourceHealth[] = [];
  const source = createAlertmanagerSource({
    clusters: [
      { name: 'prod', members: prodMembers, ackExtension: DEFAULT_ACK_EXTENSION },
      { name: 'staging', members: [staging.url], ackExtension: DEFAULT_ACK_EXTENSION },
    ],
    pollIntervalMs: 500,
    requestTimeoutMs: 3000,
    gossipSettleMs: 1500,
    warn: () => undefined,
  });
  sources.push(source);
  const alerts = () => {
    const byFp = new Map<string, Alert>();
    for (const e of events) if (e.kind === 'alert.upsert') byFp.set(e.data.fingerprint, e.data);
    return [...byFp.values()];
  };
  return { source, events, health, alerts, start: () => source.start({ emit: (e) => events.push(...e), health: (h) => health.push(h), now: () => Date.now() }) };
}

beforeAll(async () => {
  pair = await startAlertmanagerCluster(2);
  staging = await startAlertmanager({
    inhibitRules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['service'] }],
  });
}, 60_000);

afterAll(async () => {
  for (const s of sources) await s.stop();
  for (const p of proxies) await p.stop();
  await pair?.stop();
  await staging?.stop();
});

describe('clusters of real Alertmanagers', () => {
  it('shows the same alert posted to both members once, and both clusters with their cluster', async () => {
    const alert = { labels: { alertname: 'OrderPullFailures', severity: 'critical', shop: 'ozon-1' } };
    await Promise.all([pair.members[0].postAlerts([alert]), pair.members[1].postAlerts([alert]), staging.postAlerts([alert])]);
    const s = startSource(pair.members.map((m) => m.url));
    await s.start();
    const got = await waitFor('three clusters of alerts', () => (s.alerts().filter((a) => a.alertname === 'OrderPullFailures').length >= 2 ? s.alerts() : null));
    const pulls = got.filter((a) => a.alertname === 'OrderPullFailures');
    expect(pulls.map((a) => a.cluster).sort()).toEqual(['prod', 'staging']);
    const prod = pulls.find((a) => a.cluster === 'prod')!;
    expect(prod.fingerprint).toMatch(/^prod\/[0-9a-f]+$/);
    // one upsert for the prod alert, though two members list it
    await s.source.refresh();
    expect(s.events.filter((e) => e.kind === 'alert.upsert' && e.data.fingerprint === prod.fingerprint)).toHaveLength(1);
    expect(s.health.at(-1)).toMatchObject({ upstream: 'ok', clusters: [{ name: 'prod', upstream: 'ok' }, { name: 'staging', upstream: 'ok' }] });
    for (const e of s.events) expect(() => eventData[e.kind].parse(e.data)).not.toThrow();

    // one ack silence, created once, gossiped to both members: one silence in the cluster's view
    const ack = action('alert.ack', { fingerprint: prod.fingerprint, note: 'looking' });
    expect(await s.source.apply(ack)).toEqual({ ok: true });
    await waitFor('the ack on both members', async () => {
      const [a, b] = await Promise.all(pair.members.map((m) => m.silences()));
      return tagged(a, ack.id).length === 1 && tagged(b, ack.id).length === 1;
    });
    await s.source.refresh();
    const silenceUpserts = new Set(s.events.filter((e) => e.kind === 'silence.upsert').map((e) => e.data.id));
    expect([...silenceUpserts].filter((id) => id.startsWith('prod/'))).toHaveLength(1);
    expect(s.alerts().find((a) => a.fingerprint === prod.fingerprint)).toMatchObject({ ackedBy: 'li.wei', cluster: 'prod' });
    await expect(staging.silences()).resolves.toEqual([]);
    await s.source.stop();
  });

  it('shows an inhibited alert as inhibited by the alert that inhibits it, with wire ids', async () => {
    await staging.postAlerts([
      { labels: { alertname: 'DatabaseDown', severity: 'critical', service: 'orders' } },
      { labels: { alertname: 'OrderLatencyHigh', severity: 'warning', service: 'orders' } },
    ]);
    const s = startSource(pair.members.map((m) => m.url));
    await s.start();
    const inhibited = await waitFor('the inhibited alert', async () => {
      await s.source.refresh();
      const a = s.alerts().find((x) => x.alertname === 'OrderLatencyHigh');
      return a && a.inhibitedBy.length > 0 ? a : null;
    });
    const source = s.alerts().find((x) => x.alertname === 'DatabaseDown')!;
    expect(inhibited.inhibitedBy).toEqual([source.fingerprint]);
    expect(source.fingerprint).toMatch(/^staging\//);
    expect(inhibited.silencedBy).toEqual([]);
    await s.source.stop();
  });

  it('a killed member leaves the cluster degraded, naming it; an ack still works and shows on the survivor', async () => {
    await pair.members[0].postAlerts([{ labels: { alertname: 'QueueBacklog', severity: 'warning' } }]);
    await pair.members[1].postAlerts([{ labels: { alertname: 'QueueBacklog', severity: 'warning' } }]);
    const s = startSource(pair.members.map((m) => m.url));
    await s.start();
    const backlog = await waitFor('the backlog alert', () => s.alerts().find((a) => a.alertname === 'QueueBacklog'));
    await pair.members[0].kill();
    await s.source.refresh();
    const h = await waitFor('degraded health', () => s.health.find((x) => x.upstream === 'degraded'));
    expect(h.detail).toContain(`member ${pair.members[0].url} is down`);
    expect(h.clusters?.[0]).toMatchObject({ name: 'prod', upstream: 'degraded', members: [{ url: pair.members[0].url, up: false }, { url: pair.members[1].url, up: true }] });
    const t0 = Date.now();
    const ack = action('alert.ack', { fingerprint: backlog.fingerprint });
    expect(await s.source.apply(ack)).toEqual({ ok: true });
    expect(Date.now() - t0).toBeLessThan(3000); // the dead member does not hold the action up
    expect(tagged(await pair.members[1].silences(), ack.id)).toHaveLength(1);
    expect(s.alerts().find((a) => a.fingerprint === backlog.fingerprint)?.ackedBy).toBe('li.wei');
    await s.source.stop();
    await pair.members[0].up();
    await pair.settled();
  });

  it('never creates a silence twice when the member dies mid-request, whether or not it got the silence', async () => {
    // The proxy stands in front of member 0. On the first POST of a silence the gateway loses member 0: the
    // proxy cuts the connection and every later request (a partition), and member 0 is killed — either after
    // it stored the silence (it gossips it to member 1 in its last moments, after the gateway has already
    // seen the cut) or before the request reached it (nothing to find anywhere).
    let mode: 'after' | 'before' = 'after';
    let armed = true;
    let partitioned = false;
    const m0 = pair.members[0];
    const proxy = await startProxy({
      target: m0.url,
      intercept: async (x) => {
        if (partitioned) {
          x.cut();
          return true;
        }
        if (!armed || x.req.method !== 'POST' || x.req.url !== '/api/v2/silences') return false;
        armed = false;
        partitioned = true;
        if (mode === 'before') await m0.kill();
        else await x.forward();
        x.cut();
        if (mode === 'after') setTimeout(() => void m0.kill(), 500);
        return true;
      },
    });
    proxies.push(proxy);
    const s = startSource([proxy.url, pair.members[1].url]);
    await s.start();
    for (const m of ['after', 'before'] as const) {
      mode = m;
      armed = true;
      partitioned = false;
      const matchers = [{ name: 'alertname', value: `Maintenance-${m}`, isRegex: false, isEqual: true }];
      const create = action('silence.create', { matchers, endsAt: Date.now() + 3_600_000, comment: `window ${m}` });
      expect(await s.source.apply(create)).toEqual({ ok: true });
      await new Promise((r) => setTimeout(r, 600));
      await m0.up();
      await pair.settled();
      // the restarted member learns the cluster's silences by gossip; there must be exactly one
      await new Promise((r) => setTimeout(r, 2500));
      const [a, b] = await Promise.all(pair.members.map((x) => x.silences()));
      expect(tagged(b, create.id)).toHaveLength(1);
      expect(tagged(a, create.id).length).toBeLessThanOrEqual(1);
      expect(new Set([...tagged(a, create.id), ...tagged(b, create.id)].map((x) => x.id)).size).toBe(1);
    }
    await s.source.stop();
  });
});
