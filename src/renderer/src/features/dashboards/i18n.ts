export const dashboardsText = {
  en: { title: 'Dashboards', empty: 'No dashboards cached.' },
  'zh-CN': { title: '仪表盘', empty: '暂无仪表盘缓存。' },
} as const;
