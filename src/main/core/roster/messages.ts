/**
 * The texts of escalation notifications. They are raised by the core (no i18next there), in the
 * language the settings choose, and they name each person with the quickest ways to reach them, so the
 * notification alone is enough when nothing else works.
 */
import { contactLinks, type RosterPerson } from '@shared/roster';
import type { Settings } from '@shared/domain';

export type Lang = 'en' | 'zh-CN';

export function notificationLanguage(settings: Settings, systemLocale = Intl.DateTimeFormat().resolvedOptions().locale): Lang {
  const l = settings.language === 'auto' ? systemLocale : settings.language;
  return /^zh/i.test(l) ? 'zh-CN' : 'en';
}

const CHANNEL: Record<Lang, Record<string, string>> = {
  en: { phone: 'tel', email: 'mail', slack: 'Slack', dingtalk: 'DingTalk', teams: 'Teams', wecom: 'WeCom' },
  'zh-CN': { phone: '电话', email: '邮件', slack: 'Slack', dingtalk: '钉钉', teams: 'Teams', wecom: '企业微信' },
};

/** "Lu Chen (tel +86 131…, DingTalk luchen_lead)": the phone and the first IM handle. */
export function describePerson(p: RosterPerson, lang: Lang): string {
  const links = contactLinks(p);
  const phone = links.find((l) => l.channel === 'phone');
  const im = links.find((l) => l.channel !== 'phone' && l.channel !== 'email') ?? links.find((l) => l.channel === 'email');
  const ways = [phone, im].filter((l) => l !== undefined).map((l) => `${CHANNEL[lang][l.channel]} ${l.handle}`);
  return ways.length ? `${p.name} (${ways.join(', ')})` : p.name;
}

export interface Reached {
  people: RosterPerson[];
  /** rotations of the level with nobody on call right now (outside their coverage hours) */
  unstaffed: string[];
}

function who(r: Reached, lang: Lang): string {
  const names = r.people.map((p) => describePerson(p, lang));
  const gaps = r.unstaffed.map((rot) => (lang === 'zh-CN' ? `${rot} 当前无人值班` : `nobody on call for ${rot} now`));
  const all = [...names, ...gaps];
  if (all.length) return all.join(lang === 'zh-CN' ? '；' : '; ');
  return lang === 'zh-CN' ? '（无人可联系）' : '(nobody to reach)';
}

const minutes = (ms: number) => Math.max(0, Math.round(ms / 60_000));

export function escalatedText(lang: Lang, a: { title: string; severity: string; level: number; levelName: string | null; unackedMs: number; reached: Reached }) {
  const level = a.levelName ? `L${a.level} (${a.levelName})` : `L${a.level}`;
  return lang === 'zh-CN'
    ? {
        title: `已升级到 ${level}：${a.severity} ${a.title}`,
        body: `${minutes(a.unackedMs)} 分钟未确认。请联系：${who(a.reached, lang)}`,
      }
    : {
        title: `Escalated to ${level}: ${a.severity} ${a.title}`,
        body: `Not acknowledged for ${minutes(a.unackedMs)} min. Reach: ${who(a.reached, lang)}`,
      };
}

export function reminderText(lang: Lang, a: { title: string; severity: string; level: number; unackedMs: number; nextInMs: number | null; reached: Reached }) {
  const next =
    a.nextInMs === null
      ? ''
      : lang === 'zh-CN'
        ? ` ${minutes(a.nextInMs)} 分钟后升级到 L${a.level + 1}。`
        : ` Escalates to L${a.level + 1} in ${minutes(a.nextInMs)} min.`;
  return lang === 'zh-CN'
    ? {
        title: `仍未确认（L${a.level}）：${a.severity} ${a.title}`,
        body: `已 ${minutes(a.unackedMs)} 分钟。当前：${who(a.reached, lang)}。${next}`.trim(),
      }
    : {
        title: `Still not acknowledged (L${a.level}): ${a.severity} ${a.title}`,
        body: `${minutes(a.unackedMs)} min so far. Now: ${who(a.reached, lang)}.${next}`,
      };
}

/** The reason sent with the escalate action; English, as the platform's audit trail is kept in one language. */
export function escalationReason(a: { from: number; to: number; unackedMs: number }): string {
  const passed = a.to - a.from > 1 ? ` (L${a.from + 1}${a.to - 1 > a.from + 1 ? `–L${a.to - 1}` : ''} passed before this console could escalate)` : '';
  return `not acknowledged for ${minutes(a.unackedMs)} min; automatic escalation to L${a.to}${passed}`;
}
