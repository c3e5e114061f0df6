/** Shared builders for the alert unit tests: alerts shaped like the handbooks' and a real-SQLite core context. */
import type { Alert } from '@shared/alerts';
import { DEFAULT_SETTINGS, type Settings } from '@shared/domain';
import { FakeClock } from '@node/clock';
import type { CoreContext } from '@core/context';
import type { Logger } from '@node/log';
import { testContext, type TestContext } from '@test/helpers/context';
import { tempDir } from '@test/helpers/tmp';

let seq = 0;
export function alert(p: Partial<Alert> & { labels?: Record<string, string> } = {}): Alert {
  const labels = { alertname: p.alertname ?? 'OrderPullFailures', service: 'order-sync', severity: 'critical', ...p.labels };
  return {
    fingerprint: p.fingerprint ?? `fp${++seq}`,
    alertname: labels.alertname,
    labels,
    annotations: { summary: 'Order pull failed more than 50 times in 5 min', ...p.annotations },
    state: p.state ?? 'firing',
    severity: p.severity ?? 'P1',
    startsAt: p.startsAt ?? Date.UTC(2026, 0, 5, 8, 55),
    endsAt: p.endsAt ?? null,
    updatedAt: p.updatedAt ?? Date.UTC(2026, 0, 5, 8, 55),
    generatorUrl: null,
    silencedBy: p.silencedBy ?? [],
    inhibitedBy: p.inhibitedBy ?? [],
    ackedBy: p.ackedBy ?? null,
    ackedAt: p.ackedAt ?? null,
    ackId: p.ackId ?? null,
    // the optional fields added after v1, only when asked for (a v1 gateway's alerts have none)
    ...(p.cluster !== undefined ? { cluster: p.cluster } : {}),
    ...(p.ackExpiresAt !== undefined ? { ackExpiresAt: p.ackExpiresAt } : {}),
    ...(p.ackExtensions !== undefined ? { ackExtensions: p.ackExtensions } : {}),
    ...(p.ackAutoExtend !== undefined ? { ackAutoExtend: p.ackAutoExtend } : {}),
  };
}

export interface TestCtx extends Pick<TestContext, 'events' | 'eventsOf' | 'notifier'> {
  ctx: CoreContext;
  clock: FakeClock;
  settings: Settings;
  cleanup(): void;
}

export function makeCtx(opts: { settings?: Partial<Settings>; log?: Logger; start?: number } = {}): TestCtx {
  const dir = tempDir('vigil-alerts-');
  const clock = new FakeClock(opts.start);
  const settings: Settings = { ...DEFAULT_SETTINGS, timeZone: 'UTC', language: 'en', ...opts.settings };
  const t = testContext({ dataDir: dir.dir, clock, settings: () => settings, log: opts.log });
  return {
    ctx: t.ctx,
    clock,
    notifier: t.notifier,
    settings,
    events: t.events,
    eventsOf: t.eventsOf,
    cleanup() {
      t.db.close();
      dir.cleanup();
    },
  };
}
