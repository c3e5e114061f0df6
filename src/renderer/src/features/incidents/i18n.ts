export const incidentsText = {
  en: { title: 'Incidents', empty: 'No incidents.' },
  'zh-CN': { title: '事故', empty: '暂无事故。' },
} as const;
