/**
 * Two consoles and the gateway's own process store (src/gateway/process.ts, the real code on a real
 * SQLite file): every action one console queues is applied by the gateway, and the events it yields are
 * stored by the other console's appliers. No sockets: the link itself is tested with the link module.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAction } from '@gateway/process';
import { createProcessStore } from '@gateway/sqlite/process';
import { gatewayMigrations } from '@gateway/sqlite/schema';
import { openDatabase, type DB } from '@node/sqlite';
import { entryText } from '@shared/incidents';
import { tempDir } from '@test/helpers/tmp';
import { MIN, makeHarness, type Harness } from './harness';

describe('process records through the gateway', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((f) => f()));

  function setup() {
    const tmp = tempDir('vigil-gw-');
    const gdb: DB = openDatabase(path.join(tmp.dir, 'gateway.db'), { migrations: gatewayMigrations });
    const gw = createProcessStore(gdb);
    const a = makeHarness();
    const b = makeHarness();
    b.settings({ operator: 'Zhang San' });
    cleanup.push(() => (a.close(), b.close(), gdb.close(), tmp.cleanup()));
    let seq = 0;
    /** delivers everything `from` queued since the last call to the gateway, and the gateway's events to both */
    const sync = (from: Harness) => {
      for (const act of from.sent.splice(0)) {
        if (!isProcessAction(act.type)) continue;
        const out = gw.apply(act.type, act.payload, { name: act.actor, login: act.actor }, from.clock.now());
        if (!out.ok) throw new Error(`gateway refused ${act.type}: ${out.error.message}`);
        for (const ev of out.events)
          for (const h of [a, b]) h.mod.appliers!.filter((x) => x.kind === ev.kind).forEach((x) => x.apply(ev.data, { seq: ++seq, at: from.clock.now() }));
      }
    };
    return { a, b, sync };
  }

  it('an incident declared on one console reads the same on the other', async () => {
    const { a, b, sync } = setup();
    const { incident } = await a.mod.services.incidents.declare(
      { title: 'Shipment push failing', triage: { serviceDown: false, coreAffected: true, uxDegraded: null }, severity: 'P1', impact: 'EU shops' },
      'Li Wei',
    );
    a.mod.services.incidents.update(incident.id, { roles: { commander: 'Wang Fang' }, changeFreeze: true }, 'Li Wei');
    a.clock.advance(2 * MIN);
    a.mod.services.incidents.addTimeline(incident.id, { kind: 'action', text: 'Raised retry interval to 60 s' }, 'Li Wei');
    a.mod.services.incidents.statusUpdate(incident.id, 'start', '🚨 P1 incident — shipment push', 'Li Wei');
    sync(a);

    const there = b.mod.services.incidents.get(incident.id)!;
    const here = a.mod.services.incidents.get(incident.id)!;
    expect(there.incident).toMatchObject({
      title: 'Shipment push failing',
      severity: 'P1',
      proposedSeverity: 'P1',
      triage: { serviceDown: false, coreAffected: true },
      impact: 'EU shops',
      changeFreeze: true,
      roles: { commander: 'Wang Fang', techLead: null },
      respondedAt: here.incident.respondedAt,
      status: 'investigating',
    });
    expect(b.mod.services.incidents.freezeState().map((f) => f.id)).toEqual([incident.id]);
    // where the status update went is the gateway's paging to say (comms.update, to every console; not part of
    // this store): until then only the sending console has its "queued" line
    const minutesOf = (d: typeof here) => d.timeline.filter((e) => e.system?.code !== 'comms').map((e) => e.text);
    expect(minutesOf(there)).toEqual(minutesOf(here));
    expect(here.timeline.filter((e) => e.system?.code === 'comms')).toHaveLength(1);
    // the echo does not double the first console's minutes, and its own entries keep their system codes
    expect(here.timeline.map((e) => entryText(e, 'zh-CN'))).toContain('已开启变更冻结');

    // the other console closes it; the first one sees it closed with the postmortem
    b.mod.services.incidents.close(incident.id, { rootCause: 'Certificate expired', usersAffected: '', businessImpact: '', dataImpact: '', wentWell: [], toImprove: [], actionItems: [], lessons: '', reviewMeeting: '' }, 'en', 'Zhang San');
    sync(b);
    const closed = a.mod.services.incidents.get(incident.id)!.incident;
    expect(closed).toMatchObject({ status: 'closed', changeFreeze: false, review: { rootCause: 'Certificate expired' } });
    expect(closed.postmortem).toContain('## Root cause\nCertificate expired');
    expect(a.mod.services.incidents.freezeState()).toEqual([]);

    // the first console reopens it: the gateway takes the reopen, and the other console sees it open again
    a.clock.advance(30 * MIN);
    a.mod.services.incidents.reopen(incident.id, 'the certificate was replaced with an expired one', 'Li Wei');
    sync(a);
    expect(b.mod.services.incidents.get(incident.id)!.incident).toMatchObject({ status: 'investigating', closedAt: null });
    b.mod.services.incidents.addTimeline(incident.id, { kind: 'note', text: 'Ordered a new certificate' }, 'Zhang San');
    sync(b);
  });

  it('a handover submitted on one console is signed on the other', () => {
    const { a, b, sync } = setup();
    const h = a.mod.services.handover.submit({ shiftStart: a.clock.now() - 60 * MIN, notes: 'Ozon throttles after 22:00', watchItems: ['release-bot silence'] }, 'Li Wei');
    sync(a);
    const received = b.mod.services.handover.list(undefined, 10);
    expect(received).toEqual([expect.objectContaining({ id: h.id, outgoing: 'Li Wei', state: 'submitted', notes: 'Ozon throttles after 22:00' })]);
    b.clock.advance(5 * MIN);
    b.mod.services.handover.sign(h.id, 'ok', 'Zhang San');
    sync(b);
    expect(a.mod.services.handover.list(undefined, 10)[0]).toMatchObject({ state: 'signed', signedBy: 'Zhang San', signNote: 'ok' });
  });

  it('a finished checklist run reaches the other console', async () => {
    const { a, b, sync } = setup();
    const v = await a.mod.services.checklists.start({ templateId: 'routine-monthly' }, 'Li Wei');
    for (const s of v.run.steps) a.mod.services.checklists.setStep({ runId: v.run.id, stepId: s.stepId, state: 'done' }, 'Li Wei');
    a.mod.services.checklists.finish(v.run.id, 'Li Wei');
    sync(a);
    expect(b.mod.services.checklists.get(v.run.id)!.run).toMatchObject({ state: 'finished', result: 'green', startedBy: 'Li Wei' });
  });
});
