export const checklistsText = {
  en: { title: 'Checklists', empty: 'No checklist runs yet.' },
  'zh-CN': { title: '检查清单', empty: '还没有检查记录。' },
} as const;
