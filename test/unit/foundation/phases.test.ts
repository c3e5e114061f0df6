/**
 * The core's phases (src/main/core/phases.ts): what each one does and in what order, on a real SQLite file
 * with a FakeClock. createCore runs them in this order; these tests run them one at a time.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { methodNames } from '@shared/api';
import { appMethods } from '@shared/contract/app';
import { eventData } from '@shared/protocol';
import { createAlertRepo } from '@core/alerts/repo';
import { createBus, type CoreEvents } from '@core/bus';
import { MemoryNotifier } from '@core/notifier';
import { createPageLanguage } from '@core/language';
import { bindModules, buildModules, openStore, startModules, stopModules, type CoreEnv, type Modules } from '@core/phases';
import { MemorySecretStore } from '@core/secrets';
import { createStorageWatch } from '@core/storage';
import { FakeClock } from '@node/clock';
import { createLogger } from '@node/log';
import type { DB } from '@node/sqlite';
import { firingAlert } from '@test/helpers/alerts';
import { tempDir } from '@test/helpers/tmp';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const t = tempDir('vigil-phases-');
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ write: (l) => lines.push(JSON.parse(l)) });
  const notifier = new MemoryNotifier();
  const clock = new FakeClock();
  const bus = createBus<CoreEvents>(log);
  const env: CoreEnv = {
    clock,
    log,
    notifier,
    secrets: new MemorySecretStore(),
    dataDir: t.dir,
    bus,
    pageLanguage: createPageLanguage(),
    storage: createStorageWatch({ bus, clock, log, dataDir: t.dir }),
  };
  const db: DB = openStore(path.join(t.dir, 'vigil.db'));
  cleanups.push(t.cleanup, () => void db.close());
  return { env, db, lines, notifier };
}

/** records the order of the modules' lifecycle calls by wrapping them */
function trace(m: Modules): string[] {
  const calls: string[] = [];
  const all = { link: m.link, ...m.features } as Record<string, { start?(): void; stop?(): void | Promise<void> }>;
  for (const [name, mod] of Object.entries(all)) {
    const { start, stop } = mod;
    if (start) mod.start = () => (calls.push(`start ${name}`), start.call(mod));
    if (stop) mod.stop = () => (calls.push(`stop ${name}`), stop.call(mod));
  }
  return calls;
}

describe('the core phases', () => {
  it('build: every contract method has exactly one handler, from the app module or from a module on the store', () => {
    const { env, db } = setup();
    const m = buildModules(db, env);
    const store = Object.keys(m.handlers);
    const app = Object.keys(appMethods);
    expect(store.filter((n) => app.includes(n))).toEqual([]);
    expect([...store, ...app].sort()).toEqual([...methodNames].sort());
  });

  it('bind: the link gets every feature module’s appliers, one for each event kind of the protocol', () => {
    const { env, db } = setup();
    const m = buildModules(db, env);
    expect(() => m.link.state()).toThrow(/before the core bound it/);
    const bound: string[] = [];
    const bind = m.link.bind;
    m.link.bind = (appliers) => (bound.push(...appliers.map((a) => a.kind)), bind(appliers));
    bindModules(m);
    expect([...bound].sort()).toEqual(Object.keys(eventData).sort());
    expect(m.link.state()).toMatchObject({ status: 'connecting', pendingActions: 0 });
    expect(() => bindModules(m)).toThrow(/bound once/);
  });

  it('start runs the features first and the link last; stop runs the link first', async () => {
    const { env, db } = setup();
    const m = buildModules(db, env);
    bindModules(m);
    const calls = trace(m);
    startModules(m);
    await stopModules(m);
    expect(calls).toEqual([
      'start alerts',
      'start process',
      'start roster',
      'start link',
      'stop link',
      'stop alerts',
      'stop process',
      'stop roster',
    ]);
  });

  it('every module’s context speaks on the core’s bus, and features send actions through the link’s outbox', async () => {
    const { env, db } = setup();
    const m = buildModules(db, env);
    bindModules(m);
    const seen: string[] = [];
    env.bus.onAny((name, payload) => seen.push(`${name}:${JSON.stringify(payload)}`));
    m.ctx.emit('dataChanged', { collection: 'alerts' });
    expect(seen).toEqual(['dataChanged:{"collection":"alerts"}']);
    const now = env.clock.now();
    const a = { fingerprint: 'fp1', alertname: 'OrderPullFailures', labels: {}, severity: 'P1', startsAt: now, updatedAt: now } as const;
    createAlertRepo(db).upsert(firingAlert(a), now);
    const [ack] = await m.features.alerts.handlers.alertAck(['fp1']);
    expect(await m.link.handlers.outboxList()).toMatchObject({ open: [{ id: ack.id, type: 'alert.ack', state: 'pending' }] });
    expect(m.link.state().pendingActions).toBe(1);
  });

  it('the modules’ notifier is the injected one behind the app’s wrapper: a failing backend never throws into a module and is reported as not shown', async () => {
    const { env, db, lines, notifier } = setup();
    const m = buildModules(db, env);
    expect(m.ctx.notifier).not.toBe(notifier);
    notifier.notify = () => {
      throw new Error('no D-Bus session');
    };
    const n = { tag: 't', title: 'x', body: 'y', urgency: 'normal', sticky: false } as const;
    await expect(m.ctx.notifier.notify(n)).resolves.toEqual({ shown: false, failure: { code: 'failed', detail: 'no D-Bus session' } });
    m.ctx.notifier.notify(n);
    expect(lines.filter((l) => l.action === 'notify.failed')).toEqual([expect.objectContaining({ err: 'failed: no D-Bus session' })]);
  });

  it('what reaches the OS notifier shows hidden characters and is cut to what a notification shows', async () => {
    const { env, db, notifier } = setup();
    const m = buildModules(db, env);
    const r = await m.ctx.notifier.notify({ tag: 't', title: '[P1] Disk\u200bFull', body: `S${'x'.repeat(1 << 20)}`, urgency: 'normal', sticky: false });
    expect(r).toEqual({ shown: true });
    expect(notifier.sent[0].title).toBe('[P1] Disk⟦U+200B⟧Full');
    expect(notifier.sent[0].body).toHaveLength(1000);
    expect(notifier.sent[0].body.endsWith('…')).toBe(true);
  });
});
