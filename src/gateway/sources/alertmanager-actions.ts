/**
 * The Alertmanager source's actions (docs/sources.md, "Ack = a silence"): ack and silence.create create
 * silences tagged with the action id, unack and silence.expire expire them, resolve is refused, escalate is
 * the gateway's own record. A resumed create first looks for its tagged silence; a resumed expire whose
 * silence is already expired is done. After a change the source polls, so the result is in the log.
 */
import type { Clock } from '@node/clock';
import { ackSilence, silenceOfAction, taggedAuthor, type AlertTracker, type NewSilence } from './alert-state';
import type { AlertmanagerApi, PostableSilence } from './alertmanager-api';
import { fail, type ActionHandlers } from './apply';
import type { ActionOutcome } from '../source';
import type { UpstreamError } from './upstream';

const RESOLVE_UNSUPPORTED =
  'resolve is not supported by the alertmanager source; the alert resolves when its source stops firing';

const postable = (s: NewSilence, id?: string | null): PostableSilence => ({
  // an id updates that silence instead of creating another
  ...(id ? { id } : {}),
  matchers: s.matchers,
  startsAt: new Date(s.startsAt).toISOString(),
  endsAt: new Date(s.endsAt).toISOString(),
  createdBy: s.createdBy,
  comment: s.comment,
});

export interface AlertmanagerActionDeps {
  am: AlertmanagerApi;
  tracker: AlertTracker;
  clock: Pick<Clock, 'now'>;
  ackMinutes: number;
  /** polls now (or joins the poll under way) */
  refresh(): Promise<void>;
  /** counts and reports an upstream failure; returns it as an UpstreamError */
  failed(e: unknown): UpstreamError;
}

export function alertmanagerActionHandlers(o: AlertmanagerActionDeps): ActionHandlers {
  const { am, clock } = o;

  /** An upstream failure as the action's error: "<what> rejected: <Alertmanager's words>" or why it was not reached. */
  const upstreamOutcome = (what: string, e: unknown): ActionOutcome => {
    const err = o.failed(e);
    if (err.kind === 'http' && err.status !== null && err.status < 500)
      return fail('upstream_rejected', `${what} rejected: ${err.upstreamMessage}`);
    if (err.kind === 'http') return fail('upstream_error', `${what} failed: ${err.message}`);
    return fail('upstream_unavailable', `${what} failed: ${err.message}`);
  };

  /** The alert as last seen; polls once first when it is not known yet (an action racing the first poll). */
  const findAlert = async (fingerprint: string) => {
    if (!o.tracker.alert(fingerprint)) await o.refresh();
    return o.tracker.alert(fingerprint) ?? null;
  };

  const done = async (): Promise<ActionOutcome> => {
    await o.refresh();
    return { ok: true };
  };

  /** `change` upstream, then poll; a failure is the action's answer */
  const upstream = async (what: string, change: () => Promise<unknown>): Promise<ActionOutcome> => {
    try {
      await change();
    } catch (e) {
      return upstreamOutcome(what, e);
    }
    return done();
  };

  /**
   * A resumed create (ack, silence): the earlier attempt may have reached Alertmanager before the gateway
   * died. Its silence carries the action id; finding it means the action is done and must not be repeated.
   */
  const createdEarlier = async (what: string, actionId: string): Promise<ActionOutcome | null> => {
    try {
      return silenceOfAction(await am.silences(), actionId) ? await done() : null;
    } catch (e) {
      return upstreamOutcome(what, e);
    }
  };

  /** Expiring is idempotent for a resumed action: a silence already expired is what the action asked for. */
  const expire = async (what: string, silenceId: string, resumed: boolean): Promise<ActionOutcome> => {
    try {
      if (resumed && (await am.silences()).some((s) => s.id === silenceId && s.status.state === 'expired'))
        return await done();
    } catch (e) {
      return upstreamOutcome(what, e);
    }
    return upstream(what, () => am.expireSilence(silenceId));
  };

  return {
    'alert.ack': async (p, a, resumed) => {
      const earlier = resumed ? await createdEarlier('ack', a.id) : null;
      if (earlier) return earlier;
      const alert = await findAlert(p.fingerprint);
      if (!alert || alert.state !== 'firing')
        return fail('not_found', `alert ${p.fingerprint} is not firing in Alertmanager (it may have resolved)`);
      const minutes = p.durationMinutes ?? o.ackMinutes;
      const s = ackSilence({
        labels: alert.labels,
        operator: a.operator,
        actionId: a.id,
        note: p.note,
        now: clock.now(),
        minutes,
      });
      // re-acking replaces the current ack silence instead of stacking a second one
      return upstream('ack', () => am.createSilence(postable(s, alert.ackId)));
    },
    'alert.unack': async (p, _a, resumed) => {
      // the stored view may predate the earlier attempt's expiry: ask Alertmanager first
      if (resumed) await o.refresh();
      const alert = await findAlert(p.fingerprint);
      if (!alert) return fail('not_found', `alert ${p.fingerprint} is not known to Alertmanager`);
      if (!alert.ackId) {
        if (resumed) return { ok: true }; // the earlier attempt got through: not acked is what was asked
        return fail('not_acked', `alert ${alert.alertname} (${p.fingerprint}) is not acknowledged`);
      }
      return expire('unack', alert.ackId, resumed);
    },
    'alert.resolve': async () => fail('unsupported', RESOLVE_UNSUPPORTED),
    // Escalation is the gateway's record (its action log and audit), not Alertmanager state: nothing to do upstream.
    'alert.escalate': async () => ({ ok: true }),
    'silence.create': async (p, a, resumed) => {
      const earlier = resumed ? await createdEarlier('silence', a.id) : null;
      if (earlier) return earlier;
      const s: NewSilence = {
        matchers: p.matchers,
        startsAt: p.startsAt ?? clock.now(),
        endsAt: p.endsAt,
        createdBy: taggedAuthor(a.operator, a.id),
        comment: p.comment,
      };
      return upstream('silence', () => am.createSilence(postable(s)));
    },
    'silence.expire': async (p, _a, resumed) => expire('expire silence', p.silenceId, resumed),
  };
}
