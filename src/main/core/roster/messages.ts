/**
 * The texts of escalation notifications and roster messages. They are raised by the core (no i18next
 * there), in the core's language when they are raised, and they name each person with the quickest ways
 * to reach them, so the notification alone is enough when nothing else works.
 */
import type { Language } from '@shared/domain';
import { contactLinks, type ContactLink, type RosterPerson } from '@shared/roster';
import { defineTexts } from '@shared/texts';

export const rosterText = defineTexts('roster', {
  en: {
    channels: { phone: 'tel', email: 'mail', slack: 'Slack', dingtalk: 'DingTalk', teams: 'Teams', wecom: 'WeCom' },
    /** "Lu Chen (tel +86 131…, DingTalk luchen_lead)" */
    person: '{{name}} ({{ways}})',
    way: '{{channel}} {{handle}}',
    waySep: ', ',
    whoSep: '; ',
    unstaffed: 'nobody on call for {{rotation}} now',
    nobody: '(nobody to reach)',
    level: 'L{{level}}',
    namedLevel: 'L{{level}} ({{name}})',
    escalatedTitle: 'Escalated to {{level}}: {{severity}} {{title}}',
    escalatedBody: 'Not acknowledged for {{minutes}} min. Reach: {{who}}',
    reminderTitle: 'Still not acknowledged (L{{level}}): {{severity}} {{title}}',
    reminderBody: '{{minutes}} min so far. Now: {{who}}.',
    reminderNext: 'Escalates to L{{level}} in {{minutes}} min.',
    rejected: 'Roster "{{name}}" rejected',
    notLocal: 'Roster "{{name}}" comes from the platform; it is removed there, not here.',
  },
  'zh-CN': {
    channels: { phone: '电话', email: '邮件', slack: 'Slack', dingtalk: '钉钉', teams: 'Teams', wecom: '企业微信' },
    person: '{{name}} ({{ways}})',
    way: '{{channel}} {{handle}}',
    waySep: ', ',
    whoSep: '；',
    unstaffed: '{{rotation}} 当前无人值班',
    nobody: '（无人可联系）',
    level: 'L{{level}}',
    namedLevel: 'L{{level}} ({{name}})',
    escalatedTitle: '已升级到 {{level}}：{{severity}} {{title}}',
    escalatedBody: '{{minutes}} 分钟未确认。请联系：{{who}}',
    reminderTitle: '仍未确认（L{{level}}）：{{severity}} {{title}}',
    reminderBody: '已 {{minutes}} 分钟。当前：{{who}}。',
    reminderNext: '{{minutes}} 分钟后升级到 L{{level}}。',
    rejected: '排班表“{{name}}”未被接受',
    notLocal: '排班表“{{name}}”来自平台，请在平台上删除，不能在本机删除。',
  },
});

/** "Lu Chen (tel +86 131…, DingTalk luchen_lead)": the phone and the first IM handle (else the e-mail). */
export function describePerson(p: RosterPerson, lang: Language): string {
  const t = rosterText.in(lang);
  const links = contactLinks(p);
  const phone = links.find((l) => l.channel === 'phone');
  const im = links.find((l) => l.channel !== 'phone' && l.channel !== 'email') ?? links.find((l) => l.channel === 'email');
  const ways = [phone, im]
    .filter((l): l is ContactLink => l !== undefined)
    .map((l) => t.way({ channel: t.channels[l.channel as keyof typeof t.channels](), handle: l.handle }));
  return ways.length ? t.person({ name: p.name, ways: ways.join(t.waySep()) }) : p.name;
}

export interface Reached {
  people: RosterPerson[];
  /** rotations of the level with nobody on call right now (outside their coverage hours) */
  unstaffed: string[];
}

function who(r: Reached, lang: Language): string {
  const t = rosterText.in(lang);
  const all = [...r.people.map((p) => describePerson(p, lang)), ...r.unstaffed.map((rotation) => t.unstaffed({ rotation }))];
  return all.length ? all.join(t.whoSep()) : t.nobody();
}

const minutes = (ms: number) => Math.max(0, Math.round(ms / 60_000));

export function escalatedText(lang: Language, a: { title: string; severity: string; level: number; levelName: string | null; unackedMs: number; reached: Reached }) {
  const t = rosterText.in(lang);
  const level = a.levelName ? t.namedLevel({ level: a.level, name: a.levelName }) : t.level({ level: a.level });
  return {
    title: t.escalatedTitle({ level, severity: a.severity, title: a.title }),
    body: t.escalatedBody({ minutes: minutes(a.unackedMs), who: who(a.reached, lang) }),
  };
}

export function reminderText(lang: Language, a: { title: string; severity: string; level: number; unackedMs: number; nextInMs: number | null; reached: Reached }) {
  const t = rosterText.in(lang);
  const body = t.reminderBody({ minutes: minutes(a.unackedMs), who: who(a.reached, lang) });
  const next = a.nextInMs === null ? '' : t.reminderNext({ level: a.level + 1, minutes: minutes(a.nextInMs) });
  return {
    title: t.reminderTitle({ level: a.level, severity: a.severity, title: a.title }),
    body: next ? `${body} ${next}` : body,
  };
}

/**
 * The reason sent with the escalate action. Not a text of this console: it goes into the platform's
 * audit trail, which is kept in one language (English); the timeline shows escalations from their entry
 * (code 'escalated' in @shared/incidents), in the reader's language.
 */
export function escalationReason(a: { from: number; to: number; unackedMs: number }): string {
  const passed = a.to - a.from > 1 ? ` (L${a.from + 1}${a.to - 1 > a.from + 1 ? `–L${a.to - 1}` : ''} passed before this console could escalate)` : '';
  return `not acknowledged for ${minutes(a.unackedMs)} min; automatic escalation to L${a.to}${passed}`;
}

/** The gateway paged the person signed in here (gateway-pages.ts). */
export const pageText = defineTexts('pages', {
  en: {
    pagedTitle: 'You are paged: {{severity}} {{alert}}',
    pagedBody: 'Level {{level}}/{{levels}} {{name}}{{by}} — open it to acknowledge.',
    byHand: ', escalated by {{who}}',
  },
  'zh-CN': {
    pagedTitle: '你被呼叫：{{severity}} {{alert}}',
    pagedBody: '第 {{level}}/{{levels}} 级 {{name}}{{by}} — 打开以确认。',
    byHand: '，由 {{who}} 手动升级',
  },
});
