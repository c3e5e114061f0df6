/**
 * Costs of the roster work that run often:
 *  - one escalation pass over N unacked firing P1 alerts when nothing is due (what the 15 s tick and every
 *    "alerts changed" on the bus costs in steady state), against the raw reference of the two queries the pass must
 *    make anyway (firing unacked alerts + open ladders), measured in the same run;
 *  - the first pass that starts N ladders;
 *  - "who is on call now" for every demo rotation (status bar, every 15 s) and the 14-day calendar.
 * Targets: steady pass ≤ 250 ms at 10 000 alerts; on-call for all rotations ≤ 20 ms; calendar ≤ 100 ms.
 * Real SQLite in a temp dir, FakeClock. Prints one JSON line; asserts nothing about timing.
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { createAlertRepo } from '@core/alerts/repo';
import { FakeClock } from '@node/clock';
import { onCallAt, segments } from '@shared/rotation';
import { RosterDocumentSchema } from '@shared/roster';
import { parse } from 'yaml';
import { createHarness, DEMO_YAML, importDemo } from '@test/unit/roster/harness';
import { firingAlert } from '@test/helpers/alerts';

const N = 10_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn: () => void) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

it('measures escalation passes and on-call math', async () => {
  const h = createHarness({ clock: new FakeClock(T0) });
  try {
    await importDemo(h);
    const repo = createAlertRepo(h.db);
    const teams = ['ozon-channel', 'platform-sre', 'paimon', 'nobody'];
    h.db.transaction(() => {
      for (let i = 0; i < N; i++)
        repo.upsert(
          firingAlert({
            fingerprint: `fp${i}`,
            alertname: `Bench${i % 50}`,
            labels: { team: teams[i % teams.length], service: `svc${i % 20}` },
            annotations: {},
            severity: 'P1',
            startsAt: T0,
            updatedAt: T0,
          }),
          T0,
        );
    })();

    const pass = () => {
      h.alertsChanged();
      h.clock.advance(0);
    };
    const firstMs = time(pass);
    const open = (h.db.prepare('SELECT COUNT(*) AS n FROM escalations WHERE stopped_at IS NULL').get() as { n: number }).n;
    expect(open).toBe(N);

    const steady: number[] = [];
    const raw: number[] = [];
    const qFiring = h.db.prepare(`SELECT * FROM alerts WHERE state = 'firing' AND acked_by IS NULL AND severity IN ('P0','P1','P2')`);
    const qOpen = h.db.prepare('SELECT * FROM escalations WHERE stopped_at IS NULL');
    for (let i = 0; i < 7; i++) {
      h.clock.advance(1000); // nothing comes due within the first minutes except reminders on the first pass
      steady.push(time(pass));
      raw.push(time(() => (qFiring.all(), qOpen.all())));
    }

    const doc = RosterDocumentSchema.parse(parse(DEMO_YAML));
    const now = T0 + 3 * 86_400_000;
    const onCallMs = median(Array.from({ length: 9 }, () => time(() => doc.rotations.forEach((r) => onCallAt(r, doc.overrides, now)))));
    const calendarMs = median(Array.from({ length: 5 }, () => time(() => doc.rotations.forEach((r) => segments(r, doc.overrides, now, now + 14 * 86_400_000)))));

    const steadyMs = median(steady);
    const rawMs = median(raw);
    console.log(
      JSON.stringify({
        bench: 'roster-escalation',
        alerts: N,
        steadyPass: { value: Math.round(steadyMs), unit: 'ms', target: 250, reference: Math.round(rawMs), ratio: +(steadyMs / rawMs).toFixed(1) },
        firstPass: { value: Math.round(firstMs), unit: 'ms', ladders: open },
        onCallAllRotations: { value: +onCallMs.toFixed(2), unit: 'ms', target: 20, rotations: doc.rotations.length },
        calendar14Days: { value: +calendarMs.toFixed(1), unit: 'ms', target: 100, rotations: doc.rotations.length },
      }),
    );
  } finally {
    h.cleanup();
  }
});
