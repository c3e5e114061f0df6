/**
 * Applies the tokens and the theme. The tokens stylesheet is written once at startup (before the first
 * render); the theme is `data-theme` on <html>: the Settings choice, or the OS's light/dark preference
 * while it is "system" — followed live, so switching the OS to dark at night switches the console too.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { Settings } from '@shared/domain';
import { tokensCss, themes, type ThemeColors, type ThemeName } from './tokens';

export function installTokens(doc: Document = document): void {
  if (doc.getElementById('vigil-tokens')) return;
  const style = doc.createElement('style');
  style.id = 'vigil-tokens';
  style.textContent = tokensCss();
  doc.head.prepend(style);
  // until the settings arrive (and on the "cannot connect" page), follow the OS
  doc.documentElement.dataset.theme ??= matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const darkQuery = () => matchMedia('(prefers-color-scheme: dark)');

function subscribeOs(cb: () => void): () => void {
  const q = darkQuery();
  q.addEventListener('change', cb);
  return () => q.removeEventListener('change', cb);
}

export function resolveTheme(setting: Settings['theme'], osDark: boolean): ThemeName {
  return setting === 'system' ? (osDark ? 'dark' : 'light') : setting;
}

/** Keeps <html data-theme> on the resolved theme; returns it. */
export function useApplyTheme(setting: Settings['theme'] | undefined): ThemeName {
  const osDark = useSyncExternalStore(subscribeOs, () => darkQuery().matches);
  const theme = resolveTheme(setting ?? 'system', osDark);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return theme;
}

const subscribeThemeAttr = (cb: () => void) => {
  const mo = new MutationObserver(cb);
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => mo.disconnect();
};

/** The theme in force, for code that draws colours itself (charts). */
export function useTheme(): { name: ThemeName; colors: ThemeColors } {
  const name = useSyncExternalStore(subscribeThemeAttr, () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'));
  return { name, colors: themes[name] };
}
