import { afterEach, describe, expect, it } from 'vitest';
import { AutoCheckSchema, type AutoCheckInput } from '@shared/checklists';
import { createAutoChecks } from '@core/process/autochecks';
import { NotifyFailureError, safeNotifier, type Notifier } from '@core/notifier';
import { silentLogger } from '@node/log';
import { MIN, T0, cacheAlert, cachePanel, linkState, makeHarness, type Harness } from './harness';

const check = (c: AutoCheckInput) => AutoCheckSchema.parse(c);
const backlog = check({ type: 'metric', metric: 'ef_tasks_backlog', labels: { plugin: 'ef.channels.ozon' }, op: '<', limit: 5000, ratio: 0.8 });
const dbConns = check({ type: 'metric', metric: 'pg_stat_activity_count', op: '<', limit: { metric: 'pg_settings_max_connections' }, ratio: 0.7 });

describe('auto-checks on cached data', () => {
  let h: Harness;
  afterEach(() => h?.close());
  const evaluate = (c: ReturnType<typeof check>) => autoChecks().evaluate(c, 'test');
  let notifier: Notifier | undefined;
  const autoChecks = () =>
    createAutoChecks({
      db: h.db,
      now: () => h.clock.now(),
      linkState: h.link.state ? () => h.link.state! : undefined,
      // what the module context hands the process module: the backend behind the app's wrapper
      notifier: notifier ? safeNotifier(notifier, silentLogger) : h.ctx.notifier,
      hasToken: async () => false,
      testNotification: { title: 'Test', body: 'body' },
    });

  it('metric: passes below 80% of the threshold, fails above, reports what it saw', async () => {
    h = makeHarness();
    const series = (v: number, plugin = 'ef.channels.ozon') => ({ labels: { plugin }, points: [[T0 - 2 * MIN, 10] as [number, number], [T0 - MIN, v] as [number, number]] });
    cachePanel(h.db, { panel: 'backlog', exprs: ['sum by (plugin) (ef_tasks_backlog)'], series: [series(3120), series(9000, 'ef.channels.other')], fetchedAt: T0 });
    expect(await evaluate(backlog)).toMatchObject({ outcome: 'pass', reason: 'metric_ok', value: '3120', limit: '< 4000', dataAt: T0 - MIN });
    cachePanel(h.db, { panel: 'backlog', exprs: ['ef_tasks_backlog'], series: [series(4100)], fetchedAt: T0 });
    expect(await evaluate(backlog)).toMatchObject({ outcome: 'fail', reason: 'metric_breach', value: '4100' });
  });

  it('metric: stale or missing data is unknown, never pass', async () => {
    h = makeHarness();
    expect(await evaluate(backlog)).toMatchObject({ outcome: 'unknown', reason: 'no_panel' });
    cachePanel(h.db, { panel: 'backlog', exprs: ['ef_tasks_backlog'], series: [], fetchedAt: T0 });
    expect(await evaluate(backlog)).toMatchObject({ outcome: 'unknown', reason: 'no_series' });
    // a healthy-looking value from 20 minutes ago
    cachePanel(h.db, {
      panel: 'backlog',
      exprs: ['ef_tasks_backlog'],
      series: [{ labels: { plugin: 'ef.channels.ozon' }, points: [[T0 - 20 * MIN, 10]] }],
      fetchedAt: T0 - 20 * MIN,
    });
    expect(await evaluate(backlog)).toMatchObject({ outcome: 'unknown', reason: 'stale', value: '10', dataAt: T0 - 20 * MIN });
    // NaN points are skipped, not read as a value
    cachePanel(h.db, {
      panel: 'backlog',
      exprs: ['ef_tasks_backlog'],
      series: [{ labels: { plugin: 'ef.channels.ozon' }, points: [[T0 - 20 * MIN, 10], [T0, Number.NaN]] }],
      fetchedAt: T0,
    });
    expect((await evaluate(backlog)).outcome).toBe('unknown');
    // a metric whose name only starts the same does not count
    cachePanel(h.db, { panel: 'backlog', exprs: ['ef_tasks_backlog_total'], series: [{ labels: {}, points: [[T0, 1]] }], fetchedAt: T0 });
    expect(await evaluate(backlog)).toMatchObject({ outcome: 'unknown', reason: 'no_panel' });
  });

  it('metric: compares with another metric (connections vs max connections)', async () => {
    h = makeHarness();
    cachePanel(h.db, {
      panel: 'db',
      exprs: ['pg_stat_activity_count', 'pg_settings_max_connections'],
      series: [
        { labels: { __name__: 'pg_stat_activity_count', datname: 'orders' }, points: [[T0, 120]] },
        { labels: { __name__: 'pg_settings_max_connections' }, points: [[T0, 200]] },
      ],
      fetchedAt: T0,
    });
    expect(await evaluate(dbConns)).toMatchObject({ outcome: 'pass', value: '120', limit: '< 140' });
    cachePanel(h.db, {
      panel: 'db',
      exprs: ['pg_stat_activity_count', 'pg_settings_max_connections'],
      series: [{ labels: { __name__: 'pg_stat_activity_count' }, points: [[T0, 150]] }, { labels: { __name__: 'pg_settings_max_connections' }, points: [[T0, 200]] }],
      fetchedAt: T0,
    });
    expect(await evaluate(dbConns)).toMatchObject({ outcome: 'fail', value: '150' });
    cachePanel(h.db, { panel: 'db', exprs: ['pg_stat_activity_count'], series: [{ labels: {}, points: [[T0, 150]] }], fetchedAt: T0 });
    expect(await evaluate(dbConns)).toMatchObject({ outcome: 'unknown', reason: 'no_limit' });
  });

  it('no firing P0/P1: counts unsilenced firing alerts, and stale alerts are unknown', async () => {
    h = makeHarness();
    const c = check({ type: 'no_firing', severities: ['P0', 'P1'] });
    expect(await evaluate(c)).toMatchObject({ outcome: 'unknown', reason: 'never_synced' });
    h.ctx.touch('alerts', T0 - 5 * MIN);
    cacheAlert(h.db, { fp: 'a', name: 'DbSlow', severity: 'P2', startsAt: T0 - MIN });
    cacheAlert(h.db, { fp: 'b', name: 'ReleaseNoise', severity: 'P1', startsAt: T0 - MIN, silenced: true });
    cacheAlert(h.db, { fp: 'c', name: 'OrderPullFailures', severity: 'P1', state: 'resolved', startsAt: T0 - MIN });
    expect(await evaluate(c)).toMatchObject({ outcome: 'pass', reason: 'no_firing', value: '0', dataAt: T0 - 5 * MIN });
    cacheAlert(h.db, { fp: 'd', name: 'OrderPullFailures', severity: 'P1', startsAt: T0 - MIN, ackedBy: 'Li Wei', ackedAt: T0 });
    expect(await evaluate(c)).toMatchObject({ outcome: 'fail', reason: 'firing', value: '1: OrderPullFailures (P1)' });
    h.clock.advance(20 * MIN);
    expect(await evaluate(c)).toMatchObject({ outcome: 'unknown', reason: 'stale' });
    // an online link streams every change, so the cache is current
    h.link.state = linkState();
    expect(await evaluate(c)).toMatchObject({ outcome: 'fail', dataAt: h.clock.now() });
  });

  it('freshness: roster synced in the last hour', async () => {
    h = makeHarness();
    const c = check({ type: 'fresh', collections: ['rosters'], maxAgeMinutes: 60 });
    expect(await evaluate(c)).toMatchObject({ outcome: 'fail', reason: 'never_synced' });
    h.ctx.touch('rosters', T0 - 59 * MIN);
    expect(await evaluate(c)).toMatchObject({ outcome: 'pass', reason: 'fresh', value: 'rosters: 59 min' });
    h.clock.advance(2 * MIN);
    expect(await evaluate(c)).toMatchObject({ outcome: 'fail', reason: 'not_fresh' });
  });

  it('link and token: unknown without a link state, red when down, green when online', async () => {
    h = makeHarness();
    const link = check({ type: 'link_online' });
    const token = check({ type: 'token_valid' });
    expect(await evaluate(link)).toMatchObject({ outcome: 'unknown', reason: 'link_unknown' });
    h.link.state = linkState({ status: 'offline' });
    expect(await evaluate(link)).toMatchObject({ outcome: 'fail', reason: 'link_down', value: 'offline' });
    expect(await evaluate(token)).toMatchObject({ outcome: 'fail', reason: 'token_missing' });
    h.link.state = linkState({ status: 'auth_failed', lastError: 'token rejected' });
    expect(await evaluate(token)).toMatchObject({ outcome: 'fail', reason: 'token_rejected' });
    h.link.state = linkState({ status: 'online' });
    expect(await evaluate(link)).toMatchObject({ outcome: 'pass', reason: 'link_online' });
    expect(await evaluate(token)).toMatchObject({ outcome: 'pass', reason: 'token_ok' });
    h.link.state = linkState({ status: 'online', embedded: true });
    expect(await evaluate(token)).toMatchObject({ outcome: 'pass', reason: 'token_embedded' });
  });

  it('test notification: shown and recorded, or failed with the reason', async () => {
    h = makeHarness();
    notifier = undefined;
    expect(await evaluate(check({ type: 'notification_test' }))).toMatchObject({ outcome: 'pass', reason: 'notification_shown', dataAt: T0 });
    expect(h.notifier.sent).toEqual([expect.objectContaining({ tag: 'test', title: 'Test', sticky: false })]);
    notifier = { notify: async () => Promise.reject(new Error('D-Bus not available')) };
    expect(await evaluate(check({ type: 'notification_test' }))).toMatchObject({ outcome: 'fail', value: 'failed: D-Bus not available' });
    // a backend that knows why says it as a code, and the reading keeps the code (worded when read)
    notifier = { notify: async () => Promise.reject(new NotifyFailureError({ code: 'no_session' })) };
    expect(await evaluate(check({ type: 'notification_test' }))).toMatchObject({ outcome: 'fail', reason: 'notification_failed', value: 'no_session' });
    notifier = undefined;
  });

  it('a self-check run fills its steps from the checks and puts failures first', async () => {
    h = makeHarness({ link: linkState({ status: 'offline' }) });
    h.ctx.touch('rosters', T0 - 10 * MIN);
    h.ctx.touch('alerts', T0 - 10 * MIN);
    const v = await h.mod.services.checklists.start({ templateId: 'shift-self-check' }, 'Li Wei');
    const state = (id: string) => v.run.steps.find((s) => s.stepId === id)!;
    expect(state('notification-test')).toMatchObject({ state: 'done', updatedBy: 'auto-check' });
    expect(state('link-online')).toMatchObject({ state: 'failed', auto: { value: 'offline' } });
    expect(state('roster-synced').state).toBe('done');
    expect(state('cache-fresh').state).toBe('failed');
    expect(state('no-p0-p1').state).toBe('done');
    expect(state('queue-backlog')).toMatchObject({ state: 'todo', auto: { outcome: 'unknown', reason: 'no_panel' } });
    // offline: no test call is sent, and the step says so instead of passing or failing
    expect(state('paging-channels')).toMatchObject({ state: 'todo', auto: { outcome: 'unknown', reason: 'paging_offline', value: 'offline', dataAt: null } });
    expect(h.sent.filter((a) => a.type === 'paging.test')).toEqual([]);
    expect(v.run.result).toBe('red');
    expect(h.notifier.sent).toHaveLength(1);

    // the link comes back: a re-check turns the link item green, a person's decision stays
    h.mod.services.checklists.setStep({ runId: v.run.id, stepId: 'cache-fresh', state: 'skipped', note: 'first start on this desk' }, 'Li Wei');
    h.link.state = linkState({ status: 'online' });
    const pending = h.mod.services.checklists.recheck(v.run.id);
    // online, the test call goes to the gateway; nobody answers here, so after its wait it says so
    await new Promise((r) => setImmediate(r));
    expect(h.sent.filter((a) => a.type === 'paging.test')).toHaveLength(1);
    h.clock.advance(30_000);
    const again = await pending;
    expect(again.run.steps.find((s) => s.stepId === 'paging-channels')).toMatchObject({ state: 'failed', auto: { outcome: 'fail', reason: 'paging_failed', value: 'no_answer' } });
    expect(again.run.steps.find((s) => s.stepId === 'link-online')!.state).toBe('done');
    expect(again.run.steps.find((s) => s.stepId === 'cache-fresh')).toMatchObject({ state: 'skipped', auto: { outcome: 'pass' } });
  });
});

describe('the test call (paging_test)', () => {
  let h: Harness;
  afterEach(() => h?.close());
  const comms = (id: string, over: Record<string, unknown> = {}) => ({
    id,
    kind: 'test',
    incidentId: null,
    phase: null,
    by: 'Li Wei',
    login: 'liwei',
    at: T0,
    deliveries: [],
    console: 'delivered',
    none: null,
    updatedAt: T0,
    ...over,
  });
  const delivery = (channel: string, state: string, error: string | null = null) => ({ channel, type: 'dingtalk', person: null, state, attempts: state === 'pending' ? 0 : 1, at: null, error });
  const applier = () => h.mod.appliers!.find((a) => a.kind === 'comms.update')!;

  it("sends paging.test and records each channel's answer once all have one; other consoles' tests are ignored", async () => {
    h = makeHarness({ link: linkState({ status: 'online' }) });
    const reading = h.mod.services.checklists.start({ templateId: 'shift-self-check' }, 'Li Wei');
    await new Promise((r) => setImmediate(r));
    const [test] = h.sent.filter((a) => a.type === 'paging.test');
    const testId = (test.payload as { testId: string }).testId;
    // someone else's test, and ours still sending: the step keeps waiting
    applier().apply(comms('someone-else', { deliveries: [delivery('x', 'sent')] }), { seq: 1, at: T0 });
    applier().apply(comms(testId, { deliveries: [delivery('sre-dingtalk', 'sent'), delivery('sre-slack', 'pending')] }), { seq: 2, at: T0 });
    h.clock.advance(5_000);
    applier().apply(comms(testId, { deliveries: [delivery('sre-dingtalk', 'sent'), delivery('sre-slack', 'dead', 'HTTP 404: no_service')] }), { seq: 3, at: T0 });
    const v = await reading;
    expect(v.run.steps.find((s) => s.stepId === 'paging-channels')).toMatchObject({
      state: 'failed',
      auto: { outcome: 'fail', reason: 'paging_failed', value: 'sre-dingtalk: sent; sre-slack: dead — HTTP 404: no_service; console: delivered', dataAt: T0 + 5_000 },
    });
    // the desktop notification step is still its own check
    expect(v.run.steps.find((s) => s.stepId === 'notification-test')).toMatchObject({ state: 'done', auto: { reason: 'notification_shown' } });
  });

  it('every path arrived: the step is done; the reading is codes, whatever the language when it ran', async () => {
    h = makeHarness({ link: linkState({ status: 'online' }) });
    h.settings({ language: 'zh-CN' });
    const reading = h.mod.services.checklists.start({ templateId: 'shift-self-check' }, 'Li Wei');
    await new Promise((r) => setImmediate(r));
    const testId = (h.sent.find((a) => a.type === 'paging.test')!.payload as { testId: string }).testId;
    applier().apply(comms(testId, { deliveries: [delivery('sre-dingtalk', 'sent')] }), { seq: 1, at: T0 });
    const step = (await reading).run.steps.find((s) => s.stepId === 'paging-channels')!;
    expect(step).toMatchObject({ state: 'done', auto: { outcome: 'pass', reason: 'paging_arrived', value: 'sre-dingtalk: sent; console: delivered' } });
  });
});
