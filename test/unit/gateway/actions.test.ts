/**
 * The action handler alone (src/gateway/actions.ts) on a real SQLite store and an in-test source: an action
 * id is applied once — a resend gets the stored result as a replay, a duplicate in flight waits for the
 * first — bad payloads are refused and stored, process actions log their events with the result, a source
 * that throws still gets an answer, and an attempt left in doubt by a crash is resumed, not repeated blind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { FakeClock } from '@node/clock';
import { createLogger, silentLogger, type Logger } from '@node/log';
import type { Identity, Role } from '@shared/identity';
import { createActionHandler, type ActionFrame, type LocalActions, type Sender } from '@gateway/actions';
import { createGatewayMetrics } from '@gateway/metrics';
import type { StoredEvent } from '@gateway/store';
import { testSource, type TestSource } from '@test/integration/link/helpers';
import { sqliteStore } from './fakes';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

const person = (login: string, name: string, role: Role = 'responder'): Identity => ({
  login,
  name,
  role,
  via: 'token',
});
const FROM: Sender = { clientId: 'console-1', identity: person('liwei', 'Li Wei') };

function setup(
  o: { source?: TestSource; log?: Logger; dir?: ReturnType<typeof sqliteStore>; known?: string[]; local?: LocalActions } = {},
) {
  const s = o.dir ?? sqliteStore();
  if (!o.dir) cleanups.push(s.cleanup);
  const source = o.source ?? testSource();
  const clock = new FakeClock();
  const metrics = createGatewayMetrics('test');
  const logged: StoredEvent[] = [];
  const handler = createActionHandler({
    store: s.store,
    source,
    clock,
    log: o.log ?? silentLogger,
    metrics,
    logged: (events) => logged.push(...events),
    knownNames: () => new Set(o.known ?? []),
    local: o.local,
  });
  const results = async () => (await metrics.registry.getSingleMetric('vigil_gateway_actions_total')!.get()).values;
  return { ...s, source, handler, logged, results };
}

const ack = (over: Partial<ActionFrame> = {}): ActionFrame => ({
  type: 'action',
  id: uuidv7(),
  action: 'alert.ack',
  payload: { fingerprint: 'fp000001', note: 'looking' },
  at: 1,
  ...over,
});

describe('gateway actions: exactly once per id', () => {
  it('applies a source action once; a resend gets the stored result as a replay without reaching the source', async () => {
    const { handler, source, store, results } = setup();
    const f = ack();
    expect(await handler.handle(FROM, f)).toEqual({ type: 'result', id: f.id, ok: true, error: undefined });
    expect(await handler.handle(FROM, f)).toEqual({
      type: 'result',
      id: f.id,
      ok: true,
      error: undefined,
      replay: true,
    });
    expect(source.applied).toHaveLength(1);
    expect(source.applied[0]).toMatchObject({ id: f.id, type: 'alert.ack', operator: 'Li Wei', at: 1 });
    expect(store.storedResult(f.id)).toEqual({ ok: true, error: null });
    expect(store.unfinishedActions()).toBe(0);
    expect((await results()).map((v) => [v.labels.result, v.value])).toEqual(
      expect.arrayContaining([
        ['applied', 1],
        ['replayed', 1],
      ]),
    );
  });

  it('a duplicate that arrives while the first is being applied waits for it and is not applied again', async () => {
    const { handler, source } = setup();
    const release = source.hold();
    const f = ack();
    const first = handler.handle(FROM, f);
    const second = handler.handle({ clientId: 'console-2', identity: person('zhangsan', 'Zhang San') }, f);
    await new Promise((r) => setTimeout(r, 20));
    expect(source.entered).toBe(1);
    release();
    expect(await first).toMatchObject({ ok: true });
    expect(await second).toMatchObject({ ok: true, replay: true });
    expect(source.entered).toBe(1);
  });

  it('stores a refusal like a success: the resend replays the same error', async () => {
    const { handler, source, store } = setup();
    source.outcome = () => ({ ok: false, error: { code: 'not_found', message: 'alert fp000001 is not firing' } });
    const f = ack();
    const r = await handler.handle(FROM, f);
    expect(r).toEqual({
      type: 'result',
      id: f.id,
      ok: false,
      error: { code: 'not_found', message: 'alert fp000001 is not firing' },
    });
    source.outcome = () => ({ ok: true });
    expect(await handler.handle(FROM, f)).toEqual({ ...r, replay: true });
    expect(store.storedResult(f.id)).toEqual({ ok: false, error: r.error });
  });

  it('refuses a payload its schema rejects, naming the field, and never calls the source', async () => {
    const { handler, source } = setup();
    const f = ack({ payload: { fingerprint: 42 } });
    const r = await handler.handle(FROM, f);
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_payload' } });
    expect(r.error!.message).toMatch(/^alert\.ack: fingerprint: /);
    expect(source.entered).toBe(0);
    expect(await handler.handle(FROM, f)).toMatchObject({ ok: false, replay: true, error: { code: 'bad_payload' } });
  });

  it('answers for a source that throws, naming the source, and stores that answer', async () => {
    const { handler, store } = setup({
      source: Object.assign(testSource(), {
        apply: async () => {
          throw new Error('socket hang up');
        },
      }),
    });
    const f = ack();
    const r = await handler.handle(FROM, f);
    expect(r).toMatchObject({ ok: false, error: { code: 'internal', message: 'test source failed: socket hang up' } });
    expect(store.storedResult(f.id)).toMatchObject({ ok: false });
  });

  it("acts as the credential's person whatever the frame claims; only the shared token takes a typed name, marked", async () => {
    const { handler, source, store } = setup();
    const forged = ack({ actor: 'Wang Fang' });
    await handler.handle(FROM, forged);
    await handler.handle(FROM, ack());
    const shared: Sender = {
      clientId: 'c',
      identity: { login: null, name: 'Zhao Liu', role: 'responder', via: 'shared' },
    };
    await handler.handle(shared, ack({ actor: 'Wang Fang' }));
    await handler.handle({ ...shared, identity: { ...shared.identity, name: '' } }, ack());
    expect(source.applied.map((a) => a.operator)).toEqual([
      'Li Wei',
      'Li Wei',
      'Wang Fang (shared token)',
      'unknown (shared token)',
    ]);
    const row = store.db.prepare('SELECT actor, login FROM actions WHERE id = ?').get(forged.id);
    expect(row).toEqual({ actor: 'Li Wei', login: 'liwei' });
    const audit = store.db.prepare('SELECT actor, login FROM audit ORDER BY id').all();
    expect(audit.slice(0, 2)).toEqual([
      { actor: 'Li Wei', login: 'liwei' },
      { actor: 'Li Wei', login: 'liwei' },
    ]);
  });

  it('refuses a viewer forbidden, and an action queued as someone else, without storing the refusal', async () => {
    const { handler, source, store, results } = setup();
    const viewer: Sender = { clientId: 'c', identity: person('wangwu', '王五', 'viewer') };
    const f = ack();
    const r = await handler.handle(viewer, f);
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(r.error!.message).toMatch(/王五 is a viewer here: alert.ack needs the responder role/);
    expect(store.storedResult(f.id)).toBeNull();
    // the same id sent later by someone allowed is applied, not replayed as forbidden
    expect(await handler.handle(FROM, f)).toMatchObject({ ok: true });
    const queuedAsOther = ack({ login: 'zhangsan' });
    const other = await handler.handle(FROM, queuedAsOther);
    expect(other).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(other.error!.message).toMatch(/queued as zhangsan, but this connection is liwei/);
    expect(await handler.handle(FROM, ack({ login: 'liwei' }))).toMatchObject({ ok: true });
    expect(source.applied).toHaveLength(2);
    expect((await results()).find((v) => v.labels.result === 'forbidden')?.value).toBe(2);
  });
});

describe('gateway actions: process actions and crashes', () => {
  const declare = (incidentId: string, id = uuidv7()): ActionFrame => ({
    type: 'action',
    id,
    action: 'incident.declare',
    payload: { incidentId, title: 'Shipment push failing', severity: 'P1', proposedSeverity: 'P1', fingerprints: [] },
    at: 1,
  });

  it('keeps process actions itself: the events are logged with the result, once, and the source never sees them', async () => {
    const { handler, source, logged, store } = setup();
    const f = declare('inc-1');
    expect(await handler.handle(FROM, f)).toMatchObject({ ok: true });
    expect(logged.map((e) => e.kind)).toEqual(['incident.update']);
    expect(JSON.parse(logged[0].data)).toMatchObject({
      id: 'inc-1',
      incident: { title: 'Shipment push failing', declaredBy: 'Li Wei' },
    });
    expect(store.current('incident').map((e) => e.id)).toEqual(['inc-1']);
    expect(await handler.handle(FROM, f)).toMatchObject({ ok: true, replay: true });
    expect(logged).toHaveLength(1);
    expect(store.head()).toBe(1);
    expect(source.entered).toBe(0);
  });

  it('a refused process action logs nothing and its refusal is stored', async () => {
    const { handler, logged, store } = setup();
    await handler.handle(FROM, declare('inc-1'));
    const again = declare('inc-1');
    const r = await handler.handle(FROM, again);
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(logged).toHaveLength(1);
    expect(store.head()).toBe(1);
    expect(store.storedResult(again.id)).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('refuses a checklist run or a handover that names someone the platform cannot prove, and records nothing', async () => {
    const { handler, logged, store } = setup({ known: ['Zhang San'] });
    const run = (names: { startedBy: string; finishedBy: string; updatedBy: (string | null)[] }) => ({
      type: 'action' as const,
      id: uuidv7(),
      action: 'checklist.result' as const,
      payload: {
        runId: `run-${uuidv7()}`,
        templateId: 'runbook:rb-1',
        result: {
          kind: 'runbook',
          startedBy: names.startedBy,
          finishedBy: names.finishedBy,
          steps: names.updatedBy.map((updatedBy, i) => ({ id: `s${i}`, state: 'done', updatedBy })),
        },
      },
      at: 1,
    });
    // the sender, a known person, an automatic check and a name marked unverified are all fine
    const fine = run({ startedBy: 'Zhang San', finishedBy: 'Li Wei', updatedBy: ['Li Wei', 'auto-check', 'Bo (shared token)', null] });
    expect(await handler.handle(FROM, fine)).toMatchObject({ ok: true });
    expect(logged).toHaveLength(1);
    // a name nobody proved is refused, naming it, and nothing is logged
    const forged = run({ startedBy: 'Li Wei', finishedBy: 'Li Wei', updatedBy: ['Mallory the CTO'] });
    const r = await handler.handle(FROM, forged);
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(r.error!.message).toContain('"Mallory the CTO"');
    expect(logged).toHaveLength(1);
    expect(store.storedResult(forged.id)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // a handover is handed over by whoever submits it: even a known person's name is refused there
    const handover = (outgoing: string): ActionFrame => ({
      type: 'action',
      id: uuidv7(),
      action: 'handover.submit',
      payload: { handoverId: `h-${outgoing.length}`, record: { id: `h-${outgoing.length}`, outgoing } },
      at: 1,
    });
    expect(await handler.handle(FROM, handover('Zhang San'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await handler.handle(FROM, handover('Li Wei'))).toMatchObject({ ok: true });
    // with the shared token the typed name is the sender's, marked; an older console sends it unmarked
    const shared: Sender = { clientId: 'desk', identity: { login: null, name: 'Ana', role: 'responder', via: 'shared' } };
    const typed = (outgoing: string) => ({ ...handover(outgoing), actor: 'Ana (shared token)' });
    expect(await handler.handle(shared, typed('Ana (shared token)'))).toMatchObject({ ok: true });
    expect(await handler.handle(shared, typed('Ana'))).toMatchObject({ ok: true });
    expect(await handler.handle(shared, typed('Li Wei'))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses an incident update that puts someone the platform cannot prove in a role, and records nothing', async () => {
    const { handler, logged, store } = setup({ known: ['Zhang San'] });
    await handler.handle(FROM, declare('inc-r'));
    const roles = (r: Record<string, string | null>): ActionFrame => ({
      type: 'action',
      id: uuidv7(),
      action: 'incident.update',
      payload: { incidentId: 'inc-r', patch: { roles: r } },
      at: 1,
    });
    // the sender, a known person, a name marked unverified, and clearing a role are fine
    expect(await handler.handle(FROM, roles({ commander: 'Li Wei', techLead: 'Zhang San', comms: 'Bo (shared token)', onCall: null }))).toMatchObject({ ok: true });
    expect(logged).toHaveLength(2);
    const forged = roles({ commander: 'Li Wei', techLead: 'Mallory the CTO' });
    const r = await handler.handle(FROM, forged);
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(r.error!.message).toContain('"Mallory the CTO"');
    expect(logged).toHaveLength(2);
    expect(store.storedResult(forged.id)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const doc = JSON.parse(logged[1].data) as { incident: { fields: { roles: Record<string, string | null> } } };
    expect(doc.incident.fields.roles.techLead).toBe('Zhang San');
    // an update without roles names nobody
    expect(await handler.handle(FROM, { ...roles({}), payload: { incidentId: 'inc-r', patch: { impact: 'orders delayed' } } })).toMatchObject({ ok: true });
  });

  it("paging's part: a recorded status update is followed (again on a replay, for a gateway that died in between); paging.test is answered without the source", async () => {
    const followed: { type: string; id: string; actor: string }[] = [];
    const tests: unknown[] = [];
    const local: LocalActions = {
      handles: (type) => type === 'paging.test',
      apply: (_type, payload) => (tests.push(payload), { ok: true }),
      afterProcess: (type, _payload, who) => void followed.push({ type, id: who.id, actor: who.actor }),
    };
    const { handler, source, store } = setup({ local });
    await handler.handle(FROM, declare('inc-c'));
    const update: ActionFrame = { type: 'action', id: uuidv7(), action: 'incident.status_update', payload: { incidentId: 'inc-c', phase: 'start', text: 'investigating', updateId: 'entry-1' }, at: 1 };
    expect(await handler.handle(FROM, update)).toMatchObject({ ok: true });
    expect(followed.filter((f) => f.type === 'incident.status_update')).toEqual([{ type: 'incident.status_update', id: update.id, actor: 'Li Wei' }]);
    expect(await handler.handle(FROM, update)).toMatchObject({ ok: true, replay: true });
    expect(followed.filter((f) => f.type === 'incident.status_update')).toHaveLength(2);
    // a refused update is not followed
    const closed: ActionFrame = { ...update, id: uuidv7(), payload: { incidentId: 'inc-404', phase: 'start', text: 'x' } };
    expect(await handler.handle(FROM, closed)).toMatchObject({ ok: false });
    expect(followed.filter((f) => f.type === 'incident.status_update')).toHaveLength(2);
    const test: ActionFrame = { type: 'action', id: uuidv7(), action: 'paging.test', payload: { testId: 't-1' }, at: 1 };
    expect(await handler.handle(FROM, test)).toMatchObject({ ok: true });
    expect(await handler.handle(FROM, test)).toMatchObject({ ok: true, replay: true });
    expect(tests).toEqual([{ testId: 't-1' }]);
    expect(source.entered).toBe(0);
    expect(store.storedResult(test.id)).toMatchObject({ ok: true });
  });

  it('an attempt left in doubt by a crash is resumed when its id comes again, and logged as such', async () => {
    const s = sqliteStore();
    cleanups.push(s.cleanup);
    const f = ack();
    // the first gateway began applying upstream and died before storing a result
    s.store.beginAction({
      id: f.id,
      type: f.action,
      payload: f.payload,
      actor: 'Li Wei',
      login: 'liwei',
      clientId: 'console-1',
      at: 1,
    });
    expect(s.store.unfinishedActions()).toBe(1);
    const lines: string[] = [];
    const { handler, source } = setup({ dir: s, log: createLogger({ write: (l) => lines.push(l) }) });
    expect(await handler.handle(FROM, f)).toMatchObject({ ok: true });
    expect(source.resumed).toEqual([true]);
    expect(s.store.unfinishedActions()).toBe(0);
    expect(lines.map((l) => JSON.parse(l).action)).toContain('gateway.action_resumed');
    // a fresh id is a first attempt
    await handler.handle(FROM, ack());
    expect(source.resumed).toEqual([true, false]);
  });
});

describe('gateway actions: an id reused for another action is refused (id_conflict)', () => {
  it('refuses the same id with another payload or type, never applies it, and still replays the original result', async () => {
    const { handler, source, store, results } = setup();
    const f = ack();
    expect(await handler.handle(FROM, f)).toMatchObject({ ok: true });
    const otherPayload = await handler.handle(FROM, { ...f, payload: { fingerprint: 'fp000002', note: 'looking' } });
    expect(otherPayload).toEqual({
      type: 'result',
      id: f.id,
      ok: false,
      error: { code: 'id_conflict', message: expect.stringContaining('with another payload') },
    });
    const otherType = await handler.handle(FROM, { ...f, action: 'alert.unack', payload: { fingerprint: 'fp000001' } });
    expect(otherType.error).toMatchObject({ code: 'id_conflict', message: expect.stringContaining('already used for alert.ack, not alert.unack') });
    expect(source.applied).toHaveLength(1);
    // a true replay (the same payload, keys in another order) still gets the first result
    expect(await handler.handle(FROM, { ...f, payload: { note: 'looking', fingerprint: 'fp000001' } })).toEqual({
      type: 'result',
      id: f.id,
      ok: true,
      error: undefined,
      replay: true,
    });
    expect(store.storedResult(f.id)).toEqual({ ok: true, error: null });
    expect((await results()).filter((v) => v.labels.result === 'id_conflict').reduce((n, v) => n + v.value, 0)).toBe(2);
  });

  it('refuses a conflicting duplicate that arrives while the first is being applied', async () => {
    const { handler, source } = setup();
    const release = source.hold();
    const f = ack();
    const first = handler.handle(FROM, f);
    const second = await handler.handle(FROM, { ...f, payload: { fingerprint: 'fp000009' } });
    expect(second.error?.code).toBe('id_conflict');
    release();
    expect(await first).toMatchObject({ ok: true });
    expect(source.applied.map((a) => a.payload)).toEqual([{ fingerprint: 'fp000001', note: 'looking' }]);
  });

  it('refuses a resend with another payload of an attempt left in doubt by a crash', async () => {
    const s = sqliteStore();
    cleanups.push(s.cleanup);
    const f = ack();
    s.store.beginAction({ id: f.id, type: f.action, payload: f.payload, actor: 'Li Wei', login: 'liwei', clientId: 'console-1', at: 1 });
    const { handler, source } = setup({ dir: s });
    expect((await handler.handle(FROM, { ...f, payload: { fingerprint: 'fp000003' } })).error?.code).toBe('id_conflict');
    expect(source.applied).toHaveLength(0);
    expect(await handler.handle(FROM, f)).toMatchObject({ ok: true });
    expect(source.resumed).toEqual([true]);
  });

  it('refuses the id of a refused bad payload reused with a good one (the refusal stands)', async () => {
    const { handler, source } = setup();
    const f = ack({ payload: { fingerprint: 42 } });
    expect((await handler.handle(FROM, f)).error?.code).toBe('bad_payload');
    expect((await handler.handle(FROM, { ...f, payload: { fingerprint: 'fp000001' } })).error?.code).toBe('id_conflict');
    expect(source.applied).toHaveLength(0);
  });
});
