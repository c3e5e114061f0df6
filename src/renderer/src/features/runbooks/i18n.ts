export const runbooksText = {
  en: { title: 'Runbooks', empty: 'No runbooks cached.' },
  'zh-CN': { title: '处置手册', empty: '暂无处置手册缓存。' },
} as const;
