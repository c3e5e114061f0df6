/**
 * The GatewayStore contract (src/gateway/store.ts), written against the interface and run for every
 * implementation listed in IMPLEMENTATIONS: SQLite, and PostgreSQL on a throwaway server (test/services/postgres.ts). Snapshot
 * packing has its own exhaustive test (test/unit/link/gateway-snapshot.test.ts).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPgGatewayStore } from '@gateway/postgres/store';
import { openGatewayStore } from '@gateway/sqlite/store';
import { SEP } from '@gateway/entities';
import type { SourceEvent } from '@gateway/source';
import type { ActionRecord, GatewayStore } from '@gateway/store';
import { alert } from '@test/integration/link/helpers';
import { tempDir } from '@test/helpers/tmp';
import { postgresPerFile } from '@test/helpers/pg-per-file';

interface Implementation {
  name: string;
  /** opens the store kept under `dir` (the same dir again reopens it) */
  open(dir: string, opts?: { retain?: number }): GatewayStore;
}

/** one throwaway PostgreSQL server for the file; each test dir gets its own database */
const pg = postgresPerFile('contract');

const IMPLEMENTATIONS: Implementation[] = [
  { name: 'sqlite', open: (dir, opts) => openGatewayStore(path.join(dir, 'gateway.db'), opts) },
  { name: 'postgres', open: (dir, opts) => openPgGatewayStore({ connectionString: pg.urlFor(dir), ...opts }) },
];

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.reverse().forEach((c) => c());
  cleanups = [];
});

const panel = { id: 'p1', title: 'Backlog', type: 'timeseries', unit: null, thresholds: [], targets: [] };
const dashboard = (id: string) => ({ id, title: id, tags: [], panels: [panel], unsupported: [], updatedAt: 1 });
const series = (dashboardId: string) => ({
  dashboardId,
  panelId: 'p1',
  series: [],
  rangeStart: 0,
  rangeEnd: 1,
  stepSeconds: 1,
  fetchedAt: 1,
});
const record = (id: string, over: Partial<ActionRecord> = {}): ActionRecord => ({
  id,
  type: 'alert.ack',
  payload: { fingerprint: 'fp000001' },
  actor: 'Li Wei',
  login: 'liwei',
  clientId: 'console-1',
  at: 5,
  ...over,
});

describe.each(IMPLEMENTATIONS)('GatewayStore contract: $name', (impl) => {
  function open(opts?: { retain?: number }) {
    const d = tempDir(`vigil-store-${impl.name}-`);
    let store = impl.open(d.dir, opts);
    cleanups.push(() => {
      try {
        store.close();
      } catch {
        // closed by the test
      }
      d.cleanup();
    });
    return {
      get store() {
        return store;
      },
      reopen() {
        store.close();
        store = impl.open(d.dir, opts);
        return store;
      },
    };
  }

  it('starts empty, keeps its serverId across a reopen, and seqs keep counting', () => {
    const h = open();
    expect([h.store.head(), h.store.oldest(), h.store.eventsAfter(0, 10)]).toEqual([0, 1, []]);
    const id = h.store.serverId;
    expect(id).toMatch(/\S{8,}/);
    h.store.append([{ kind: 'alert.upsert', data: alert(1) }], 10);
    const again = h.reopen();
    expect(again.serverId).toBe(id);
    expect(again.head()).toBe(1);
    expect(again.append([{ kind: 'alert.upsert', data: alert(2) }], 11).appended.map((e) => e.seq)).toEqual([2]);
  });

  it('logs real changes in order, skips identical upserts and unknown removals, refuses bad events', () => {
    const { store } = open();
    const out = store.append(
      [
        { kind: 'alert.upsert', data: alert(1) },
        { kind: 'alert.upsert', data: alert(1) },
        { kind: 'alert.remove', data: { fingerprint: 'never-seen' } },
        { kind: 'alert.upsert', data: { fingerprint: 42 } },
        { kind: 'no.such.kind', data: {} },
        { kind: 'alert.upsert', data: alert(2) },
        { kind: 'alert.remove', data: { fingerprint: alert(1).fingerprint } },
      ],
      100,
    );
    expect(out.appended.map((e) => [e.seq, e.kind, e.at])).toEqual([
      [1, 'alert.upsert', 100],
      [2, 'alert.upsert', 100],
      [3, 'alert.remove', 100],
    ]);
    expect(out.unchanged).toBe(2);
    expect(out.invalid.map((i) => i.kind)).toEqual(['alert.upsert', 'no.such.kind']);
    expect(out.invalid[0].reason).toMatch(/^fingerprint: /);
    expect(out.invalid[1].reason).toBe('unknown event kind');
    // the stored data is the JSON sent to clients, and the state follows the log
    expect(JSON.parse(store.eventsAfter(1, 1)[0].data)).toEqual(alert(2));
    expect(store.current('alert').map((e) => e.id)).toEqual([alert(2).fingerprint]);
    expect(store.eventsAfter(0, 2).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('removing a dashboard removes its series from the state', () => {
    const { store } = open();
    const out = store.append(
      [
        { kind: 'dashboard.upsert', data: dashboard('d1') },
        { kind: 'dashboard.upsert', data: dashboard('d2') },
        { kind: 'series.update', data: series('d1') },
        { kind: 'series.update', data: series('d2') },
        { kind: 'dashboard.remove', data: { id: 'd1' } },
      ] as SourceEvent[],
      1,
    );
    expect(out.invalid).toEqual([]);
    expect(store.current('series').map((e) => e.id)).toEqual([`d2${SEP}p1`]);
    expect(store.snapshot(100, 1 << 20).total).toBe(2); // d2 and its series
  });

  it('prunes the oldest events beyond its retention, keeping head and the state', () => {
    const { store } = open({ retain: 500 });
    store.append(
      Array.from({ length: 2000 }, (_, i) => ({ kind: 'alert.upsert' as const, data: alert(i) })),
      1,
    );
    expect(store.head()).toBe(2000);
    expect(store.oldest()).toBeGreaterThan(1);
    expect(store.oldest()).toBeLessThanOrEqual(1501);
    expect(store.eventsAfter(0, 1)[0].seq).toBe(store.oldest());
    expect(store.current('alert')).toHaveLength(2000);
  });

  it('stores an action outcome once per id; a begun attempt without one is in doubt and resumes', () => {
    const { store } = open();
    expect(store.storedResult('a1')).toBeNull();
    expect(store.beginAction(record('a1'))).toEqual({ resumed: false });
    expect(store.unfinishedActions()).toBe(1);
    expect(store.beginAction(record('a1'))).toEqual({ resumed: true });
    store.recordAction(record('a1'), { ok: true, error: null });
    expect(store.unfinishedActions()).toBe(0);
    expect(store.storedResult('a1')).toEqual({ ok: true, error: null });
    store.recordAction(record('a2'), { ok: false, error: { code: 'not_found', message: 'gone' } });
    expect(store.storedResult('a2')).toEqual({ ok: false, error: { code: 'not_found', message: 'gone' } });
  });

  it('says what an action id was used for: its type and payload, once begun or stored (id_conflict needs it)', () => {
    const { store } = open();
    expect(store.actionOf('u1')).toBeNull();
    const a = record('u1');
    store.beginAction(a);
    expect(store.actionOf('u1')).toEqual({ type: a.type, payload: JSON.stringify(a.payload) });
    store.recordAction(a, { ok: true, error: null });
    expect(store.actionOf('u1')).toEqual({ type: a.type, payload: JSON.stringify(a.payload) });
  });

  it('keeps ack extensions per cluster across a reopen: counts, a replaced silence id, forgetting', () => {
    const o = open();
    expect(o.store.ackExtensions('prod')).toEqual([]);
    expect(o.store.recordAckExtension({ cluster: 'prod', fromId: 's1', toId: 's1', extendedTo: 100, at: 10 })).toMatchObject({ extensions: 1 });
    o.store.recordAckExtension({ cluster: 'prod', fromId: 's1', toId: 's1', extendedTo: 200, at: 20 });
    // Alertmanager replaced the silence: the count moves to the new id
    o.store.recordAckExtension({ cluster: 'prod', fromId: 's1', toId: 's2', extendedTo: 300, at: 30 });
    o.store.recordAckExtension({ cluster: 'staging', fromId: 's1', toId: 's1', extendedTo: 50, at: 5 });
    const s = o.reopen();
    expect(s.ackExtensions('prod')).toEqual([{ cluster: 'prod', silenceId: 's2', extensions: 3, extendedTo: 300, at: 30 }]);
    expect(s.ackExtensions('staging')).toEqual([{ cluster: 'staging', silenceId: 's1', extensions: 1, extendedTo: 50, at: 5 }]);
    s.forgetAckExtensions('prod', ['s2', 'unknown']);
    expect(s.ackExtensions('prod')).toEqual([]);
    expect(s.ackExtensions('staging')).toHaveLength(1);
  });

  it('applies a process action with its events and its outcome together; a refusal logs nothing', () => {
    const { store } = open();
    const declare = {
      incidentId: 'inc-1',
      title: 'Shipment push failing',
      severity: 'P1',
      proposedSeverity: null,
      fingerprints: ['fp000001'],
    };
    const ok = store.applyProcessAction(record('p1', { type: 'incident.declare' }), 'incident.declare', declare);
    expect(ok.result).toEqual({ ok: true, error: null });
    expect(ok.appended.map((e) => [e.seq, e.kind])).toEqual([[1, 'incident.update']]);
    expect(store.storedResult('p1')).toEqual({ ok: true, error: null });
    expect(store.current('incident')[0].data).toMatchObject({
      id: 'inc-1',
      incident: { declaredBy: 'Li Wei', status: 'open' },
    });

    const refused = store.applyProcessAction(record('p2', { type: 'incident.declare' }), 'incident.declare', declare);
    expect(refused).toEqual({
      result: { ok: false, error: expect.objectContaining({ code: 'conflict' }) },
      appended: [],
    });
    expect(store.head()).toBe(1);
    expect(store.storedResult('p2')).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});
