/**
 * The words of native notifications. They are written by the core (the renderer may not be open), so
 * they carry their own small en / zh-CN table, chosen by settings.language ('auto' = the process locale).
 */
import type { Language, Settings } from '@shared/domain';

interface Texts {
  more(n: number): string;
  firing(n: number): string;
  moreFiring(n: number): string;
  stillUnacked: string;
  unackedFor(n: number, minutes: number): string;
  resolved: string;
  resolvedCount(n: number): string;
  storm(alerts: number, groups: number): string;
  testTitle: string;
  testBody: string;
}

const en: Texts = {
  more: (n) => `+${n} more`,
  firing: (n) => `${n} firing`,
  moreFiring: (n) => `${n} more firing`,
  stillUnacked: 'Still unacked',
  unackedFor: (n, m) => (n === 1 ? `Firing for ${m} min without an ack` : `${n} alerts firing for ${m} min without an ack`),
  resolved: 'Resolved',
  resolvedCount: (n) => (n === 1 ? '1 alert resolved' : `${n} alerts resolved`),
  storm: (a, g) => `Alert storm: ${a} alerts in ${g} groups`,
  testTitle: 'Vigil test notification',
  testBody: 'If you can read this, alert notifications reach you.',
};

const zh: Texts = {
  more: (n) => `另有 ${n} 条`,
  firing: (n) => `${n} 条告警中`,
  moreFiring: (n) => `新增 ${n} 条告警`,
  stillUnacked: '仍未确认',
  unackedFor: (n, m) => (n === 1 ? `已持续 ${m} 分钟未确认` : `${n} 条告警已持续 ${m} 分钟未确认`),
  resolved: '已恢复',
  resolvedCount: (n) => `${n} 条告警已恢复`,
  storm: (a, g) => `告警风暴：${g} 组共 ${a} 条告警`,
  testTitle: 'Vigil 测试通知',
  testBody: '能看到这条消息，说明告警通知可以送达。',
};

export function notifyLanguage(setting: Settings['language']): Language {
  if (setting !== 'auto') return setting;
  return /^zh/i.test(Intl.DateTimeFormat().resolvedOptions().locale) ? 'zh-CN' : 'en';
}

export const notifyTexts = (lang: Language): Texts => (lang === 'zh-CN' ? zh : en);
