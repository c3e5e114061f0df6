/**
 * The language of the texts the core writes itself (notifications, toasts, timeline fallbacks, error
 * messages): one decision with the page the person reads. The language setting when it is set; for 'auto'
 * the language the page resolved from its own locale (navigator.language), which the renderer tells the
 * core (the `pageLanguage` method) — in the browser host the browser may run on another machine, in
 * another language, than the host process. Until a page has said it, the process's own locale. The rule
 * is @shared/texts resolveLanguage; docs/development.md ("One language") says why the page decides.
 */
import type { Language, Settings } from '@shared/domain';
import { resolveLanguage } from '@shared/texts';

export const processLocale = (): string => Intl.DateTimeFormat().resolvedOptions().locale;

export function coreLanguage(settings: Pick<Settings, 'language'>, locale: string = processLocale()): Language {
  return resolveLanguage(settings.language, locale);
}

/** What the page last said its 'auto' language is (one per core; the most recent page wins). */
export interface PageLanguage {
  get(): Language | null;
  set(lng: Language): void;
}

export function createPageLanguage(): PageLanguage {
  let current: Language | null = null;
  return {
    get: () => current,
    set: (lng) => void (current = lng),
  };
}

/** The core's language now: the setting, else the page's, else this process's locale. */
export function languageOf(settings: Pick<Settings, 'language'>, page: PageLanguage | undefined, locale: string = processLocale()): Language {
  return coreLanguage(settings, page?.get() ?? locale);
}
