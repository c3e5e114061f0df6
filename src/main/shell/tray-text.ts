/** The tray's tooltip and menu labels (kept apart from tray.ts, which needs Electron, so tests can read them). */
import { defineTexts } from '@shared/texts';

export const trayText = defineTexts('tray', {
  en: {
    open: 'Open Vigil',
    quit: 'Quit',
    unacked: { one: '1 unacked alert', other: '{{count}} unacked alerts' },
    line: '{{severity}}: {{unacked}} unacked / {{total}} firing',
    mute15: 'Mute notifications for 15 min',
    mute60: 'Mute notifications for 1 h',
    unmute: 'Unmute notifications',
    mutedUntil: 'Muted until {{time}} (P0 still notifies)',
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
  },
});
