/**
 * The words the shell itself shows (tray menu, its own notifications), in both languages. The renderer's
 * texts live in its i18n namespaces; these never reach it.
 */
export type ShellLanguage = 'en' | 'zh-CN';

export interface ShellText {
  open: string;
  quit: string;
  unacked(n: number): string;
  line(s: string, total: number, unacked: number): string;
  mute15: string;
  mute60: string;
  unmute: string;
  mutedUntil(t: string): string;
  keepRunningTitle: string;
  keepRunningBody: string;
  checkUpdates: string;
  checkingUpdates: string;
  downloadingUpdate(v: string): string;
  installUpdate(v: string): string;
  updateWaits(v: string, why: string): string;
  updateFailed: string;
  updateReadyTitle(v: string): string;
  updateReadyBody: string;
  notNowTitle: string;
  badLink: string;
  why: { incident_open(n: number): string; unacked_p0_p1(n: number): string; state_unknown: string };
}

export const SHELL_TEXT: Record<ShellLanguage, ShellText> = {
  en: {
    open: 'Open Vigil',
    quit: 'Quit',
    unacked: (n) => (n === 1 ? '1 unacked alert' : `${n} unacked alerts`),
    line: (s, total, unacked) => `${s}: ${unacked} unacked / ${total} firing`,
    mute15: 'Mute notifications for 15 min',
    mute60: 'Mute notifications for 1 h',
    unmute: 'Unmute notifications',
    mutedUntil: (t) => `Muted until ${t} (P0 still notifies)`,
    keepRunningTitle: 'Vigil keeps running in the tray',
    keepRunningBody: 'Closing the window leaves Vigil running, so alerts still reach you. Quit from the tray menu.',
    checkUpdates: 'Check for updates',
    checkingUpdates: 'Checking for updates…',
    downloadingUpdate: (v) => `Downloading update ${v}…`,
    installUpdate: (v) => `Restart to update to ${v}`,
    updateWaits: (v, why) => `Update ${v} waits: ${why}`,
    updateFailed: 'The last update check failed (see the log)',
    updateReadyTitle: (v) => `Vigil ${v} is ready to install`,
    updateReadyBody:
      'Choose “Restart to update” in the tray menu when it suits you. It is never installed during an incident.',
    notNowTitle: 'Not now',
    badLink: 'This link cannot be opened: it is not a Vigil alert or incident link',
    why: {
      incident_open: (n) => (n === 1 ? 'an incident is open' : `${n} incidents are open`),
      unacked_p0_p1: (n) => (n === 1 ? 'a P0/P1 alert is unacked' : `${n} P0/P1 alerts are unacked`),
      state_unknown: 'the alert and incident state cannot be read',
    },
  },
  'zh-CN': {
    open: '打开 Vigil',
    quit: '退出',
    unacked: (n) => `${n} 条未确认告警`,
    line: (s, total, unacked) => `${s}：未确认 ${unacked} / 告警中 ${total}`,
    mute15: '通知静音 15 分钟',
    mute60: '通知静音 1 小时',
    unmute: '取消静音',
    mutedUntil: (t) => `静音至 ${t}（P0 仍会提醒）`,
    keepRunningTitle: 'Vigil 仍在托盘中运行',
    keepRunningBody: '关闭窗口后 Vigil 继续运行，告警照常提醒。要退出请使用托盘菜单。',
    checkUpdates: '检查更新',
    checkingUpdates: '正在检查更新…',
    downloadingUpdate: (v) => `正在下载更新 ${v}…`,
    installUpdate: (v) => `重启并更新到 ${v}`,
    updateWaits: (v, why) => `更新 ${v} 暂缓：${why}`,
    updateFailed: '上次检查更新失败（详见日志）',
    updateReadyTitle: (v) => `Vigil ${v} 已可安装`,
    updateReadyBody: '方便时在托盘菜单中选择“重启并更新”。事故处理期间不会安装。',
    notNowTitle: '暂不更新',
    badLink: '无法打开此链接：它不是 Vigil 的告警或事故链接',
    why: {
      incident_open: (n) => `有 ${n} 个事故未关闭`,
      unacked_p0_p1: (n) => `有 ${n} 条 P0/P1 告警未确认`,
      state_unknown: '无法读取告警和事故状态',
    },
  },
};

/** The reason a "not now" verdict gives, in words. */
export function whyNotNow(
  t: ShellText,
  v:
    | { reason: 'incident_open'; incidents: number }
    | { reason: 'unacked_p0_p1'; alerts: number }
    | { reason: 'state_unknown' },
): string {
  if (v.reason === 'incident_open') return t.why.incident_open(v.incidents);
  if (v.reason === 'unacked_p0_p1') return t.why.unacked_p0_p1(v.alerts);
  return t.why.state_unknown;
}
