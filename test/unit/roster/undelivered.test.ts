/**
 * "Pages that did not arrive" (issue #16: a dead letter is visible in the console): the gateway's ladders come
 * in as `page.update` events; `pagesUndelivered` lists every delivery still being retried or given up, across
 * ladders — retrying first, then dead letters newest first — with the provider's answer; a delivery that
 * arrives later leaves the list, and a stored ladder that no longer reads is skipped, not thrown on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@node/clock';
import type { Delivery, PageLadder, UndeliveredPage } from '@shared/paging';
import { createHarness, type Harness } from './harness';

const T0 = Date.UTC(2026, 11, 6, 2, 0);
const MIN = 60_000;
let h: Harness;
afterEach(() => h?.cleanup());

const delivery = (channel: string, state: Delivery['state'], over: Partial<Delivery> = {}): Delivery => ({
  channel,
  type: 'dingtalk',
  person: null,
  state,
  attempts: state === 'sent' ? 1 : 3,
  at: state === 'sent' || state === 'dead' ? T0 + 5 * MIN : null,
  error: state === 'sent' ? null : '{"errcode":310000,"errmsg":"sign not match"}',
  ...over,
});

function ladder(fp: string, deliveries: Delivery[][], at = T0): PageLadder {
  return {
    fingerprint: fp,
    ladderId: `${fp}@${at}`,
    alertname: `Alert ${fp}`,
    severity: 'P1',
    rosterId: 'sre',
    policyId: 'p1',
    policyName: 'SRE P1',
    startedAt: at,
    level: deliveries.length,
    levels: 3,
    steps: deliveries.map((d, i) => ({ level: i + 1, name: `L${i + 1}`, at: at + i * 10 * MIN, by: null, night: false, people: [], unstaffed: [], deliveries: d })),
    next: null,
    stoppedAt: null,
    stopReason: null,
    updatedAt: at,
  };
}

const applyPage = (l: unknown) => {
  const a = h.roster.appliers!.find((x) => x.kind === 'page.update')!;
  h.db.transaction(() => a.apply(l, { seq: 1, at: h.clock.now() }))();
};
const undelivered = () => h.roster.handlers.pagesUndelivered() as UndeliveredPage[];

describe('pages that did not arrive', () => {
  it('lists retrying and dead deliveries across ladders, with the provider’s answer, and drops one once it arrives', () => {
    h = createHarness({ clock: new FakeClock(T0) });
    applyPage(ladder('fp-a', [[delivery('sre-dingtalk', 'sent'), delivery('sms', 'dead', { type: 'webhook', person: '张三', error: '401 {"code":"InvalidAccessKeyId"}', at: T0 + 2 * MIN })]]));
    applyPage(ladder('fp-b', [[delivery('sre-dingtalk', 'sent')], [delivery('sre-dingtalk', 'retrying', { attempts: 2 }), delivery('sre-slack', 'dead', { type: 'slack', error: 'no_service' })]], T0 + MIN));
    expect(undelivered().map((u) => [u.fingerprint, u.level, u.channel, u.state, u.attempts, u.person, u.error])).toEqual([
      ['fp-b', 2, 'sre-dingtalk', 'retrying', 2, null, '{"errcode":310000,"errmsg":"sign not match"}'],
      ['fp-b', 2, 'sre-slack', 'dead', 3, null, 'no_service'],
      ['fp-a', 1, 'sms', 'dead', 3, '张三', '401 {"code":"InvalidAccessKeyId"}'],
    ]);
    expect(undelivered()[1]).toMatchObject({ alertname: 'Alert fp-b', severity: 'P1', levelName: 'L2', type: 'slack', pagedAt: T0 + 11 * MIN, gaveUpAt: T0 + 5 * MIN });

    // the retry got through: the ladder's next update leaves only the dead letters
    applyPage(ladder('fp-b', [[delivery('sre-dingtalk', 'sent')], [delivery('sre-dingtalk', 'sent'), delivery('sre-slack', 'dead', { type: 'slack', error: 'no_service' })]], T0 + MIN));
    expect(undelivered().map((u) => [u.fingerprint, u.channel, u.state])).toEqual([
      ['fp-b', 'sre-slack', 'dead'],
      ['fp-a', 'sms', 'dead'],
    ]);
  });

  it('is empty when every page arrived, and skips a stored ladder that no longer reads', () => {
    h = createHarness({ clock: new FakeClock(T0) });
    applyPage(ladder('fp-ok', [[delivery('sre-dingtalk', 'sent')]]));
    expect(undelivered()).toEqual([]);
    h.db.prepare("INSERT INTO gateway_pages (fingerprint, ladder, updated_at) VALUES ('fp-bad', '{not json', ?)").run(T0 + 1);
    applyPage(ladder('fp-dead', [[delivery('sre-dingtalk', 'dead')]]));
    expect(undelivered().map((u) => u.fingerprint)).toEqual(['fp-dead']);
  });
});
