/**
 * Texts the program writes itself (notifications, timeline lines, the postmortem, roster messages, the
 * tray), outside i18next: one typed table per feature, `{ en, 'zh-CN' }`, where the type system refuses a
 * zh-CN table whose keys differ from en's. Values are strings with `{{name}}` placeholders (the syntax
 * i18next uses, so a table can also be loaded into the renderer's i18next) or plural forms
 * `{ one, other }` chosen by the count. Pure: used by the core, the shell and the renderer alike.
 *
 *   const t = notifyText.in('zh-CN');
 *   t.resolvedCount(3)            // "3 条告警已恢复"
 *   t.storm({ alerts: 40, groups: 3 })
 *
 * docs/development.md ("Texts the core writes") says how to add one.
 */
import type { Language } from './domain';

/**
 * Plural forms of a text with `{{count}}`: "1 alert" / "2 alerts". Chosen by Intl.PluralRules: zh-CN has
 * no singular, so it always takes `other` (write `one` the same). An object with exactly these two keys
 * is always read as plural forms.
 */
export interface Plural {
  readonly one: string;
  readonly other: string;
}
export type TextLeaf = string | Plural;
export interface TextTree {
  readonly [key: string]: TextLeaf | TextTree;
}

/** The shape a second language must have: exactly en's keys, any values. */
export type SameKeys<T> = {
  readonly [K in keyof T]: T[K] extends string ? string : T[K] extends Plural ? Plural : SameKeys<T[K]>;
};

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;
/** The placeholder names of a template: `'{{n}} of {{total}}'` → `'n' | 'total'`. */
export type Placeholders<S> = S extends `${string}{{${infer P}}}${infer Rest}` ? Trim<P> | Placeholders<Rest> : never;
export type TextParams<S> = Record<Placeholders<S>, string | number>;
type Args<P extends string> = [P] extends [never] ? [] : [params: Record<P, string | number>];

/** A table in one language: every string becomes a function of its placeholders. */
export type Translator<T> = {
  readonly [K in keyof T]: T[K] extends string
    ? (...args: Args<Placeholders<T[K]>>) => string
    : T[K] extends Plural
      ? (count: number, ...args: Args<Exclude<Placeholders<T[K]['one'] | T[K]['other']>, 'count'>>) => string
      : Translator<T[K]>;
};

export interface TextTable<T extends TextTree = TextTree> {
  /** the feature's name (unique; the parity test reports by it) */
  readonly name: string;
  readonly en: T;
  readonly 'zh-CN': SameKeys<T>;
  /** the table in `lng`, its texts as functions that fill the placeholders (built once per language) */
  in(lng: Language): Translator<T>;
}

/** Fills {{name}} placeholders; a missing value leaves nothing (the types make that a compile error). */
export function interpolate(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => (params[k] === undefined ? '' : String(params[k])));
}

export const isPlural = (v: unknown): v is Plural =>
  typeof v === 'object' && v !== null && Object.keys(v).length === 2 && typeof (v as Plural).one === 'string' && typeof (v as Plural).other === 'string';

const pluralRules = new Map<Language, Intl.PluralRules>();
/** 'one' or 'other' for `count` in `lng` (languages with more forms fall back to 'other'). */
export function pluralForm(lng: Language, count: number): keyof Plural {
  let rules = pluralRules.get(lng);
  if (!rules) pluralRules.set(lng, (rules = new Intl.PluralRules(lng)));
  return rules.select(count) === 'one' ? 'one' : 'other';
}

type AnyFn = (...args: unknown[]) => string;
function translate(tree: TextTree, lng: Language): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(tree)) {
    if (typeof v === 'string') out[key] = ((params?: Record<string, string | number>) => interpolate(v, params ?? {})) as AnyFn;
    else if (isPlural(v))
      out[key] = ((count: number, params?: Record<string, string | number>) => interpolate(v[pluralForm(lng, count)], { ...params, count })) as AnyFn;
    else out[key] = translate(v, lng);
  }
  return Object.freeze(out);
}

const registry = new Map<string, TextTable>();

/**
 * Declares a feature's table. `const` keeps en's strings literal, so each text's placeholders are
 * checked where it is used; zh-CN must have the same keys (a missing or extra key does not compile).
 */
export function defineTexts<const T extends TextTree>(name: string, table: { en: T; 'zh-CN': SameKeys<T> }): TextTable<T> {
  const built = new Map<Language, Translator<T>>();
  const out: TextTable<T> = {
    name,
    en: table.en,
    'zh-CN': table['zh-CN'],
    in(lng) {
      let t = built.get(lng);
      if (!t) built.set(lng, (t = translate(lng === 'zh-CN' ? (table['zh-CN'] as TextTree) : table.en, lng) as Translator<T>));
      return t;
    },
  };
  registry.set(name, out as unknown as TextTable);
  return out;
}

/** Every table declared so far (by the modules imported): what the parity test walks. */
export const textTables = (): readonly TextTable[] => [...registry.values()];

/**
 * The language to write in: the setting, or for 'auto' the OS / browser locale (any zh-* locale reads
 * Chinese; everything else English). The one place this rule lives.
 */
export function resolveLanguage(setting: 'auto' | Language, osLocale: string): Language {
  if (setting !== 'auto') return setting;
  return /^zh/i.test(osLocale) ? 'zh-CN' : 'en';
}
