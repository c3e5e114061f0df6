/**
 * The gateway's escalation runner (one per gateway, i.e. per source). For every firing alert that nobody
 * acked, silenced or inhibited and that a roster policy covers, it walks the policy's ladder: at each level's
 * time it pages the people the level reaches (their consoles, and the level's channels through the outbox).
 *
 * Nothing counts down in memory. A pass recomputes the level due from the ladder's stored start and the
 * policy, and pages each level not yet paged through `PagingStore.page`, which moves the stored level from
 * exactly n to n + 1 together with the step and its messages. So after a restart (even kill -9) the runner
 * resumes at the right level, and a level is never paged twice. An ack or resolve from any console reaches
 * the gateway as the alert's new state and stops the ladder at the next pass (poked at once by intake).
 */
import { formatDeepLink } from '@shared/deep-links';
import type { Alert } from '@shared/alerts';
import type { Channel, PagedPerson, PageLadder } from '@shared/paging';
import { dueLevel, matchPolicy } from '@shared/policy-match';
import type { RosterPerson } from '@shared/roster';
import type { Clock } from '@node/clock';
import { createPassLoop } from '@node/pass-loop';
import type { Logger } from '@node/log';
import type { OfferedEvent } from '../entities';
import { renderPage, type PageFacts } from './message';
import {
  channelUses,
  indexRoster,
  isNight,
  reachOf,
  type PagingIndex,
  type PagingRoster,
  type PolicyRef,
} from './policy';
import { deliveryOf, type LadderRow, type NewMessage, type PagingStore } from './store';

export interface RunnerDeps {
  store: PagingStore;
  clock: Clock;
  log: Logger;
  /** the roster the gateway pages from (with channel URLs), or null */
  roster(): PagingRoster | null;
  /** the alerts the gateway holds now */
  alerts(): Alert[];
  /** the gateway login a roster person signs in as (their `login`, or a gateway user with their id), or null */
  loginOf(person: RosterPerson): string | null;
  /** whether a console signed in as this login is connected */
  connected(login: string): boolean;
  /** logs page.update events (intake) */
  emit(events: OfferedEvent[]): void;
  /** new messages were written to the outbox */
  kickDelivery(): void;
  /** the longest a pass waits before looking again (default 30 s) */
  tickMs?: number;
}

/** why a ladder stops for this alert's state, or null while it should run */
export function stopReason(a: Alert | undefined): string | null {
  if (!a) return 'the alert is gone';
  if (a.state === 'resolved') return 'resolved';
  if (a.ackedBy) return `acked by ${a.ackedBy}`;
  if (a.silencedBy.length) return 'silenced';
  if (a.inhibitedBy.length) return 'inhibited';
  return null;
}

const refOf = (ix: PagingIndex, l: LadderRow) => ix.refs.find((r) => r.policy.id === l.policyId);

/** What a page message says about the alert and the level (message.ts renders it per channel language). */
function facts(
  ref: PolicyRef,
  a: Alert | undefined,
  l: LadderRow,
  level: number,
  people: RosterPerson[],
  unstaffed: string[],
  by: string | null,
): PageFacts {
  return {
    alertname: a?.alertname ?? l.fingerprint,
    severity: a?.severity ?? 'P3',
    summary: a?.annotations.summary ?? a?.annotations.description ?? null,
    level,
    levels: ref.policy.levels.length,
    levelName: ref.policy.levels[level - 1].name,
    policyName: ref.policy.name,
    people: people.map((p) => ({ name: p.name, phone: p.phone, wecom: p.im.wecom })),
    unstaffed,
    runbook: a?.annotations.runbook_url ?? null,
    link: formatDeepLink({ kind: 'alert', id: l.fingerprint }),
    by,
  };
}

/** The ladder as consoles see it (`page.update`). */
export function ladderState(
  store: Pick<PagingStore, 'messages' | 'steps'>,
  now: number,
  ix: PagingIndex | null,
  l: LadderRow,
  a: Alert | undefined,
): PageLadder {
  const ref = ix ? refOf(ix, l) : undefined;
  const msgs = store.messages(l.id);
  const name = (id: string | null) => (id ? (ix?.people.get(id)?.name ?? id) : null);
  const steps = store.steps(l.id).map((s) => ({
    level: s.level,
    name: ref?.policy.levels[s.level - 1]?.name ?? null,
    at: s.at,
    by: s.by,
    night: s.night,
    people: s.people,
    unstaffed: s.unstaffed,
    deliveries: msgs
      .filter((m) => m.level === s.level)
      .map((m) => deliveryOf(m, name)),
  }));
  const levels = ref?.policy.levels.length ?? Math.max(1, l.level);
  const nextAt = ref && l.level < levels ? l.startedAt + ref.offsets[l.level] : null;
  return {
    fingerprint: l.fingerprint,
    ladderId: l.id,
    alertname: a?.alertname ?? l.fingerprint,
    severity: a?.severity ?? 'P3',
    rosterId: l.rosterId,
    policyId: l.policyId,
    policyName: ref?.policy.name ?? l.policyId,
    startedAt: l.startedAt,
    level: l.level,
    levels,
    steps,
    next:
      nextAt !== null && l.stoppedAt === null && ix && ref
        ? {
            level: l.level + 1,
            at: nextAt,
            people: reachOf(ix, ref.policy.levels[l.level], nextAt).people.map((p) => ({ id: p.id, name: p.name })),
          }
        : null,
    stoppedAt: l.stoppedAt,
    stopReason: l.stopReason,
    updatedAt: now,
  };
}

export function createRunner(d: RunnerDeps) {
  let cached: { roster: PagingRoster; ix: PagingIndex } | null = null;
  const index = (): PagingIndex | null => {
    const r = d.roster();
    if (!r) return null;
    if (cached?.roster !== r) cached = { roster: r, ix: indexRoster(r) };
    return cached.ix;
  };

  /** pages level `l.level + 1`; false when the store says it was paged already (or the ladder stopped) */
  function pageNext(ix: PagingIndex, ref: PolicyRef, l: LadderRow, a: Alert | undefined, by: string | null): boolean {
    const now = d.clock.now();
    const level = l.level + 1;
    const lv = ref.policy.levels[level - 1];
    const { people, unstaffed } = reachOf(ix, lv, now);
    const night = isNight(ref.policy, now);
    const f = facts(ref, a, l, level, people, unstaffed, by);
    const messages: NewMessage[] = channelUses(ix, lv, night, people).map(({ channel, person }) => ({
      id: `${l.id}/${level}/${channel.id}/${person?.id ?? '-'}`,
      channel: channel.id,
      type: channel.type,
      person: person?.id ?? null,
      body: JSON.stringify(renderPage(channel.language, f, person ?? undefined)),
    }));
    const paged: PagedPerson[] = people.map((p) => {
      const login = d.loginOf(p);
      return {
        id: p.id,
        name: p.name,
        login,
        console: login ? (d.connected(login) ? 'delivered' : 'not_connected') : 'no_login',
      };
    });
    const ok = d.store.page(
      l.id,
      l.level,
      { ladderId: l.id, level, at: now, by, night, people: paged, unstaffed },
      messages,
    );
    if (!ok) return false;
    l.level = level;
    l.levelAt = now;
    d.log.log('info', 'paging.level', {
      fingerprint: l.fingerprint,
      level,
      people: people.map((p) => p.id),
      channels: messages.map((m) => m.channel),
      by,
      night,
    });
    return true;
  }

  function publish(ids: Iterable<string>, byFp: Map<string, Alert>) {
    const ix = index();
    const events: OfferedEvent[] = [];
    for (const id of new Set(ids)) {
      const l = d.store.ladder(id);
      if (l)
        events.push({ kind: 'page.update', data: ladderState(d.store, d.clock.now(), ix, l, byFp.get(l.fingerprint)) });
    }
    if (events.length) d.emit(events);
  }

  /** one pass; returns when the next level is due (Infinity: nothing waits) */
  function pass(): number {
    const now = d.clock.now();
    const ix = index();
    const alerts = d.alerts();
    const byFp = new Map(alerts.map((a) => [a.fingerprint, a]));
    const changed = new Set<string>();
    let paged = false;
    for (const l of d.store.openLadders()) {
      const why =
        stopReason(byFp.get(l.fingerprint)) ?? (ix && !refOf(ix, l) ? 'the policy is no longer in the roster' : null);
      if (why && d.store.stop(l.id, why, now)) {
        changed.add(l.id);
        d.log.log('info', 'paging.stopped', { fingerprint: l.fingerprint, level: l.level, reason: why });
      }
    }
    if (!ix) {
      publish(changed, byFp);
      return Infinity;
    }
    for (const a of alerts) {
      if (stopReason(a) !== null) continue;
      const ref = matchPolicy(ix.refs, a);
      if (!ref) continue;
      const id = `${a.fingerprint}@${now}`;
      if (
        d.store.startLadder({
          id,
          fingerprint: a.fingerprint,
          rosterId: ix.roster.id,
          policyId: ref.policy.id,
          startedAt: now,
        })
      )
        changed.add(id);
    }
    let wake = Infinity;
    for (const l of d.store.openLadders()) {
      const ref = refOf(ix, l)!;
      const due = dueLevel(ref.offsets, l.startedAt, now);
      while (l.level < due && pageNext(ix, ref, l, byFp.get(l.fingerprint), null)) {
        changed.add(l.id);
        paged = true;
      }
      if (l.level < ref.offsets.length) wake = Math.min(wake, l.startedAt + ref.offsets[l.level]);
    }
    publish(changed, byFp);
    if (paged) d.kickDelivery();
    return wake;
  }

  const loop = createPassLoop(d.clock, d.tickMs ?? 30_000, pass, (err) =>
    d.log.log('error', 'paging.pass_failed', { err: String(err) }),
  );

  return {
    start: loop.start,
    stop: loop.stop,
    /** something changed (alerts, acks): look now */
    poke: loop.poke,
    pass,
    /**
     * `e` on an alert: pages the next level now, as `by`. Refused (with the reason) when the alert has no
     * running ladder or is at the top of it.
     */
    escalate(fingerprint: string, by: string): { ok: true; level: number } | { ok: false; reason: string } {
      const ix = index();
      const l = d.store.openLadders().find((x) => x.fingerprint === fingerprint);
      if (!ix || !l) return { ok: false, reason: 'no escalation policy of the gateway is paging for this alert' };
      const ref = refOf(ix, l);
      if (!ref) return { ok: false, reason: 'the policy is no longer in the roster' };
      if (l.level >= ref.policy.levels.length) return { ok: false, reason: `already at the top level (${l.level})` };
      const a = d.alerts().find((x) => x.fingerprint === fingerprint);
      if (!pageNext(ix, ref, l, a, by)) return { ok: false, reason: 'the level was paged a moment ago' };
      publish([l.id], new Map(a ? [[a.fingerprint, a]] : []));
      d.kickDelivery();
      return { ok: true, level: l.level };
    },
    /** a message changed state: tell consoles */
    delivered(ladderId: string) {
      publish([ladderId], new Map(d.alerts().map((a) => [a.fingerprint, a])));
    },
    channels(): ReadonlyMap<string, Channel> {
      return index()?.channels ?? new Map();
    },
    /** the roster paged from, indexed (null: none) */
    index,
  };
}
export type Runner = ReturnType<typeof createRunner>;
