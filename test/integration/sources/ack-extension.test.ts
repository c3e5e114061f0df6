/**
 * Acks that last, against a real Alertmanager with a short extension window: an ack silence of 1 minute,
 * extended when less than 57 s remain, by 61 s, so a window is 4 s wide. While the alert fires the silence is
 * extended (in place: same id), once per window; after the alert resolves it is left to lapse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@shared/alerts';
import { createAlertmanagerSource, type AlertmanagerSource } from '@gateway/sources/alertmanager';
import type { SourceEvent } from '@gateway/source';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';

let am: AlertmanagerHarness;
let source: AlertmanagerSource;
const events: SourceEvent[] = [];
const LABELS = { alertname: 'DiskFillingUp', severity: 'critical', instance: 'db-7' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  am = await startAlertmanager();
  source = createAlertmanagerSource({
    clusters: [
      {
        name: 'prod',
        members: [am.url],
        ackExtension: { enabled: true, extendIfExpiringInMs: 57_000, extendByMs: 61_000, maxDurationMs: 0 },
      },
    ],
    pollIntervalMs: 250,
    warn: () => undefined,
  });
  await source.start({ emit: (e) => events.push(...e), health: () => undefined, now: () => Date.now() });
}, 30_000);

afterAll(async () => {
  await source?.stop();
  await am?.stop();
});

const latest = (): Alert | undefined =>
  [...events].reverse().find((e) => e.kind === 'alert.upsert' && e.data.alertname === LABELS.alertname)?.data as Alert | undefined;

describe('ack extension against a real Alertmanager', () => {
  it('extends while firing, once per window, and lets the ack lapse after resolve', async () => {
    await am.postAlerts([{ labels: LABELS, endsAt: new Date(Date.now() + 600_000).toISOString() }]);
    await source.refresh();
    const fp = latest()!.fingerprint;
    expect(await source.apply({ id: '00000000-0000-7000-8000-0000000000a1', type: 'alert.ack', payload: { fingerprint: fp, durationMinutes: 1 }, at: Date.now(), operator: 'li.wei' })).toEqual({ ok: true });
    const acked = latest()!;
    expect(acked).toMatchObject({ ackedBy: 'li.wei', ackExtensions: 0, ackAutoExtend: true });
    const silenceId = acked.ackId!.replace('prod/', '');
    const firstEnd = acked.ackExpiresAt!;

    // watch Alertmanager's own record of the silence for 11 s (almost three windows)
    const ends: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 11_000) {
      const s = (await am.silences()).find((x) => x.id === silenceId);
      expect(s?.status.state).toBe('active'); // extended in place: the same silence, never replaced
      ends.push(Date.parse(s!.endsAt));
      await sleep(200);
    }
    const changes = ends.filter((e, i) => i > 0 && e !== ends[i - 1]).length;
    expect(changes).toBeGreaterThanOrEqual(2);
    expect(changes).toBeLessThanOrEqual(3); // a window is 4 s: more would mean extending twice in one
    for (let i = 1; i < ends.length; i++) if (ends[i] !== ends[i - 1]) expect(ends[i] - ends[i - 1]).toBeGreaterThan(3000);
    await source.refresh();
    // the poll loop goes on meanwhile: at most one more window may have passed since the last look
    const extended = latest()!;
    expect(extended.ackExtensions).toBeGreaterThanOrEqual(changes);
    expect(extended.ackExtensions).toBeLessThanOrEqual(changes + 1);
    expect(extended.ackExpiresAt!).toBeGreaterThanOrEqual(ends.at(-1)!);
    expect(extended.ackExpiresAt!).toBeGreaterThan(firstEnd);

    // the alert resolves: no extension in the next two windows, the ack runs out on its own
    await am.postAlerts([{ labels: LABELS, endsAt: new Date().toISOString() }]);
    await source.refresh();
    const before = (await am.silences()).find((x) => x.id === silenceId)!.endsAt;
    await sleep(9000);
    expect((await am.silences()).find((x) => x.id === silenceId)!.endsAt).toBe(before);
  }, 40_000);
});
