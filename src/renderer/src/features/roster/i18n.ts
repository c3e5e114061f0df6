export const rosterText = {
  en: { title: 'Roster', empty: 'No roster cached.' },
  'zh-CN': { title: '值班表', empty: '暂无值班表缓存。' },
} as const;
