/**
 * The alert and silence actions of the alerts slice (ack, unack, resolve, escalate, silence create and
 * expire). Each is checked against the cache, queued through the ActionSink with its progress row
 * (actions.ts), noted in the alert's history and audited, in one transaction.
 */
import { queuedEntry } from '@shared/alert-history';
import type { Alert } from '@shared/alerts';
import type { AlertAction, alertMethods } from '@shared/contract/alerts';
import { compileMatchers } from '@shared/matchers';
import { ApiError, type SliceHandlers } from '@shared/rpc';
import { describeRuleProblem, silenceRuleText, silenceScopeProblem } from '@shared/silence-rule';
import type { CoreContext } from '../context';
import type { ActionTracker, Submission } from './actions';
import type { AlertRepo } from './repo';

type ActionHandlers = Pick<
  SliceHandlers<typeof alertMethods>,
  'alertAck' | 'alertUnack' | 'alertResolve' | 'alertEscalate' | 'silenceCreate' | 'silenceExpire'
>;

export function createActionHandlers(ctx: CoreContext, repo: AlertRepo, tracker: ActionTracker): ActionHandlers {
  const operator = () => ctx.operator();
  const changed = (ids: string[]) => ctx.emit('alertActionsChanged', { ids });

  /** The cached alerts for `fps`; unknown fingerprints are refused before anything is queued. */
  function known(fps: readonly string[]): Alert[] {
    const unique = [...new Set(fps)];
    const found = unique.map((fp) => repo.get(fp));
    const missing = unique.filter((_, i) => !found[i]);
    if (missing.length)
      throw new ApiError('not_found', `No cached alert with fingerprint ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}.`);
    return found as Alert[];
  }

  function queue<T extends 'alert.ack' | 'alert.unack' | 'alert.resolve' | 'alert.escalate'>(
    type: T,
    alerts: Alert[],
    applies: (a: Alert) => boolean,
    why: string,
    payload: (a: Alert) => Submission<T>['payload'],
  ): AlertAction[] {
    const targets = alerts.filter(applies);
    if (!targets.length) throw new ApiError('nothing_to_do', `${why} (${alerts.length === 1 ? alerts[0].alertname : `${alerts.length} alerts`}).`);
    const actor = operator();
    const now = ctx.clock.now();
    const out = ctx.db.transaction(() => {
      const queued = tracker.submit(type, targets.map((a) => ({ payload: payload(a), fingerprints: [a.fingerprint] })), actor);
      const entry = queuedEntry(type, actor);
      for (const a of targets) repo.recordEvent(a.fingerprint, now, 'action', entry.detail, entry.params);
      ctx.audit(actor, type, { fingerprints: targets.map((a) => a.fingerprint) });
      return queued;
    })();
    changed(out.map((a) => a.id));
    return out;
  }

  return {
    alertAck: (fps, opts) =>
      queue('alert.ack', known(fps), (a) => a.state === 'firing' && !a.ackedBy, 'Nothing to ack: already acked or resolved', (a) => ({
        fingerprint: a.fingerprint,
        ...(opts?.note ? { note: opts.note } : {}),
        ...(opts?.durationMinutes ? { durationMinutes: opts.durationMinutes } : {}),
      })),
    alertUnack: (fps) =>
      queue('alert.unack', known(fps), (a) => !!a.ackedBy, 'Nothing to unack: not acked', (a) => ({ fingerprint: a.fingerprint })),
    alertResolve: (fps, opts) =>
      queue('alert.resolve', known(fps), (a) => a.state === 'firing', 'Nothing to resolve: already resolved', (a) => ({
        fingerprint: a.fingerprint,
        ...(opts?.note ? { note: opts.note } : {}),
      })),
    alertEscalate: (fps, opts) =>
      queue('alert.escalate', known(fps), (a) => a.state === 'firing', 'Nothing to escalate: already resolved', (a) => ({
        fingerprint: a.fingerprint,
        ...(opts?.reason ? { reason: opts.reason } : {}),
      })),
    silenceCreate: (input) => {
      let matches: (l: Record<string, string>) => boolean;
      try {
        matches = compileMatchers(input.matchers);
      } catch (err) {
        throw new ApiError('bad_arguments', `silence matchers: ${(err as Error).message}`);
      }
      // the rule the gateway enforces too: refused here, before it is queued and waits for the link
      const scope = silenceScopeProblem(input.matchers);
      if (scope) throw new ApiError('silence_too_broad', describeRuleProblem(silenceRuleText.in(ctx.language()), scope));
      const now = ctx.clock.now();
      const fingerprints = repo.firingLabels().filter((r) => matches(r.labels)).slice(0, 500).map((r) => r.fingerprint);
      const actor = operator();
      const [queued] = ctx.db.transaction(() => {
        const q = tracker.submit(
          'silence.create',
          [{ payload: { matchers: input.matchers, startsAt: now, endsAt: now + input.durationMinutes * 60_000, comment: input.comment }, fingerprints }],
          actor,
        );
        const entry = queuedEntry('silence.create', actor, input.comment);
        for (const fp of fingerprints) repo.recordEvent(fp, now, 'action', entry.detail, entry.params);
        ctx.audit(actor, 'silence.create', { matchers: input.matchers, minutes: input.durationMinutes });
        return q;
      })();
      changed([queued.id]);
      return queued;
    },
    silenceExpire: (id) => {
      const s = repo.silences().find((x) => x.id === id);
      if (!s) throw new ApiError('not_found', `No cached silence ${id}.`);
      if (s.state === 'expired') throw new ApiError('nothing_to_do', `Silence ${id} has already expired.`);
      const actor = operator();
      const [queued] = ctx.db.transaction(() => {
        const q = tracker.submit('silence.expire', [{ payload: { silenceId: id }, fingerprints: [], silenceId: id }], actor);
        ctx.audit(actor, 'silence.expire', { silenceId: id });
        return q;
      })();
      changed([queued.id]);
      return queued;
    },
  };
}
