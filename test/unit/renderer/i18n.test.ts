/**
 * Every renderer namespace (the frame's `common` and each feature's) has the same keys and placeholders in
 * en and zh-CN, and no English text is missing its Chinese (or the other way round).
 */
import { describe, expect, it } from 'vitest';
import { common } from '@renderer/i18n/common';
import { featureNamespaces } from '@renderer/i18n/features';

/** every key path of a nested text table, with its {{placeholders}} */
function keys(o: unknown, prefix = ''): string[] {
  if (typeof o === 'string') return [`${prefix} ${[...o.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort().join(',')}`];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function values(o: unknown, prefix = ''): [string, string][] {
  if (typeof o === 'string') return [[prefix, o]];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => values(v, prefix ? `${prefix}.${k}` : k));
}

const namespaces = Object.entries({ common, ...featureNamespaces }) as [string, { en: unknown; 'zh-CN': unknown }][];

describe('renderer texts', () => {
  it('covers every namespace the app registers', () => {
    expect(namespaces.map(([ns]) => ns).sort()).toEqual(['alerts', 'checklists', 'common', 'dashboards', 'desktop', 'handover', 'incidents', 'link', 'roster', 'runbooks', 'signin']);
  });

  it.each(namespaces)('%s has the same keys and placeholders in en and zh-CN', (_ns, text) => {
    expect(keys(text['zh-CN']).sort()).toEqual(keys(text.en).sort());
  });

  it.each(namespaces)('%s: English texts have no Chinese, Chinese texts are not left in English', (_ns, text) => {
    const cjk = /[\u3400-\u9fff]/;
    expect(values(text.en).filter(([, v]) => cjk.test(v))).toEqual([]);
    // a Chinese text may hold names and syntax (P1, YAML, {{placeholders}}), but not a sentence of English
    const untranslated = values(text['zh-CN']).filter(([, v]) => !cjk.test(v) && /[a-z]{3,}\s+[a-z]{3,}\s+[a-z]{3,}/i.test(v.replace(/\{\{\s*\w+\s*\}\}/g, '')));
    expect(untranslated).toEqual([]);
  });
});
