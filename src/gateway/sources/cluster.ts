/**
 * One Alertmanager cluster: its HA members (which gossip silences), read together and written through one.
 *
 * - Reads: every member that answered last time is asked, and their listings are merged (merge.ts), so one
 *   alert seen by both members is one alert and one silence is one silence. A member that fails is marked
 *   down and the cluster is `degraded` (naming the member); it is probed in the background, never waited
 *   for, so a dead member does not slow the polls of the live one. Only every member down is `down`.
 * - Writes go to the first healthy member in config order. A member that cannot be reached (or a proxy that
 *   says it is gone: 502/503/504) is marked down and the next one is tried.
 * - Exactly once: a silence the gateway creates carries its action id (`[vigil:<id>]` in createdBy). Before
 *   creating, every reachable member is asked for it; after a failure that may have reached the member (a
 *   timeout, a connection cut mid-request), the cluster waits for gossip to carry it before asking again.
 * - Ids: Alertmanager's fingerprints and silence ids, prefixed `<cluster>/` unless the cluster keeps plain
 *   ids (the single-cluster shorthand of the command-line flags, which stays as it always was).
 */
import type { Clock } from '@node/clock';
import type { ClusterStatus } from '@shared/protocol';
import { silenceOfAction } from './alert-state';
import { alertmanagerApi, type AlertmanagerApi, type AmAlert, type AmSilence, type PostableSilence } from './alertmanager-api';
import { mergeListings, type MemberListing, type MergedListing } from './merge';
import { createTransport, type UpstreamAccess } from './transport';
import { UpstreamError } from './upstream';

export interface ClusterOptions {
  name: string;
  members: string[];
  access?: UpstreamAccess;
  /** ids as Alertmanager has them (no `<cluster>/` prefix): the one-cluster shorthand */
  plainIds: boolean;
  timeoutMs: number;
  clock: Pick<Clock, 'now' | 'setTimeout'>;
  /** how long gossip gets to carry a write that may have reached a member that then failed (default 1 s) */
  gossipSettleMs?: number;
  /** every failed upstream call, for metrics */
  onError?(err: UpstreamError): void;
  /** a member came back (a background probe answered): the cluster should be read again */
  onMemberBack?(): void;
  /** the APIs to use instead of HTTP (tests) */
  apis?: Record<string, AlertmanagerApi>;
}

interface Member {
  url: string;
  api: AlertmanagerApi;
  up: boolean;
  error: string | null;
  probing: boolean;
}

export interface ClusterListing extends MergedListing {
  /** the members whose answers were merged */
  answered: string[];
}

export interface Cluster {
  readonly name: string;
  readonly plainIds: boolean;
  /** the wire id of an Alertmanager id (fingerprint or silence id) */
  idOf(amId: string): string;
  /** the Alertmanager id of a wire id, or null when it is not this cluster's */
  amIdOf(id: string): string | null;
  /** reads every live member (and probes the others); throws the last error when no member answered */
  read(): Promise<ClusterListing>;
  status(): ClusterStatus;
  /** the tagged silence of an action on any reachable member, or null */
  findTagged(actionId: string): Promise<AmSilence | null>;
  /** creates a tagged silence once across members (looks first, fails over); its Alertmanager id */
  createOnce(actionId: string, s: PostableSilence): Promise<string>;
  /** updates a silence (s.id set) on a member that knows it; its id afterwards (new if Alertmanager replaced it) */
  update(s: PostableSilence & { id: string }, knownBy?: readonly string[]): Promise<string>;
  expire(amId: string): Promise<void>;
}

const asUpstream = (e: unknown): UpstreamError =>
  e instanceof UpstreamError ? e : new UpstreamError('Alertmanager', 'invalid', String((e as Error)?.message ?? e));

/** A failure that says the member is gone (try another), not that Alertmanager refused the request. */
export const memberGone = (e: UpstreamError) =>
  e.kind === 'unreachable' || e.kind === 'timeout' || (e.kind === 'http' && [502, 503, 504].includes(e.status ?? 0));

/** The request may have been carried out before the failure (so gossip may bring its effect). */
const mayHaveLanded = (e: UpstreamError) => !(e.kind === 'unreachable' && /connection refused|host not found|unreachable: network/.test(e.message));

export function createCluster(o: ClusterOptions): Cluster {
  const transport = createTransport(o.access);
  const members: Member[] = o.members.map((url) => ({
    url,
    api: o.apis?.[url] ?? alertmanagerApi(url, o.timeoutMs, transport),
    up: true,
    error: null,
    probing: false,
  }));
  const prefix = `${o.name}/`;
  const settleMs = o.gossipSettleMs ?? 1000;
  const sleep = (ms: number) => new Promise<void>((r) => o.clock.setTimeout(r, ms));

  const markDown = (m: Member, e: UpstreamError) => {
    m.up = false;
    m.error = e.message;
  };
  const failed = (m: Member, e: unknown): UpstreamError => {
    const err = asUpstream(e);
    o.onError?.(err);
    markDown(m, err);
    return err;
  };

  const list = async (m: Member): Promise<MemberListing> => {
    const [alerts, silences] = await Promise.all([m.api.alerts(), m.api.silences()]);
    m.up = true;
    m.error = null;
    return { member: m.url, alerts, silences };
  };

  /** a down member, asked again without anyone waiting; back → the cluster is read again */
  const probe = (m: Member) => {
    if (m.probing) return;
    m.probing = true;
    list(m)
      .then(() => o.onMemberBack?.(), (e) => failed(m, e))
      .finally(() => {
        m.probing = false;
      });
  };

  /** every live member's listing; when none is live, every member is asked and waited for */
  async function read(): Promise<ClusterListing> {
    let asked = members.filter((m) => m.up);
    if (asked.length === 0) asked = members;
    else for (const m of members) if (!m.up) probe(m);
    const results = await Promise.all(asked.map((m) => list(m).catch((e: unknown) => failed(m, e))));
    const listings = results.filter((r): r is MemberListing => !(r instanceof UpstreamError));
    if (listings.length === 0) throw results[results.length - 1];
    return { ...mergeListings(listings), answered: listings.map((l) => l.member) };
  }

  /** runs `fn` on the healthy members in order until one answers; a member gone is marked and skipped */
  async function onMember<T>(fn: (m: Member) => Promise<T>, order: readonly Member[] = members): Promise<T> {
    const candidates = [...order.filter((m) => m.up), ...order.filter((m) => !m.up)];
    let last: UpstreamError | null = null;
    for (const m of candidates) {
      try {
        return await fn(m);
      } catch (e) {
        const err = asUpstream(e);
        if (!memberGone(err)) throw err;
        last = failed(m, err);
      }
    }
    throw last ?? new UpstreamError('Alertmanager', 'unreachable', `cluster ${o.name} has no members`);
  }

  async function findTagged(actionId: string): Promise<AmSilence | null> {
    const lists = await Promise.all(
      members.map((m) =>
        m.api.silences().then(
          (ss) => ss,
          (e: unknown) => {
            failed(m, e);
            return [] as AmSilence[];
          },
        ),
      ),
    );
    for (const ss of lists) {
      const s = silenceOfAction(ss, actionId);
      if (s) return s;
    }
    return null;
  }

  async function createOnce(actionId: string, s: PostableSilence): Promise<string> {
    const candidates = [...members.filter((m) => m.up), ...members.filter((m) => !m.up)];
    let last: UpstreamError | null = null;
    for (const m of candidates) {
      const earlier = await findTagged(actionId);
      if (earlier) return earlier.id;
      try {
        return await m.api.createSilence(s);
      } catch (e) {
        const err = asUpstream(e);
        if (!memberGone(err)) throw err;
        last = failed(m, err);
        // the member may have stored the silence and gossiped it before it failed: give gossip its time
        if (mayHaveLanded(err)) await sleep(settleMs);
      }
    }
    const earlier = await findTagged(actionId);
    if (earlier) return earlier.id;
    throw last ?? new UpstreamError('Alertmanager', 'unreachable', `cluster ${o.name} has no members`);
  }

  const statusOf = (): ClusterStatus => {
    const down = members.filter((m) => !m.up);
    const detail =
      down.length === 0
        ? null
        : down.length === members.length
          ? `cluster ${o.name}: no member answers (${down.map((m) => m.error).join('; ')})`
          : `cluster ${o.name}: ${down.map((m) => `member ${m.url} is down: ${m.error}`).join('; ')} (${members.length - down.length} of ${members.length} members answer)`;
    return {
      name: o.name,
      upstream: down.length === 0 ? 'ok' : down.length === members.length ? 'down' : 'degraded',
      detail: detail && detail.slice(0, 2000),
      members: members.map((m) => ({ url: m.url, up: m.up, error: m.error && m.error.slice(0, 500) })),
    };
  };

  return {
    name: o.name,
    plainIds: o.plainIds,
    idOf: (amId) => (o.plainIds ? amId : prefix + amId),
    amIdOf: (id) => (o.plainIds ? id : id.startsWith(prefix) ? id.slice(prefix.length) : null),
    read,
    status: statusOf,
    findTagged,
    createOnce,
    update: (s, knownBy) => {
      const knowing = knownBy?.length ? members.filter((m) => knownBy.includes(m.url)) : members;
      return onMember((m) => m.api.createSilence(s), knowing.length ? knowing : members);
    },
    expire: (amId) => onMember((m) => m.api.expireSilence(amId)),
  };
}

export type { AmAlert, AmSilence };
