/** The alerts change feed alone (src/main/core/alerts/changes.ts): counts arithmetic, and what a flush tells whom. */
import { afterEach, describe, expect, it } from 'vitest';
import { SEVERITIES } from '@shared/domain';
import type { AlertCounts } from '@shared/contract/alerts';
import { countDelta, createChangeFeed, FLUSH_DELAY_MS, settleCounts } from '@core/alerts/changes';
import type { ObservedChange } from '@core/alerts/policy';
import { createAlertRepo } from '@core/alerts/repo';
import { firingAlert } from '@test/helpers/alerts';
import { makeCtx, type TestCtx } from './helpers';

const empty = (): AlertCounts => ({
  bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, { total: 0, unacked: 0 }])) as AlertCounts['bySeverity'],
  unacked: 0,
  worstUnacked: null,
});

describe('counts', () => {
  it('moves an alert between states and settles the totals and the worst unacked severity', () => {
    const c = empty();
    countDelta(c, null, firingAlert({ severity: 'P2' }));
    countDelta(c, null, firingAlert({ severity: 'P1', ackedBy: 'Li Wei' }));
    settleCounts(c);
    expect(c).toMatchObject({ unacked: 1, worstUnacked: 'P2', bySeverity: { P1: { total: 1, unacked: 0 }, P2: { total: 1, unacked: 1 } } });
    countDelta(c, { state: 'firing', severity: 'P2', display: 'firing', updatedAt: 1 }, firingAlert({ severity: 'P2', state: 'resolved' }));
    settleCounts(c);
    expect(c).toMatchObject({ unacked: 0, worstUnacked: null, bySeverity: { P1: { total: 1 }, P2: { total: 0, unacked: 0 } } });
  });
});

describe('change feed', () => {
  let t: TestCtx;
  afterEach(() => t.cleanup());

  function feed() {
    t = makeCtx();
    const repo = createAlertRepo(t.ctx.db);
    const observed: ObservedChange[][] = [];
    const policy = { observe: (c: ObservedChange[]) => observed.push(c) } as unknown as Parameters<typeof createChangeFeed>[2];
    return { repo, observed, feed: createChangeFeed(t.ctx, repo, policy) };
  }

  it('after the commit: one alertsChanged with what was written, new counts, and the policy sees the change', () => {
    const { repo, observed, feed: f } = feed();
    const a = firingAlert({ fingerprint: 'fp1', severity: 'P1' });
    t.ctx.db.transaction(() => {
      f.noteBefore('fp1');
      repo.upsert(a, t.clock.now());
    })();
    expect(t.events).toEqual([]);
    t.clock.advance(FLUSH_DELAY_MS);
    expect(t.eventsOf('alertsChanged')).toEqual([{ reset: false, upserted: [a], removed: [], silencesChanged: false }]);
    expect(t.eventsOf('alertCounts').at(-1)).toMatchObject({ unacked: 1, worstUnacked: 'P1' });
    expect(observed).toEqual([[{ fingerprint: 'fp1', before: null, after: a }]]);
  });

  it('a rolled-back write tells nobody anything', () => {
    const { repo, observed, feed: f } = feed();
    expect(() =>
      t.ctx.db.transaction(() => {
        f.noteBefore('fp1');
        repo.upsert(firingAlert({ fingerprint: 'fp1' }), t.clock.now());
        throw new Error('batch refused');
      })(),
    ).toThrow('batch refused');
    f.flush();
    expect(t.events).toEqual([]);
    expect(observed).toEqual([]);
  });

  it('silences changed alone: alertsChanged says so, counts and policy stay quiet', () => {
    const { observed, feed: f } = feed();
    f.silencesChanged();
    t.clock.advance(FLUSH_DELAY_MS);
    expect(t.events).toEqual([{ name: 'alertsChanged', payload: { reset: false, upserted: [], removed: [], silencesChanged: true } }]);
    expect(observed).toEqual([]);
  });
});
