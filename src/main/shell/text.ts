/**
 * The words the shell itself shows (tray menu, its own notifications), in both languages — one typed table
 * (@shared/texts). The renderer's texts live in its i18n namespaces; these never reach it. Kept apart from
 * tray.ts (which needs Electron) so tests can read them.
 */
import type { Language } from '@shared/domain';
import { defineTexts, type Translator } from '@shared/texts';

export type ShellLanguage = Language;

export const shellText = defineTexts('shell', {
  en: {
    open: 'Open Vigil',
    quit: 'Quit',
    unacked: { one: '1 unacked alert', other: '{{count}} unacked alerts' },
    line: '{{severity}}: {{unacked}} unacked / {{total}} firing',
    mute15: 'Mute notifications for 15 min',
    mute60: 'Mute notifications for 1 h',
    unmute: 'Unmute notifications',
    mutedUntil: 'Muted until {{time}} (P0 still notifies)',
    keepRunningTitle: 'Vigil keeps running in the tray',
    keepRunningBody: 'Closing the window leaves Vigil running, so alerts still reach you. Quit from the tray menu.',
    checkUpdates: 'Check for updates',
    checkingUpdates: 'Checking for updates…',
    downloadingUpdate: 'Downloading update {{version}}…',
    installUpdate: 'Restart to update to {{version}}',
    updateWaits: 'Update {{version}} waits: {{why}}',
    updateFailed: 'The last update check failed (see the log)',
    updateReadyTitle: 'Vigil {{version}} is ready to install',
    updateReadyBody: 'Choose “Restart to update” in the tray menu when it suits you. It is never installed during an incident.',
    notNowTitle: 'Not now',
    badLink: 'This link cannot be opened: it is not a Vigil alert or incident link',
    why: {
      incident_open: { one: 'an incident is open', other: '{{count}} incidents are open' },
      unacked_p0_p1: { one: 'a P0/P1 alert is unacked', other: '{{count}} P0/P1 alerts are unacked' },
      state_unknown: 'the alert and incident state cannot be read',
    },
  },
  'zh-CN': {
    open: '打开 Vigil',
    quit: '退出',
    unacked: { one: '{{count}} 条未确认告警', other: '{{count}} 条未确认告警' },
    line: '{{severity}}：未确认 {{unacked}} / 告警中 {{total}}',
    mute15: '通知静音 15 分钟',
    mute60: '通知静音 1 小时',
    unmute: '取消静音',
    mutedUntil: '静音至 {{time}}（P0 仍会提醒）',
    keepRunningTitle: 'Vigil 仍在托盘中运行',
    keepRunningBody: '关闭窗口后 Vigil 继续运行，告警照常提醒。要退出请使用托盘菜单。',
    checkUpdates: '检查更新',
    checkingUpdates: '正在检查更新…',
    downloadingUpdate: '正在下载更新 {{version}}…',
    installUpdate: '重启并更新到 {{version}}',
    updateWaits: '更新 {{version}} 暂缓：{{why}}',
    updateFailed: '上次检查更新失败（详见日志）',
    updateReadyTitle: 'Vigil {{version}} 已可安装',
    updateReadyBody: '方便时在托盘菜单中选择“重启并更新”。事故处理期间不会安装。',
    notNowTitle: '暂不更新',
    badLink: '无法打开此链接：它不是 Vigil 的告警或事故链接',
    why: {
      incident_open: { one: '有 {{count}} 个事故未关闭', other: '有 {{count}} 个事故未关闭' },
      unacked_p0_p1: { one: '有 {{count}} 条 P0/P1 告警未确认', other: '有 {{count}} 条 P0/P1 告警未确认' },
      state_unknown: '无法读取告警和事故状态',
    },
  },
});

export type ShellText = Translator<typeof shellText.en>;

/** The reason a "not now" verdict gives, in words. */
export function whyNotNow(
  t: ShellText,
  v: { reason: 'incident_open'; incidents: number } | { reason: 'unacked_p0_p1'; alerts: number } | { reason: 'state_unknown' },
): string {
  if (v.reason === 'incident_open') return t.why.incident_open(v.incidents);
  if (v.reason === 'unacked_p0_p1') return t.why.unacked_p0_p1(v.alerts);
  return t.why.state_unknown();
}
