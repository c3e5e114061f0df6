export const alertsText = {
  en: { title: 'Alerts', empty: 'No alerts cached.' },
  'zh-CN': { title: '告警', empty: '暂无告警缓存。' },
} as const;
