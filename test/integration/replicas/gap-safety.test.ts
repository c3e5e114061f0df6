/**
 * Gap safety of the shared event log (issue #17): many replicas write the one log at once, and a reader
 * that trusts `seq` alone (it asks for `seq > cursor` and moves its cursor to the last seq it got, as the
 * gateway's stream does) must never skip an event that commits late.
 *
 * The writers are four real replica processes, each applying process actions (checklist results) sent by
 * a client of its own, all at once, so four connections append to the log concurrently. The reader is a
 * store of its own in this process, polling as fast as it can. It must see every seq from 1 to the head,
 * once. The control shows the reader would notice: the same reader over a log numbered by a plain
 * SEQUENCE (what a naive implementation does), written by transactions that commit out of order, skips.
 * The writers' own clients, one per replica, must also get every seq once through their replica's fan-out.
 */
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgGatewayStore } from '@gateway/postgres/store';
import { builtApp } from '@test/chaos/procs';
import { startAlertmanager, type AlertmanagerHarness } from '@test/services/alertmanager';
import { startPostgres, type PostgresService } from '@test/services/postgres';
import { until } from '@test/helpers/until';
import { leaderAmong, startReplica, WireConsole } from './harness';

let pgs: PostgresService;
let am: AlertmanagerHarness;
let cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  builtApp();
  [pgs, am] = await Promise.all([startPostgres(), startAlertmanager()]);
}, 300_000);
afterAll(async () => {
  await Promise.all([pgs?.stop(), am?.stop()]);
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** reads `seq > cursor` in a loop between the event loop's other work, trusting seq alone */
function seqReader(read: (after: number) => number[]) {
  const seen: number[] = [];
  let cursor = 0;
  let reading = true;
  const step = () => {
    const batch = read(cursor);
    seen.push(...batch);
    if (batch.length) cursor = batch[batch.length - 1];
  };
  const loop = (async () => {
    while (reading) {
      step();
      await new Promise((r) => setImmediate(r));
    }
    step();
  })();
  return {
    seen,
    async stop() {
      reading = false;
      await loop;
    },
  };
}

const missingIn = (seen: number[], head: number) => {
  const got = new Set(seen);
  return Array.from({ length: head }, (_, i) => i + 1).filter((s) => !got.has(s));
};

describe('the shared event log', () => {
  it('four replicas appending at once: a reader trusting seq sees every event once', async () => {
    const store = await pgs.createDatabase('gaps');
    const ps = [];
    for (let i = 0; i < 4; i++) ps.push(await startReplica({ name: `writer-${i + 1}`, store, alertmanagerUrl: am.url, cleanups }));
    await leaderAmong(ps);
    const reader = openPgGatewayStore({ connectionString: store });
    cleanups.push(() => reader.close());
    const r = seqReader((after) => reader.eventsAfter(after, 500).map((e) => e.seq));

    const perWriter = 250;
    const consoles: WireConsole[] = [];
    await Promise.all(
      ps.map(async (p, w) => {
        const c = new WireConsole(`writer-client-${w}`);
        consoles.push(c);
        await c.connect(p);
        cleanups.push(() => c.client?.ws.terminate());
        const client = c.client!;
        for (let i = 0; i < perWriter; i += 10) {
          const ids = Array.from({ length: 10 }, () => uuidv7());
          for (const id of ids)
            client.send({ type: 'action', id, action: 'checklist.result', payload: { runId: id, templateId: 'gap-probe', result: { w, i } }, at: Date.now() });
          await until(() => ids.every((id) => client.of('result').some((f) => f.id === id && f.ok)), `writer ${w}: results`, 60_000);
        }
      }),
    );
    await r.stop();
    const head = reader.head();
    expect(head).toBeGreaterThanOrEqual(4 * perWriter);
    expect(missingIn(r.seen, head)).toEqual([]);
    expect(r.seen).toHaveLength(new Set(r.seen).size);
    expect(reader.current('checklist')).toHaveLength(4 * perWriter);
    // the same through each replica's fan-out (its in-memory tail, src/gateway/tail.ts): every console,
    // one per replica, got every seq up to the head once, in order, while the four wrote at once
    await until(() => consoles.every((c) => (c.cursor ?? 0) >= head), 'every console at the head', 60_000);
    for (const c of consoles) expect(c.gapsAndDuplicates(), c.name).toEqual({ missing: [], repeated: [] });
  });

  it('control: the same reader over a SEQUENCE-numbered log with out-of-order commits skips events', async () => {
    const url = await pgs.createDatabase('naive');
    pgs.psql('CREATE TABLE naive (seq BIGSERIAL PRIMARY KEY, writer INTEGER NOT NULL)', 'naive');
    const reader = openPgGatewayStore({ connectionString: url });
    cleanups.push(() => reader.close());
    const r = seqReader(
      (after) => reader.db.query<{ seq: number }>('SELECT seq FROM naive WHERE seq > $1 ORDER BY seq LIMIT 500', [after]).rows.map((x) => x.seq),
    );
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        for (let i = 0; i < 60; i++) {
          await c.query('BEGIN');
          await c.query('INSERT INTO naive (writer) VALUES ($1)', [w]);
          await new Promise((res) => setTimeout(res, Math.random() * 6));
          await c.query('COMMIT');
        }
        await c.end();
      }),
    );
    await r.stop();
    // every row is there, but the reader moved past some before they committed
    expect(Number(pgs.psql('SELECT count(*) FROM naive', 'naive'))).toBe(480);
    expect(missingIn(r.seen, 480).length).toBeGreaterThan(0);
  });
});
