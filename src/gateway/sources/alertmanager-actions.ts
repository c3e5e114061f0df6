/**
 * The Alertmanager source's actions (docs/sources.md, "Ack = a silence"): ack and silence.create create
 * silences tagged with the action id, unack and silence.expire expire them, resolve is refused, escalate is
 * the gateway's own record.
 *
 * Each action goes to the cluster that owns its alert or silence, and there to a healthy member
 * (cluster.ts). A create looks on every reachable member for a silence carrying its action id first, so an
 * action is applied once whether it is resumed after a gateway crash or failed over from a member that died
 * mid-request. A silence's `@cluster` matchers choose the clusters it is created in (all, without one).
 * After a change the cluster is polled, so the result is in the log when the answer goes out.
 */
import type { Clock } from '@node/clock';
import { compileMatchers, splitClusterMatchers, CLUSTER_LABEL } from '@shared/matchers';
import { ackSilence, taggedAuthor, type NewSilence } from './alert-state';
import type { PostableSilence } from './alertmanager-api';
import { fail, type ActionHandlers } from './apply';
import type { ClusterFeed } from './cluster-feed';
import type { ActionOutcome } from '../source';
import { UpstreamError } from './upstream';

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
  feeds: readonly ClusterFeed[];
  clock: Pick<Clock, 'now'>;
  ackMinutes: number;
  /** counts and reports an upstream failure; returns it as an UpstreamError */
  failed(e: unknown): UpstreamError;
}

export function alertmanagerActionHandlers(o: AlertmanagerActionDeps): ActionHandlers {
  const { clock, feeds } = o;

  /** An upstream failure as the action's error: "<what> rejected: <Alertmanager's words>" or why it was not reached. */
  const upstreamOutcome = (what: string, e: unknown): ActionOutcome => {
    const err = o.failed(e);
    if (err.kind === 'http' && err.status !== null && err.status < 500 && err.upstreamMessage !== null)
      return fail('upstream_rejected', `${what} rejected: ${err.upstreamMessage}`);
    if (err.kind === 'http') return fail('upstream_error', `${what} failed: ${err.message}`);
    return fail('upstream_unavailable', `${what} failed: ${err.message}`);
  };

  const refreshAll = () => Promise.all(feeds.map((f) => f.refresh())).then(() => undefined);

  /** The cluster and the alert as last seen; polls once first when it is not known yet (racing the first poll). */
  const findAlert = async (fingerprint: string) => {
    const find = () => {
      for (const f of feeds) {
        const alert = f.tracker.alert(fingerprint);
        if (alert) return { feed: f, alert };
      }
      return null;
    };
    return find() ?? (await refreshAll(), find());
  };

  const feedOfSilence = (id: string) => feeds.find((f) => f.cluster.amIdOf(id) !== null && (!f.cluster.plainIds || feeds.length === 1)) ?? null;

  /** `change` upstream, then poll the cluster; a failure is the action's answer */
  const upstream = async (what: string, feed: ClusterFeed, change: () => Promise<unknown>): Promise<ActionOutcome> => {
    try {
      await change();
    } catch (e) {
      return upstreamOutcome(what, e);
    }
    await feed.refresh();
    return { ok: true };
  };

  /** Expiring is idempotent for a resumed action: a silence already expired is what the action asked for. */
  const expire = async (what: string, feed: ClusterFeed, silenceId: string, resumed: boolean): Promise<ActionOutcome> => {
    const amId = feed.cluster.amIdOf(silenceId)!;
    if (resumed) {
      await feed.refresh();
      if (feed.tracker.silence(silenceId)?.state === 'expired') return { ok: true };
    }
    return upstream(what, feed, () => feed.cluster.expire(amId));
  };

  /** The clusters a new silence goes to: those its `@cluster` matchers accept (every cluster without one). */
  const clustersFor = (ms: ReturnType<typeof splitClusterMatchers>['cluster']): ClusterFeed[] => {
    const accepts = compileMatchers(ms);
    return feeds.filter((f) => accepts({ [CLUSTER_LABEL]: f.cluster.name }));
  };

  return {
    'alert.ack': async (p, a) => {
      const found = await findAlert(p.fingerprint);
      if (!found || found.alert.state !== 'firing')
        return fail('not_found', `alert ${p.fingerprint} is not firing in Alertmanager (it may have resolved)`);
      const { feed, alert } = found;
      const minutes = p.durationMinutes ?? o.ackMinutes;
      const s = ackSilence({ labels: alert.labels, operator: a.operator, actionId: a.id, note: p.note, now: clock.now(), minutes });
      const ackId = alert.ackId ? feed.cluster.amIdOf(alert.ackId) : null;
      return upstream('ack', feed, async () => {
        if (!ackId) return feed.cluster.createOnce(a.id, postable(s)); // looks for an earlier attempt first
        // re-acking replaces the current ack silence instead of stacking a second one (unless this action did)
        if (await feed.cluster.findTagged(a.id)) return;
        await feed.cluster.update({ ...postable(s), id: ackId }, feed.last()?.silenceMembers.get(ackId));
      });
    },
    'alert.unack': async (p, _a, resumed) => {
      // the stored view may predate the earlier attempt's expiry: ask Alertmanager first
      if (resumed) await refreshAll();
      const found = await findAlert(p.fingerprint);
      if (!found) return fail('not_found', `alert ${p.fingerprint} is not known to Alertmanager`);
      const { feed, alert } = found;
      if (!alert.ackId) {
        if (resumed) return { ok: true }; // the earlier attempt got through: not acked is what was asked
        return fail('not_acked', `alert ${alert.alertname} (${p.fingerprint}) is not acknowledged`);
      }
      return expire('unack', feed, alert.ackId, resumed);
    },
    'alert.resolve': async () => fail('unsupported', RESOLVE_UNSUPPORTED),
    // Escalation is the gateway's record (its action log and audit), not Alertmanager state: nothing to do upstream.
    'alert.escalate': async () => ({ ok: true }),
    'silence.create': async (p, a) => {
      const split = splitClusterMatchers(p.matchers);
      if (split.labels.length === 0) return fail('bad_payload', `a silence needs a label matcher besides ${CLUSTER_LABEL}`);
      const targets = clustersFor(split.cluster);
      if (targets.length === 0)
        return fail('bad_payload', `no cluster matches the silence's ${CLUSTER_LABEL} matchers (clusters: ${feeds.map((f) => f.cluster.name).join(', ')})`);
      const s: NewSilence = {
        matchers: split.labels,
        startsAt: p.startsAt ?? clock.now(),
        endsAt: p.endsAt,
        createdBy: taggedAuthor(a.operator, a.id),
        comment: p.comment,
      };
      const outcomes = await Promise.all(
        targets.map(async (f) => ({ f, out: await upstream('silence', f, () => f.cluster.createOnce(a.id, postable(s))) })),
      );
      const failed = outcomes.filter((x) => !x.out.ok);
      if (failed.length === 0) return { ok: true };
      if (targets.length === 1) return failed[0].out;
      const done = outcomes.filter((x) => x.out.ok).map((x) => x.f.cluster.name);
      const why = failed.map((x) => `${x.f.cluster.name}: ${x.out.ok ? '' : x.out.error.message}`).join('; ');
      return fail(failed[0].out.ok ? 'upstream_error' : failed[0].out.error.code, `silence created in ${done.join(', ') || 'no cluster'}; failed in ${why}`);
    },
    'silence.expire': async (p, _a, resumed) => {
      const feed = feedOfSilence(p.silenceId);
      if (!feed) return fail('not_found', `silence ${p.silenceId} belongs to no configured cluster`);
      return expire('expire silence', feed, p.silenceId, resumed);
    },
  };
}

export { UpstreamError };
