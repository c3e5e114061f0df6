export const handoverText = {
  en: { title: 'Shift handover', empty: 'No handovers yet.' },
  'zh-CN': { title: '交接班', empty: '还没有交接记录。' },
} as const;
