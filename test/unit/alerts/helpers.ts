/** Shared builders for the alert unit tests: alerts shaped like the handbooks' and a real-SQLite core context. */
import type { Alert } from '../../../src/shared/alerts';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/domain';
import type { EventName, EventPayload } from '../../../src/shared/api';
import { FakeClock } from '../../../src/main/core/clock';
import type { CoreContext } from '../../../src/main/core/context';
import { silentLogger, type Logger } from '../../../src/main/core/log';
import { MemoryNotifier } from '../../../src/main/core/notifier';
import { MemorySecretStore } from '../../../src/main/core/secrets';
import { openDatabase } from '../../../src/main/core/store/db';
import { tempDir } from '../../helpers/tmp';
import path from 'node:path';

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
  };
}

export interface TestCtx {
  ctx: CoreContext;
  clock: FakeClock;
  notifier: MemoryNotifier;
  settings: Settings;
  events: { name: EventName; payload: unknown }[];
  eventsOf<E extends EventName>(name: E): EventPayload<E>[];
  cleanup(): void;
}

export function makeCtx(opts: { settings?: Partial<Settings>; log?: Logger; start?: number } = {}): TestCtx {
  const dir = tempDir('vigil-alerts-');
  const db = openDatabase(path.join(dir.dir, 'vigil.db'));
  const clock = new FakeClock(opts.start);
  const notifier = new MemoryNotifier();
  const settings: Settings = { ...DEFAULT_SETTINGS, timeZone: 'UTC', language: 'en', ...opts.settings };
  const events: TestCtx['events'] = [];
  const ctx: CoreContext = {
    db,
    clock,
    log: opts.log ?? silentLogger,
    notifier,
    secrets: new MemorySecretStore(),
    dataDir: dir.dir,
    emit: (name, payload) => void events.push({ name, payload }),
    settings: () => settings,
    audit: () => undefined,
    touch: () => undefined,
    linkState: () => null,
  };
  return {
    ctx,
    clock,
    notifier,
    settings,
    events,
    eventsOf: <E extends EventName>(name: E) => events.filter((e) => e.name === name).map((e) => e.payload as EventPayload<E>),
    cleanup() {
      db.close();
      dir.cleanup();
    },
  };
}
