/**
 * Messages that are not pages (issue #16 items 5 and 6), through the same outbox as pages (deliver.ts:
 * backoff, rate limit per channel, dead letters, the vendor's sender, the channel's language):
 * - an incident's status update (start / update / resolved) to the incident's channels (the roster's
 *   `incidentChannels`, by severity and the teams of the incident's alerts);
 * - the shift self-check's test call: a marked TEST message through every channel that would reach the
 *   sender (their own channels, the levels and teams of the policies that page them), one try each, so the
 *   answer says at once which path works.
 * Each is stored with its messages in one step (PagingStore.addComms, keyed by the console's id, so a resent
 * action sends nothing twice) and reported as `comms.update`, again whenever a delivery changes state.
 */
import { formatDeepLink } from '@shared/deep-links';
import type { Comms, PageLanguage } from '@shared/paging';
import { atLeast } from '@shared/domain';
import type { RosterPerson } from '@shared/roster';
import type { Clock } from '@node/clock';
import type { Logger } from '@node/log';
import type { LocalActions } from '../actions';
import type { OfferedEvent } from '../entities';
import { mobileDigits, type StoredBody } from './message';
import { channelUsesOf, type ChannelUse, type PagingIndex } from './policy';
import { deliveryOf, type CommsRow, type NewMessage, type PagingStore } from './store';

export interface IncidentFacts {
  title: string;
  severity: 'P0' | 'P1' | 'P2' | 'P3';
  /** the `team` labels of the incident's alerts */
  teams: string[];
}

export interface CommsDeps {
  store: PagingStore;
  clock: Clock;
  log: Logger;
  index(): PagingIndex | null;
  /** the incident as the gateway holds it, or null */
  incident(id: string): IncidentFacts | null;
  loginOf(person: RosterPerson): string | null;
  connected(login: string): boolean;
  emit(events: OfferedEvent[]): void;
  kickDelivery(): void;
}

const PHASE = {
  'zh-CN': { start: '事故通报', update: '进展更新', resolved: '恢复通报' },
  en: { start: 'Incident started', update: 'Incident update', resolved: 'Incident resolved' },
} as const;

const TEST = {
  'zh-CN': {
    title: '【测试】Vigil 通知通路测试',
    body: (by: string, ch: string) => `这是 ${by} 值班自检发出的测试消息，经由通道「${ch}」。无需处理。`,
    open: '在 Vigil 中打开',
  },
  en: {
    title: '[TEST] Vigil notification path test',
    body: (by: string, ch: string) => `A test from ${by}'s shift self-check through the channel "${ch}". No action needed.`,
    open: 'Open in Vigil',
  },
} as const;

function body(title: string, text: string, vars: Record<string, string>, person: RosterPerson | null): StoredBody {
  return {
    title,
    text,
    mobiles: [],
    wecomIds: [],
    vars: { person: person?.name ?? '', phone: person?.phone ? mobileDigits(person.phone) : '', text, ...vars },
  };
}

/** an incident status update as a channel in `lang` carries it: a header in the team's language, the engineer's text */
export function renderIncidentUpdate(
  lang: PageLanguage,
  f: { incidentId: string; title: string; severity: string; phase: 'start' | 'update' | 'resolved'; text: string },
  person: RosterPerson | null,
): StoredBody {
  const sev = lang === 'zh-CN' ? `【${f.severity}】` : `[${f.severity}] `;
  const title = `${sev}${PHASE[lang][f.phase]} — ${f.title}`;
  const link = formatDeepLink({ kind: 'incident', id: f.incidentId });
  const text = `${title}\n${f.text.trim()}\n${TEST[lang].open}${lang === 'zh-CN' ? '：' : ': '}${link}`;
  return body(title, text, { alert: f.title, severity: f.severity, summary: f.text, level: '0', levelName: PHASE[lang][f.phase], runbook: '', link }, person);
}

/** the test call's message: marked TEST in the title and the text */
export function renderTest(lang: PageLanguage, by: string, channel: string, person: RosterPerson | null): StoredBody {
  const t = TEST[lang];
  const text = `${t.title}\n${t.body(by, channel)}`;
  return body(t.title, text, { alert: t.title, severity: 'TEST', summary: t.body(by, channel), level: '0', levelName: 'TEST', runbook: '', link: '' }, person);
}

/** the channels of every `incidentChannels` rule the incident matches (severity threshold, alert teams) */
export function incidentChannelUses(ix: PagingIndex, f: Pick<IncidentFacts, 'severity' | 'teams'>): ChannelUse[] {
  const ids = new Set<string>();
  for (const r of ix.roster.doc.incidentChannels) {
    if (!atLeast(f.severity, r.match.severity)) continue;
    if (r.match.teams.length && !r.match.teams.some((t) => f.teams.includes(t))) continue;
    r.channels.forEach((c) => ids.add(c));
  }
  // an individual channel (SMS, voice webhook) has no one to call for an update: group channels only
  return [...ids].flatMap((id) => {
    const channel = ix.channels.get(id);
    return channel ? [{ channel, person: null }] : [];
  });
}

/**
 * Every path that would reach `person`: their own channels, and for each policy level that targets them
 * (by name or through a rotation they are in) the level's channels, its night channels and the rotation's
 * team channels. Individual channels carry the message to them.
 */
export function personChannelUses(ix: PagingIndex, person: RosterPerson): ChannelUse[] {
  const doc = ix.roster.doc;
  const group = new Set<string>();
  for (const p of doc.policies)
    for (const lv of p.levels) {
      const rotations = lv.targets.flatMap((t) => ('rotation' in t ? [t.rotation] : []));
      const mine = rotations.filter((id) => doc.rotations.find((r) => r.id === id)?.participants.includes(person.id));
      if (!lv.targets.some((t) => 'person' in t && t.person === person.id) && !mine.length) continue;
      [...lv.channels, ...(lv.nightChannels ?? [])].forEach((c) => group.add(c));
      for (const id of mine) {
        const team = doc.rotations.find((r) => r.id === id)?.team;
        doc.teams.find((t) => t.id === team)?.channels.forEach((c) => group.add(c));
      }
    }
  return channelUsesOf(ix, group, [person]);
}

export function commsState(store: Pick<PagingStore, 'commsMessages'>, ix: PagingIndex | null, c: CommsRow, now: number): Comms {
  const name = (id: string | null) => (id ? (ix?.people.get(id)?.name ?? id) : null);
  return {
    id: c.id,
    kind: c.kind,
    incidentId: c.incidentId,
    phase: c.phase,
    by: c.by,
    login: c.login,
    at: c.at,
    deliveries: store.commsMessages(c.id).map((m) => deliveryOf(m, name)),
    console: c.console,
    none: c.none,
    updatedAt: now,
  };
}

export function createComms(d: CommsDeps) {
  function publish(id: string): void {
    const c = d.store.comms(id);
    if (c) d.emit([{ kind: 'comms.update', data: commsState(d.store, d.index(), c, d.clock.now()) }]);
  }

  function add(row: CommsRow, uses: ChannelUse[], render: (u: ChannelUse) => StoredBody, maxAttempts: number | null): void {
    const messages: NewMessage[] = uses.map((u) => ({
      id: `comms/${row.id}/${u.channel.id}/${u.person?.id ?? '-'}`,
      channel: u.channel.id,
      type: u.channel.type,
      person: u.person?.id ?? null,
      body: JSON.stringify(render(u)),
      maxAttempts,
    }));
    const fresh = d.store.addComms({ ...row, none: messages.length ? null : row.none }, messages);
    if (fresh) {
      d.log.log('info', 'paging.comms', { id: row.id, kind: row.kind, incident: row.incidentId, channels: messages.map((m) => m.channel) });
      if (messages.length) d.kickDelivery();
    }
    publish(row.id);
  }

  /**
   * the console's id, unless a comms of another sender, kind or incident has it (a console cannot take over,
   * or silence, someone else's update by reusing its id): then the action's own id
   */
  function ownId(id: string, fallback: string, kind: CommsRow['kind'], by: string, login: string | null, incidentId: string | null): string {
    const c = d.store.comms(id);
    return !c || (c.kind === kind && c.by === by && c.login === login && c.incidentId === incidentId) ? id : fallback;
  }

  return {
    /** an incident status update the gateway recorded: to the incident's channels (`actionId`: see ownId) */
    incidentUpdate(
      consoleId: string,
      p: { incidentId: string; phase: 'start' | 'update' | 'resolved'; text: string },
      who: { actionId: string; by: string; login: string | null },
    ): void {
      const { by, login } = who;
      const id = ownId(consoleId, who.actionId, 'incident', by, login, p.incidentId);
      const ix = d.index();
      const inc = d.incident(p.incidentId);
      const f = { incidentId: p.incidentId, title: inc?.title ?? p.incidentId, severity: inc?.severity ?? 'P3', phase: p.phase, text: p.text };
      const uses = ix && inc ? incidentChannelUses(ix, inc) : [];
      const row: CommsRow = { id, kind: 'incident', incidentId: p.incidentId, phase: p.phase, by, login, at: d.clock.now(), console: null, none: ix ? 'no_channels' : 'no_roster' };
      add(row, uses, (u) => renderIncidentUpdate(u.channel.language, f, u.person), null);
    },
    /** the self-check's test call: every path that reaches the sender, one try each */
    test(testId: string, who: { actionId: string; by: string; login: string | null }): void {
      const { by, login } = who;
      const id = ownId(testId, who.actionId, 'test', by, login, null);
      const ix = d.index();
      const person = ix && login ? [...ix.people.values()].find((p) => d.loginOf(p) === login) ?? null : null;
      const uses = ix && person ? personChannelUses(ix, person) : [];
      const consoleState = login ? (d.connected(login) ? 'delivered' : 'not_connected') : 'no_login';
      const row: CommsRow = {
        id,
        kind: 'test',
        incidentId: null,
        phase: null,
        by,
        login,
        at: d.clock.now(),
        console: consoleState,
        none: !ix ? 'no_roster' : !person ? 'not_in_roster' : 'no_channels',
      };
      add(row, uses, (u) => renderTest(u.channel.language, by, u.channel.name ?? u.channel.id, u.person), 1);
    },
    /** a message of this comms changed state: tell consoles */
    delivered: publish,
  };
}
export type CommsUnit = ReturnType<typeof createComms>;

/**
 * A gateway that does not page (no --roster, or replicas) still answers a status update's and a test call's
 * comms: nothing was sent, because paging is off. So a console's timeline does not say "queued" forever, and
 * the self-check does not wait for answers that never come.
 */
export function pagingOffActions(emit: (events: OfferedEvent[]) => void, clock: Pick<Clock, 'now'>): LocalActions {
  const report = (c: Omit<Comms, 'deliveries' | 'none' | 'updatedAt'>) =>
    emit([{ kind: 'comms.update', data: { ...c, deliveries: [], none: 'paging_off', updatedAt: clock.now() } satisfies Comms }]);
  return {
    handles: (type) => type === 'paging.test',
    apply(_type, payload, who) {
      const { testId } = payload as { testId: string };
      report({ id: testId, kind: 'test', incidentId: null, phase: null, by: who.actor, login: who.login, at: clock.now(), console: null });
      return { ok: true };
    },
    afterProcess(type, payload, who) {
      if (type !== 'incident.status_update') return;
      const p = payload as { incidentId: string; phase: 'start' | 'update' | 'resolved'; updateId?: string };
      report({ id: p.updateId ?? who.id, kind: 'incident', incidentId: p.incidentId, phase: p.phase, by: who.actor, login: who.login, at: clock.now(), console: null });
    },
  };
}
