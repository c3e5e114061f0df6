/** Texts of the desktop-only settings (namespace "desktop"). */
export const desktopText = {
  en: {
    title: 'Desktop app',
    startAtLogin: 'Start Vigil when I log in',
    startAtLoginHint:
      'Vigil then starts in the tray, so alerts reach you after a reboot even before you open it. Only an installed Vigil registers itself.',
  },
  'zh-CN': {
    title: '桌面应用',
    startAtLogin: '登录系统时启动 Vigil',
    startAtLoginHint: '启动后 Vigil 留在托盘中，电脑重启后即使没打开窗口也能收到告警。仅安装版会注册开机自启。',
  },
} as const;
