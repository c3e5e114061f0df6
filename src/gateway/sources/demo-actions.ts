/**
 * The demo source's actions on its simulated Alertmanager, with the answers Alertmanager would give:
 * ack = a silence on the alert's labels (re-acking ends the previous ack), unack/expire end a silence,
 * resolve quiets the rule until its condition clears. A resumed create finds its own silence by the action
 * id (within one run) instead of creating a second one.
 */
import type { Clock } from '@node/clock';
import { compileMatchers } from '@shared/matchers';
import { ackSilence, taggedAuthor, type AlertTracker } from './alert-state';
import { fail, type ActionHandlers } from './apply';
import type { DemoAlertmanager } from './demo-alertmanager';

export function demoActionHandlers(o: {
  am: DemoAlertmanager;
  tracker: AlertTracker;
  clock: Pick<Clock, 'now'>;
  ackMinutes: number;
}): ActionHandlers {
  const { am, tracker, clock } = o;
  /** ends a silence now, as Alertmanager's expire does */
  const end = (id: string) => {
    const s = am.silence(id)!;
    s.endsAt = clock.now();
    s.updatedAt = clock.now();
  };
  return {
    'alert.ack': (p, a, resumed) => {
      if (resumed && am.createdBy(a.id)) return { ok: true };
      const r = am.firingRule(p.fingerprint);
      if (!r) return fail('not_found', `alert ${p.fingerprint} is not firing`);
      const now = clock.now();
      const current = tracker.alert(p.fingerprint)?.ackId;
      // re-acking replaces the ack, as an update of the Alertmanager silence would
      if (current && am.silence(current)) am.silence(current)!.endsAt = now;
      const minutes = p.durationMinutes ?? o.ackMinutes;
      am.addSilence(
        ackSilence({ labels: r.labels, operator: a.operator, actionId: a.id, note: p.note, now, minutes }),
        now,
      );
      return { ok: true };
    },
    'alert.unack': (p, _a, resumed) => {
      const ackId = tracker.alert(p.fingerprint)?.ackId;
      if (!ackId || !am.silence(ackId)) {
        if (resumed) return { ok: true }; // not acked is what the action asked for
        return fail('not_acked', `alert ${p.fingerprint} is not acknowledged`);
      }
      end(ackId);
      return { ok: true };
    },
    'alert.resolve': (p) => {
      const r = am.firingRule(p.fingerprint);
      if (!r) return fail('not_found', `alert ${p.fingerprint} is not firing`);
      am.resolve(r);
      return { ok: true };
    },
    'alert.escalate': () => ({ ok: true }),
    'silence.create': (p, a, resumed) => {
      if (resumed && am.createdBy(a.id)) return { ok: true };
      const now = clock.now();
      // the same rule Alertmanager applies, with the same kind of answer
      if (p.endsAt <= now) return fail('upstream_rejected', 'silence rejected: end time in the past');
      if ((p.startsAt ?? now) >= p.endsAt)
        return fail('upstream_rejected', 'silence rejected: end time must not be before start time');
      try {
        compileMatchers(p.matchers);
      } catch (e) {
        return fail('upstream_rejected', `silence rejected: ${(e as Error).message}`);
      }
      const createdBy = taggedAuthor(a.operator, a.id);
      am.addSilence(
        { matchers: p.matchers, startsAt: p.startsAt ?? now, endsAt: p.endsAt, createdBy, comment: p.comment },
        now,
      );
      return { ok: true };
    },
    'silence.expire': (p, _a, resumed) => {
      const s = am.silence(p.silenceId);
      if (!s) return fail('not_found', `silence ${p.silenceId} does not exist`);
      if (s.endsAt <= clock.now()) {
        if (resumed) return { ok: true };
        return fail('upstream_rejected', `silence ${p.silenceId} is already expired`);
      }
      end(p.silenceId);
      return { ok: true };
    },
  };
}
