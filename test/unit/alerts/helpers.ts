/** The alert unit tests' real-SQLite core context, and the alerts module on it (alerts come from firingAlert in test/helpers/alerts). */
import { DEFAULT_SETTINGS, type Settings } from '@shared/domain';
import { FakeClock } from '@node/clock';
import type { CoreContext } from '@core/context';
import { createPageLanguage, type PageLanguage } from '@core/language';
import type { Logger } from '@node/log';
import { testContext, type TestContext } from '@test/helpers/context';
import { tempDir } from '@test/helpers/tmp';
import { createAlertsModule, type AlertsModule } from '@core/alerts/module';
import { createOutbox, type Outbox } from '@core/link/outbox';

export interface TestCtx extends Pick<TestContext, 'events' | 'eventsOf' | 'notifier'> {
  ctx: CoreContext;
  clock: FakeClock;
  settings: Settings;
  pageLanguage: PageLanguage;
  cleanup(): void;
}

export function makeCtx(opts: { settings?: Partial<Settings>; log?: Logger; start?: number } = {}): TestCtx {
  const dir = tempDir('vigil-alerts-');
  const clock = new FakeClock(opts.start);
  const settings: Settings = { ...DEFAULT_SETTINGS, timeZone: 'UTC', language: 'en', ...opts.settings };
  const pageLanguage = createPageLanguage();
  const t = testContext({ dataDir: dir.dir, clock, settings: () => settings, log: opts.log, pageLanguage });
  return {
    ctx: t.ctx,
    clock,
    notifier: t.notifier,
    settings,
    pageLanguage,
    events: t.events,
    eventsOf: t.eventsOf,
    cleanup() {
      t.db.close();
      dir.cleanup();
    },
  };
}

/** the alerts module on a test context, its actions going through a real outbox, as the core wires it */
export function startAlertsModule(t: TestCtx): { mod: AlertsModule; outbox: Outbox } {
  const outbox = createOutbox(t.ctx.db, () => t.clock.now());
  const mod = createAlertsModule(t.ctx, { submit: (type, payload, actor) => outbox.submit(type, payload, actor) });
  mod.start!();
  return { mod, outbox };
}
