import { describe, expect, it } from 'vitest';
import { checklistsText } from '@renderer/features/checklists/i18n';
import { handoverText } from '@renderer/features/handover/i18n';
import { incidentsText } from '@renderer/features/incidents/i18n';

/** Every key path of a nested text table, with its {{placeholders}}. */
function keys(o: unknown, prefix = ''): string[] {
  if (typeof o === 'string') return [`${prefix} ${[...o.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort().join(',')}`];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('process UI texts', () => {
  it.each([
    ['checklists', checklistsText],
    ['incidents', incidentsText],
    ['handover', handoverText],
  ])('%s has the same keys and placeholders in en and zh-CN', (_ns, text) => {
    expect(keys(text['zh-CN']).sort()).toEqual(keys(text.en).sort());
  });
});
