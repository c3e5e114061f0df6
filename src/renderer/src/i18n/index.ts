/** i18next with zh-CN and en. Each feature registers its own namespace here; `common` is the frame's. */
import i18next, { type Resource, type ResourceLanguage } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '@shared/domain';
import { common } from './common';
import { featureNamespaces } from './features';

export function initI18n(lng: Language) {
  const en: ResourceLanguage = { common: common.en };
  const zh: ResourceLanguage = { common: common['zh-CN'] };
  const resources: Resource = { en, 'zh-CN': zh };
  for (const [ns, texts] of Object.entries(featureNamespaces)) {
    en[ns] = texts.en;
    zh[ns] = texts['zh-CN'];
  }
  void i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'en',
    defaultNS: 'common',
    ns: ['common', ...Object.keys(featureNamespaces)],
    resources,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lng;
  return i18next;
}

export function setLanguage(lng: Language) {
  if (i18next.language !== lng) void i18next.changeLanguage(lng);
  document.documentElement.lang = lng;
}
