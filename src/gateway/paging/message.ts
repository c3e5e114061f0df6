/**
 * What a page says, in the channel's language (the team's): the alert, who is paged at which level, the
 * runbook and a link back into Vigil. Rendered when the level is paged and stored with the message, so a
 * retry after a restart sends the same text.
 */
import type { PageLanguage } from '@shared/paging';

export interface PageFacts {
  alertname: string;
  severity: string;
  summary: string | null;
  level: number;
  levels: number;
  levelName: string | null;
  policyName: string;
  people: { name: string; phone: string | null; wecom: string | null }[];
  unstaffed: string[];
  runbook: string | null;
  link: string;
  /** escalated by hand by this person */
  by: string | null;
  /** a test from the shift self-check, not a page */
  test?: boolean;
}

/** what the outbox keeps for one message; the sender builds the vendor's request from it */
export interface StoredBody {
  title: string;
  text: string;
  /** phones to @ (DingTalk atMobiles, WeCom mentioned_mobile_list), as digits */
  mobiles: string[];
  /** WeCom userids to mention */
  wecomIds: string[];
  /** the webhook template's placeholders */
  vars: Record<string, string>;
}

const T = {
  'zh-CN': {
    test: '【测试】Vigil 通知通道测试',
    level: (f: PageFacts) => `升级至第 ${f.level}/${f.levels} 级${f.levelName ? `（${f.levelName}）` : ''}`,
    paged: '呼叫',
    nobody: '无人值守',
    summary: '摘要',
    runbook: '处理手册',
    open: '在 Vigil 中打开',
    by: '手动升级',
    policy: '升级策略',
    sep: '、',
  },
  en: {
    test: '[TEST] Vigil notification path test',
    level: (f: PageFacts) => `level ${f.level}/${f.levels}${f.levelName ? ` (${f.levelName})` : ''}`,
    paged: 'Paging',
    nobody: 'nobody on call',
    summary: 'Summary',
    runbook: 'Runbook',
    open: 'Open in Vigil',
    by: 'Escalated by hand by',
    policy: 'Policy',
    sep: ', ',
  },
} as const;

/** digits only; a Chinese mobile written with +86 loses the country code (DingTalk and WeCom take 11 digits) */
export function mobileDigits(phone: string): string {
  const d = phone.replace(/[^0-9]/g, '');
  return d.length === 13 && d.startsWith('86') ? d.slice(2) : d;
}

export function renderPage(lang: PageLanguage, f: PageFacts, person?: { name: string; phone: string | null }): StoredBody {
  const t = T[lang];
  const colon = lang === 'zh-CN' ? '：' : ': ';
  const sev = lang === 'zh-CN' ? `【${f.severity}】` : `[${f.severity}] `;
  const title = f.test ? t.test : `${sev}${f.alertname} — ${t.level(f)}`;
  const who = f.people.map((p) => p.name).join(t.sep) || t.nobody;
  const mobiles = f.people.flatMap((p) => (p.phone ? [mobileDigits(p.phone)] : []));
  const lines = [
    title,
    `${t.paged}${colon}${who}${mobiles.length ? ' ' + mobiles.map((m) => `@${m}`).join(' ') : ''}`,
    f.unstaffed.length ? `${t.nobody}${colon}${f.unstaffed.join(t.sep)}` : null,
    f.summary ? `${t.summary}${colon}${f.summary}` : null,
    `${t.policy}${colon}${f.policyName}`,
    f.by ? `${t.by}${lang === 'zh-CN' ? '：' : ' '}${f.by}` : null,
    f.runbook ? `${t.runbook}${colon}${f.runbook}` : null,
    `${t.open}${colon}${f.link}`,
  ].filter((l): l is string => l !== null);
  const text = lines.join('\n');
  return {
    title,
    text,
    mobiles,
    wecomIds: f.people.flatMap((p) => (p.wecom ? [p.wecom] : [])),
    vars: {
      person: person?.name ?? who,
      phone: person?.phone ? mobileDigits(person.phone) : '',
      alert: f.alertname,
      severity: f.severity,
      summary: f.summary ?? '',
      level: String(f.level),
      levelName: f.levelName ?? '',
      runbook: f.runbook ?? '',
      link: f.link,
      text,
    },
  };
}
