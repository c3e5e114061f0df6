/**
 * The language of the texts the core writes itself (notifications, timeline fallbacks, error messages):
 * the setting, or for 'auto' this process's locale. The rule is @shared/texts resolveLanguage; this only
 * supplies the locale, read when the text is written.
 */
import type { Language, Settings } from '@shared/domain';
import { resolveLanguage } from '@shared/texts';

export const processLocale = (): string => Intl.DateTimeFormat().resolvedOptions().locale;

export function coreLanguage(settings: Pick<Settings, 'language'>, locale: string = processLocale()): Language {
  return resolveLanguage(settings.language, locale);
}
