/**
 * Texts the program writes itself (src/shared/texts.ts): the mechanism, and every table declared anywhere
 * in src/ — found by reading the sources, so a new table cannot escape — checked for en ⇄ zh-CN parity
 * (keys, plural forms, placeholders) and for English left in zh-CN or Chinese in en.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineTexts, interpolate, isPlural, pluralForm, resolveLanguage, textTables, type TextTable } from '@shared/texts';

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (/\.(ts|tsx)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** every `defineTexts('name', …)` in src/, by file */
const declared = sources('src')
  .filter((f) => !f.endsWith(path.join('shared', 'texts.ts')))
  .flatMap((file) => [...fs.readFileSync(file, 'utf8').matchAll(/defineTexts\(\s*'([^']+)'/g)].map((m) => ({ file, name: m[1] })));

/** Every leaf of a table: its key path, whether it is plural, and its placeholders. */
function leaves(o: unknown, prefix = ''): string[] {
  if (typeof o === 'string') return [`${prefix} {${placeholders(o).join(',')}}`];
  if (isPlural(o)) return [`${prefix} plural {${[...new Set([...placeholders(o.one), ...placeholders(o.other)])].sort().join(',')}}`];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
function strings(o: unknown, prefix = ''): [string, string][] {
  if (typeof o === 'string') return [[prefix, o]];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => strings(v, prefix ? `${prefix}.${k}` : k));
}

/**
 * Latin words a zh-CN text may hold: product and service names, severities and escalation levels,
 * and notation (the mute note says P0 still notifies).
 */
const ZH_LATIN_ALLOWED = new Set(['Vigil', 'Slack', 'Teams', 'P0', 'P1', 'P2', 'P3', 'L']);
/** technical names a Chinese text names as they are (the notification failure reasons: what to look for) */
const ZH_TECH_NAMES = /\b(D-Bus|notify-send)\b/g;
const latinWords = (s: string) => s.replace(/\{\{\s*\w+\s*\}\}/g, ' ').replace(ZH_TECH_NAMES, ' ').match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];

describe('text tables', () => {
  beforeAll(async () => {
    for (const file of new Set(declared.map((d) => d.file))) await import(/* @vite-ignore */ path.resolve(file));
  });

  it('every table declared in src/ is found and registered once by name', () => {
    expect(declared.length).toBeGreaterThanOrEqual(8);
    const names = declared.map((d) => d.name);
    expect(new Set(names).size, `duplicate table names: ${names}`).toBe(names.length);
    expect(textTables().map((t) => t.name).sort()).toEqual(expect.arrayContaining(names.sort()));
  });

  it.each(declared.map((d) => [d.name, d.file]))('%s (%s): zh-CN has en’s keys, plural forms and placeholders', (name) => {
    const table = textTables().find((t) => t.name === name) as TextTable;
    expect(leaves(table['zh-CN']).sort()).toEqual(leaves(table.en).sort());
  });

  it.each(declared.map((d) => [d.name, d.file]))('%s (%s): no English in zh-CN, no Chinese in en', (name) => {
    const table = textTables().find((t) => t.name === name) as TextTable;
    const english = strings(table['zh-CN']).flatMap(([key, s]) => latinWords(s).filter((w) => !ZH_LATIN_ALLOWED.has(w)).map((w) => `${key}: ${w}`));
    expect(english).toEqual([]);
    const chinese = strings(table.en).filter(([, s]) => /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(s));
    expect(chinese).toEqual([]);
  });
});

describe('the text mechanism', () => {
  const t = defineTexts('test-fixture', {
    en: { hello: 'Hello {{name}}', alerts: { one: '1 alert in {{team}}', other: '{{count}} alerts in {{team}}' }, nested: { quit: 'Quit' } },
    'zh-CN': { hello: '你好，{{name}}', alerts: { one: '{{count}} 条告警（{{team}}）', other: '{{count}} 条告警（{{team}}）' }, nested: { quit: '退出' } },
  });

  it('fills placeholders and picks the plural form by language', () => {
    expect(t.in('en').hello({ name: 'Li Wei' })).toBe('Hello Li Wei');
    expect(t.in('en').alerts(1, { team: 'ozon' })).toBe('1 alert in ozon');
    expect(t.in('en').alerts(2, { team: 'ozon' })).toBe('2 alerts in ozon');
    expect(t.in('en').alerts(0, { team: 'ozon' })).toBe('0 alerts in ozon');
    expect(t.in('zh-CN').alerts(1, { team: 'ozon' })).toBe('1 条告警（ozon）');
    expect(t.in('zh-CN').nested.quit()).toBe('退出');
    expect(pluralForm('en', 1)).toBe('one');
    expect(pluralForm('zh-CN', 1)).toBe('other');
  });

  it('builds each language once', () => {
    expect(t.in('en')).toBe(t.in('en'));
    expect(t.in('zh-CN')).not.toBe(t.in('en'));
  });

  it('interpolates like i18next: spaces inside braces, numbers, a missing value leaves nothing', () => {
    expect(interpolate('{{ a }}/{{b}}/{{c}}', { a: 'x', b: 3 })).toBe('x/3/');
  });

  it('resolves the language: the setting, else any zh-* locale reads Chinese', () => {
    expect(resolveLanguage('en', 'zh-CN')).toBe('en');
    expect(resolveLanguage('zh-CN', 'en-US')).toBe('zh-CN');
    expect(resolveLanguage('auto', 'zh-TW')).toBe('zh-CN');
    expect(resolveLanguage('auto', 'ZH')).toBe('zh-CN');
    expect(resolveLanguage('auto', 'de-DE')).toBe('en');
    expect(resolveLanguage('auto', '')).toBe('en');
  });
});
